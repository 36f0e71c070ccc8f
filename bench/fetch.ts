// Benchmark of `mailrec reports fetch`: N report messages (DMARC aggregate reports as .xml.gz and
// .zip, one in ten a TLS report) delivered into a folder of the test Dovecot, then fetched and
// archived by `mailrec reports fetch` in a measured child; the baseline, in the same run, is
// imapflow downloading the same messages and throwing them away. Messages/s and peak RSS at each
// size: the peak should not grow with N. Prints; asserts only that everything was archived.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { seededRandom } from '../harness/processes.js';
import { reportXml, zipOne } from './dmarc.js';
import { runMeasured, type ChildRun } from './measure.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const MAILREC = join(ROOT, 'bin', 'mailrec');
const BASELINE = join(HERE, 'fetch-baseline.js');
const BEGIN = 1796083200; // 2026-12-01

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** Report message i, as receivers send them. */
function reportMessage(i: number, rand: () => number): string {
  const receiver = `receiver${i % 13}.test`;
  const begin = BEGIN + (i % 28) * 86_400;
  let type: string;
  let name: string;
  let data: Buffer;
  if (i % 10 === 9) {
    const json = JSON.stringify({
      'organization-name': receiver,
      'date-range': { 'start-datetime': new Date(begin * 1000).toISOString(), 'end-datetime': new Date((begin + 86_399) * 1000).toISOString() },
      'report-id': `bench-tls-${i}`,
      policies: [{ policy: { 'policy-type': 'sts', 'policy-domain': 'example.org', 'mx-host': ['mx-01.example.org'] }, summary: { 'total-successful-session-count': 100 + (i % 50), 'total-failure-session-count': i % 3 }, 'failure-details': [{ 'result-type': 'certificate-expired', 'receiving-mx-hostname': 'mx-01.example.org', 'failed-session-count': i % 3 }] }],
    });
    type = 'application/tlsrpt+gzip';
    name = `${receiver}!example.org!${begin}!${begin + 86_399}!${i}.json.gz`;
    data = gzipSync(json);
  } else {
    // reportXml numbers its reports by i: each message holds a report of its own.
    const xml = Buffer.from(reportXml(i, 10 + (i % 20), 500, rand));
    name = `${receiver}!example.org!${begin}!${begin + 86_399}!${i}`;
    if (i % 2 === 0) {
      type = 'application/gzip';
      name += '.xml.gz';
      data = gzipSync(xml);
    } else {
      type = 'application/zip';
      data = zipOne(`${name}.xml`, xml);
      name += '.zip';
    }
  }
  return [
    `From: noreply-dmarc@${receiver}`,
    'To: dmarc-reports@example.org',
    `Subject: Report Domain: example.org Submitter: ${receiver} Report-ID: <${i}>`,
    `Message-ID: <bench-${i}@${receiver}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'A report.',
    '--b',
    `Content-Type: ${type}; name="${name}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    base64Lines(data),
    '--b--',
    '',
  ].join('\r\n');
}

export interface FetchBenchRow {
  n: number;
  mailrec: ChildRun;
  baseline: ChildRun;
  archived: number;
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function oneSize(dovecot: DovecotServer, n: number, log: (line: string) => void): Promise<FetchBenchRow> {
  const folder = `Bench${n}`;
  await dovecot.createFolder(folder);
  const rand = seededRandom(n);
  const messages: string[] = [];
  for (let i = 0; i < n; i++) messages.push(reportMessage(i, rand));
  const started = performance.now();
  await dovecot.deliverToMaildir(messages, folder);
  // Dovecot gives the new files their UIDs when the folder is next opened: done here, not in the timed runs.
  const status = await dovecot.status(folder);
  if (status.messages !== n) throw new Error(`bench: ${folder} holds ${status.messages} messages, not ${n}`);
  log(`  ${fmt(n)} messages delivered into ${folder} and indexed by Dovecot in ${fmt((performance.now() - started) / 1000, 1)} s`);
  const env = { IMAP_PW: dovecot.password };
  const connection = ['--imap', `127.0.0.1:${dovecot.imapsPort}`, '--user', dovecot.user, '--password-env', 'IMAP_PW', '--ca-file', dovecot.caPath, '--folder', folder];
  const repo = await mkdtemp(join(tmpdir(), 'mailrec-bench-fetch-'));
  try {
    const baseline = await runMeasured([BASELINE, String(dovecot.imapsPort), dovecot.user, dovecot.caPath, folder], undefined, repo, env);
    if (baseline.code !== 0) throw new Error(`fetch baseline exited ${baseline.code}:\n${baseline.stderr}`);
    const mailrec = await runMeasured([MAILREC, 'reports', 'fetch', ...connection, '--format', 'json'], join(repo, 'fetch.json'), repo, env);
    if (mailrec.code !== 0) throw new Error(`mailrec reports fetch exited ${mailrec.code}:\n${mailrec.stderr}`);
    const summary = JSON.parse(await readFile(join(repo, 'fetch.json'), 'utf8')) as { archive: { reports: number }; sources: { messages: number; skipped: number }[] };
    const archived = summary.archive.reports;
    if (archived !== n || summary.sources[0]?.skipped !== 0) throw new Error(`bench: ${n} messages, ${archived} reports archived, ${summary.sources[0]?.skipped} skipped`);
    return { n, mailrec, baseline, archived };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

export async function runFetchBench(sizes: readonly number[], log: (line: string) => void = (l) => console.log(l)): Promise<FetchBenchRow[]> {
  const dovecot = await startDovecot();
  const rows: FetchBenchRow[] = [];
  try {
    for (const n of sizes) {
      const row = await oneSize(dovecot, n, log);
      rows.push(row);
      const rate = (r: ChildRun) => (n / r.wallMs) * 1000;
      log(
        `  ${fmt(n).padStart(7)} messages: mailrec reports fetch ${fmt(rate(row.mailrec))} messages/s, peak RSS ${fmt(row.mailrec.maxRssMiB)} MiB, CPU ${fmt(row.mailrec.cpuS, 1)} s; baseline (imapflow download only) ${fmt(rate(row.baseline))} messages/s, peak RSS ${fmt(row.baseline.maxRssMiB)} MiB`,
      );
    }
  } finally {
    await dovecot.stop();
  }
  log('\n| messages | mailrec messages/s | mailrec peak RSS MiB | baseline messages/s | baseline peak RSS MiB | speed ratio |');
  log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const a = (r.n / r.mailrec.wallMs) * 1000;
    const b = (r.n / r.baseline.wallMs) * 1000;
    log(`| ${fmt(r.n)} | ${fmt(a)} | ${fmt(r.mailrec.maxRssMiB)} | ${fmt(b)} | ${fmt(r.baseline.maxRssMiB)} | ${fmt(a / b, 2)}× |`);
  }
  return rows;
}
