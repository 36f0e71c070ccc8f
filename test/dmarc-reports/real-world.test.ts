// Aggregate reports in the shapes real receivers and gateways send (issue 11), each
// fixture written here with the count it must give: no org_name, gzip with stray bytes
// after it, compression nested in compression, the same report twice (or the same id with
// other content) in either argument order, invalid UTF-8, an unclosed wrapper element,
// absurd date ranges, receiver verdicts that disagree with the recomputation, --domain,
// and only the sources that lose mail listed. A property test closes: the total over N
// distinct files is the sum of each file read alone.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../harness/processes.js';
import { analyzeReports } from '../../src/dmarc-reports/analyze.js';
import { readReports, type ReportSet } from '../../src/dmarc-reports/read-reports.js';
import { loadPolicy } from '../../src/policy/load.js';
import { renderDmarcText } from '../../src/report/dmarc-text.js';
import { reportXml, type ReportSpec, type RowSpec } from './build-report.js';
import { gzip, mail, zip } from './containers.js';
import { FIXTURES } from './estate.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mailrec-real-'));
}

function write(dir: string, name: string, data: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, data);
  return file;
}

const row = (ip: string, count: number, extra: Partial<RowSpec> = {}): RowSpec => ({
  ip,
  count,
  headerFrom: 'example.org',
  dkim: [{ domain: 'example.org', selector: 's1', result: 'pass' }],
  spf: [{ domain: 'example.org', result: 'pass' }],
  ...extra,
});

const spec = (id: string, rows: RowSpec[], over: Partial<ReportSpec> = {}): ReportSpec => ({ org: 'receiver.test', id, domain: 'example.org', p: 'none', rows, ...over });

/** The rows of a set, order-free, for comparing two reads. */
const rowsOf = (set: ReportSet): string[] => set.rows.map((r) => `${r.receiver}|${r.sourceIp}|${r.headerFrom}|${r.count}`).sort();

describe('<org_name> empty or missing: counted, the receiver named another way, said once', () => {
  it('names it by <email>, <extra_contact_info> or the file name', async () => {
    const dir = tempDir();
    const empty = reportXml(spec('e1', [row('192.0.2.1', 2286)])).replace('<org_name>receiver.test</org_name>', '<org_name></org_name>').replace('noreply@receiver.test', 'dmarc-noreply@big-gateway.test');
    const empty2 = reportXml(spec('e2', [row('192.0.2.2', 14)])).replace('<org_name>receiver.test</org_name>', '<org_name>  </org_name>').replace('noreply@receiver.test', 'dmarc-noreply@big-gateway.test');
    const contact = reportXml(spec('c1', [row('192.0.2.3', 5)]))
      .replace('    <org_name>receiver.test</org_name>\n', '')
      .replace('    <email>noreply@receiver.test</email>\n', '    <extra_contact_info>https://help.mail.example.net/dmarc</extra_contact_info>\n');
    const bare = reportXml(spec('f1', [row('192.0.2.4', 7)])).replace('    <org_name>receiver.test</org_name>\n', '').replace('    <email>noreply@receiver.test</email>\n', '');
    write(dir, 'a.xml', empty);
    write(dir, 'b.xml', empty2);
    write(dir, 'c.xml', contact);
    write(dir, 'filename.example!example.org!1777852800!1777939199.xml', bare);
    const set = await readReports([dir], { base: dir });
    expect(set.errors).toEqual([]);
    expect(set.reports).toBe(4);
    expect(set.messages).toBe(2286 + 14 + 5 + 7);
    expect(set.receivers.map((r) => [r.orgName, r.reports, r.messages])).toEqual([
      ['big-gateway.test', 2, 2300],
      ['filename.example', 1, 7],
      ['help.mail.example.net', 1, 5],
    ]);
    // One warning per receiver named without <org_name>, however many of its reports.
    expect(set.warnings).toEqual([
      { file: 'a.xml', message: 'no <org_name>: the receiver is named big-gateway.test from the report\'s <email> (and 1 more report from it)' },
      { file: 'c.xml', message: 'no <org_name>: the receiver is named help.mail.example.net from the report\'s <extra_contact_info>' },
      { file: 'filename.example!example.org!1777852800!1777939199.xml', message: 'no <org_name>: the receiver is named filename.example from the report\'s file name' },
    ]);
  });
});

describe('gzip with bytes after the member', () => {
  const xml = reportXml(spec('g1', [row('192.0.2.1', 40)]));

  it('a CRLF after the member (one large gateway sends it): read, no warning', async () => {
    const dir = tempDir();
    write(dir, 'crlf.xml.gz', Buffer.concat([gzip(xml), Buffer.from('\r\n')]));
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages, set.errors, set.warnings]).toEqual([1, 40, [], []]);
  });

  it('non-whitespace after it: read, with a warning', async () => {
    const dir = tempDir();
    write(dir, 'junk.xml.gz', Buffer.concat([gzip(xml), Buffer.from('--boundary--\r\n')]));
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages, set.errors]).toEqual([1, 40, []]);
    expect(set.warnings).toEqual([{ file: 'junk.xml.gz', message: '14 bytes of data after the gzip data ignored' }]);
  });

  it('several members in a row are one stream (RFC 1952 §2.2); a bad CRC is refused', async () => {
    const dir = tempDir();
    const half = Math.floor(xml.length / 2);
    write(dir, 'two.xml.gz', Buffer.concat([gzip(xml.slice(0, half)), gzip(xml.slice(half))]));
    const bad = gzip(reportXml(spec('g2', [row('192.0.2.2', 1)])));
    bad.writeUInt32LE(bad.readUInt32LE(bad.length - 8) ^ 1, bad.length - 8);
    write(dir, 'crc.xml.gz', bad);
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages]).toEqual([1, 40]);
    expect(set.errors).toEqual([{ file: 'crc.xml.gz', message: 'corrupt gzip data (the CRC-32 or the size does not match the data)' }]);
  });
});

describe('compression nested in compression, within the same bomb limits', () => {
  const xml = (id: string, count: number) => reportXml(spec(id, [row('192.0.2.9', count)]));

  it('gzip in gzip, zip in gzip, gzip in zip, and all of them in a mail', async () => {
    const dir = tempDir();
    write(dir, 'gg.xml.gz.gz', gzip(gzip(xml('n1', 1))));
    write(dir, 'zg.zip.gz', gzip(zip([{ name: 'n2.xml', data: xml('n2', 2) }])));
    write(dir, 'gz-in.zip', zip([{ name: 'n3.xml.gz', data: gzip(xml('n3', 4)) }]));
    write(dir, 'nested.eml', mail('nested', [{ filename: 'n4.zip.gz', contentType: 'application/gzip', data: gzip(zip([{ name: 'n4.xml.gz', data: gzip(xml('n4', 8)) }])) }]));
    const set = await readReports([dir], { base: dir });
    expect(set.errors).toEqual([]);
    expect([set.reports, set.messages]).toEqual([4, 15]);
  });

  it('a bomb inside a wrapper is refused', async () => {
    const dir = tempDir();
    const spaces = Buffer.alloc(80 << 20, 0x20);
    write(dir, 'good.xml', xml('ok', 3));
    write(dir, 'bomb.gz.gz', gzip(gzip(spaces)));
    write(dir, 'bomb.zip.gz', gzip(zip([{ name: 'bomb.xml', data: spaces, declaredSize: 1000 }])));
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages]).toEqual([1, 3]);
    const byFile = Object.fromEntries(set.errors.map((e) => [e.file, e.message]));
    expect(byFile['bomb.gz.gz']).toMatch(/decompress.*refused/);
    expect(byFile['bomb.zip.gz: bomb.xml']).toMatch(/refused/);
  });

  it('the cap holds for the total expanded size of all layers and entries, not for each', async () => {
    const dir = tempDir();
    // Three reports of ~100 KiB, each gzipped, in one zip: under a 256 KiB cap each, over it together.
    const padded = (id: string) => xml(id, 1).replace('</feedback>', `<!-- ${'x'.repeat(100 << 10)} --></feedback>`);
    write(dir, 'many.zip', zip(['t1', 't2', 't3'].map((id) => ({ name: `${id}.xml.gz`, data: gzip(padded(id)) }))));
    const limits = { maxXmlBytes: 256 << 10, maxRatio: 1_000_000 };
    const set = await readReports([dir], { base: dir, limits });
    expect([set.reports, set.messages]).toEqual([2, 2]);
    expect(set.errors).toEqual([{ file: 'many.zip: t3.xml.gz', message: 'the compressed data decompresses to more than 256 KiB; refused (decompression bomb?)' }]);
    // Each alone is read.
    write(dir, 'many.zip', zip([{ name: 't3.xml.gz', data: gzip(padded('t3')) }]));
    expect((await readReports([dir], { base: dir, limits })).reports).toBe(1);
  });

  it('refuses nesting deeper than a receiver ever sends', async () => {
    const dir = tempDir();
    write(dir, 'deep.gz', gzip(gzip(gzip(gzip(gzip(xml('d', 1)))))));
    const set = await readReports([dir], { base: dir });
    expect(set.errors).toEqual([{ file: 'deep.gz', message: 'compressed more than 4 times over; refused' }]);
  });
});

describe('duplicates: the same report counts once, the same id with other content twice', () => {
  const a = reportXml(spec('dup-1', [row('192.0.2.1', 10), row('192.0.2.2', 5)]));
  // The same report: its records in another order, in another container.
  const sameAgain = gzip(reportXml(spec('dup-1', [row('192.0.2.2', 5), row('192.0.2.1', 10)])));
  // The same receiver and id, other rows (a receiver that reuses ids).
  const other = reportXml(spec('dup-1', [row('192.0.2.3', 7)]));

  it('counts a copy once and names it, whatever the container and the record order', async () => {
    const dir = tempDir();
    const files = [write(dir, 'a.xml', a), write(dir, 'a-again.xml.gz', sameAgain)];
    const set = await readReports(files, { base: dir });
    expect([set.reports, set.messages, set.warnings]).toEqual([1, 15, []]);
    expect(set.duplicates).toEqual([{ file: 'a-again.xml.gz', orgName: 'receiver.test', reportId: 'dup-1', first: 'a.xml' }]);
  });

  it('counts both when the content differs, warns naming both files, and the order of the arguments changes nothing', async () => {
    const dir = tempDir();
    const one = write(dir, 'one.xml', a);
    const two = write(dir, 'two.xml', other);
    const forward = await readReports([one, two], { base: dir });
    const backward = await readReports([two, one], { base: dir });
    for (const set of [forward, backward]) {
      expect([set.reports, set.messages, set.duplicates]).toEqual([2, 22, []]);
      expect(set.warnings).toHaveLength(1);
    }
    expect(forward.warnings[0]).toEqual({ file: 'two.xml', message: 'report dup-1 from receiver.test is also in one.xml with other content: both are counted' });
    expect(backward.warnings[0]).toEqual({ file: 'one.xml', message: 'report dup-1 from receiver.test is also in two.xml with other content: both are counted' });
    expect(rowsOf(forward)).toEqual(rowsOf(backward));
    // With a true copy as well, in every order: 22 messages.
    const copy = write(dir, 'copy.xml.gz', sameAgain);
    for (const order of [[one, two, copy], [copy, two, one], [two, copy, one]]) {
      const set = await readReports(order, { base: dir });
      expect([set.reports, set.messages, set.duplicates.length]).toEqual([2, 22, 1]);
      expect(rowsOf(set)).toEqual(rowsOf(forward));
    }
  });
});

describe('invalid UTF-8 in a report declared UTF-8', () => {
  it('decodes with replacement, counts every row, warns with the file and line', async () => {
    const dir = tempDir();
    const text = reportXml(spec('u1', [row('192.0.2.1', 12, { reasons: ['local_policy'] }), row('192.0.2.2', 30)]));
    // A Windows-1252 "é" (0xE9) in a comment field.
    const [before, after] = text.split('<comment>test</comment>') as [string, string];
    const bytes = Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from('<comment>r\xe9sum\xe9</comment>', 'latin1'), Buffer.from(after, 'utf8')]);
    const line = before.split('\n').length;
    write(dir, 'cp1252.xml', bytes);
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages, set.errors]).toEqual([1, 42, []]);
    expect(set.warnings).toEqual([{ file: 'cp1252.xml', message: `line ${line}: invalid UTF-8 (2 byte sequences read as U+FFFD); every record was counted` }]);
  });
});

describe('a report inside an outer element', () => {
  const inner = reportXml(spec('w1', [row('192.0.2.1', 9)])).replace('<?xml version="1.0" encoding="UTF-8"?>\n', '');

  it('an unclosed <xs:schema> around <feedback>: the report is recovered and counted, with a warning', async () => {
    const dir = tempDir();
    write(dir, 'wrapped.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n${inner}`);
    write(dir, 'closed.xml', `<?xml version="1.0"?>\n<reports>${inner.replace("'w1'", "'w2'").replace('<report_id>w1', '<report_id>w2')}</reports>\n`);
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages, set.errors]).toEqual([2, 18, []]);
    expect(set.warnings).toEqual([
      { file: 'closed.xml', message: 'the report is wrapped in <reports>: the <feedback> element inside was read' },
      { file: 'wrapped.xml', message: 'the report is wrapped in <xs:schema>, which is not closed: the <feedback> element inside was read' },
    ]);
  });

  it('a <feedback> that is not closed is still a truncated report, refused', async () => {
    const dir = tempDir();
    write(dir, 'cut.xml', `<xs:schema>${inner.slice(0, inner.length - 20)}`);
    const set = await readReports([dir], { base: dir });
    expect(set.reports).toBe(0);
    expect(set.errors[0]!.message).toMatch(/not closed|malformed XML/);
  });
});

describe('absurd date ranges: warned, the rows kept, the period not stretched', () => {
  it('before 2000, ending before it begins, longer than 31 days', async () => {
    const dir = tempDir();
    write(dir, 'ok.xml', reportXml(spec('d0', [row('192.0.2.1', 1)])));
    write(dir, 'epoch.xml', reportXml(spec('d1', [row('192.0.2.2', 2)], { begin: 0, end: 86399 })));
    write(dir, 'backwards.xml', reportXml(spec('d2', [row('192.0.2.3', 4)], { begin: 1777939199, end: 1777852800 })));
    write(dir, 'long.xml', reportXml(spec('d3', [row('192.0.2.4', 8)], { begin: 1770000000, end: 1770000000 + 45 * 86400 })));
    const set = await readReports([dir], { base: dir });
    expect([set.reports, set.messages]).toEqual([4, 15]);
    expect(set.warnings).toEqual([
      { file: 'backwards.xml', message: 'report d2 from receiver.test: the date range ends 2026-05-04, before it begins (2026-05-04); its rows are counted, its dates are left out of the period' },
      { file: 'epoch.xml', message: 'report d1 from receiver.test: the date range begins 1970-01-01, before 2000; its rows are counted, its dates are left out of the period' },
      { file: 'long.xml', message: 'report d3 from receiver.test: the date range 2026-02-02 to 2026-03-19 spans 45 days, more than 31; its rows are counted, its dates are left out of the period' },
    ]);
    expect([set.begin, set.end]).toEqual([1777852800, 1777939199]);
  });
});

describe("receivers' verdicts vs the recomputation", () => {
  /** A report whose <policy_evaluated> says what the receiver decided, whatever auth_results hold. */
  function verdictReport(org: string, id: string, rows: { ip: string; count: number; evalDkim: string; evalSpf: string; dkim: string; spf: string }[]): string {
    let text = reportXml({ org, id, domain: 'example.org', p: 'reject', rows: rows.map((r) => row(r.ip, r.count, { disposition: 'none', dkim: [{ domain: 'example.org', selector: 's1', result: r.dkim }], spf: [{ domain: 'example.org', result: r.spf }] })) });
    for (const r of rows) {
      const at = text.indexOf(`<source_ip>${r.ip}</source_ip>`);
      const head = text.slice(0, at);
      const tail = text.slice(at).replace(/<dkim>(pass|fail)<\/dkim>\n {8}<spf>(pass|fail)<\/spf>/, `<dkim>${r.evalDkim}</dkim>\n        <spf>${r.evalSpf}</spf>`);
      text = head + tail;
    }
    return text;
  }

  it('counts both directions per receiver; --trust-receiver uses the receivers\' verdicts', async () => {
    const dir = tempDir();
    // Receiver A says fail where auth_results show an aligned DKIM pass (mailrec: pass).
    write(dir, 'a.xml', verdictReport('a.receiver', 'v1', [
      { ip: '192.0.2.1', count: 100, evalDkim: 'fail', evalSpf: 'fail', dkim: 'pass', spf: 'fail' },
      { ip: '192.0.2.2', count: 50, evalDkim: 'pass', evalSpf: 'pass', dkim: 'pass', spf: 'pass' },
    ]));
    // Receiver B says pass where auth_results show nothing passing (mailrec: fail).
    write(dir, 'b.xml', verdictReport('b.receiver', 'v2', [{ ip: '192.0.2.3', count: 20, evalDkim: 'fail', evalSpf: 'pass', dkim: 'fail', spf: 'softfail' }]));
    const record = 'v=DMARC1; p=reject';
    const computed = await analyzeReports({ paths: [dir], base: dir, record });
    expect(computed.simulation.disagreements).toEqual([
      { receiver: 'a.receiver', messages: 150, dmarc: { receiverFail: 100, receiverPass: 0 }, dkim: { receiverFail: 100, receiverPass: 0 }, spf: { receiverFail: 0, receiverPass: 0 } },
      { receiver: 'b.receiver', messages: 20, dmarc: { receiverFail: 0, receiverPass: 20 }, dkim: { receiverFail: 0, receiverPass: 0 }, spf: { receiverFail: 0, receiverPass: 20 } },
    ]);
    expect(computed.simulation.published).toMatchObject({ messages: 170, pass: 150, fail: 20 });
    const text = renderDmarcText(computed);
    expect(text).toContain("Receivers' verdicts vs the recomputation from auth_results (published record):\n  a.receiver (150 messages with its verdict): receiver fail, recomputed pass: 100 messages (DKIM 100)\n  b.receiver (20 messages with its verdict): receiver pass, recomputed fail: 20 messages (SPF 20)\n");

    const trusted = await analyzeReports({ paths: [dir], base: dir, record, trustReceiver: true });
    expect(trusted.simulation.trustReceiver).toBe(true);
    expect(trusted.simulation.published).toMatchObject({ messages: 170, pass: 70, fail: 100 });
    expect(trusted.simulation.proposed).toMatchObject({ rejected: 100 });
    expect(renderDmarcText(trusted)).toContain("(--trust-receiver: the receivers' verdicts were used)");
  });
});

describe('--domain and attribution by header_from', () => {
  async function estate(): Promise<string> {
    const dir = tempDir();
    // A report for example.org holding mail from example.org, a subdomain, and (a receiver's
    // mix-up) a header_from in another domain.
    write(dir, 'r.xml', reportXml(spec('m1', [row('192.0.2.1', 10), row('192.0.2.2', 5, { headerFrom: 'news.example.org' }), row('192.0.2.3', 2, { headerFrom: 'example.net', dkim: [], spf: [] })])));
    write(dir, 'n.xml', reportXml(spec('m2', [row('192.0.2.4', 3, { headerFrom: 'example.net', dkim: [], spf: [] })], { domain: 'example.net' })));
    return dir;
  }

  it('the header counts what the tables count', async () => {
    const dir = await estate();
    const a = await analyzeReports({ paths: [dir], base: dir, record: 'v=DMARC1; p=reject', domain: 'example.org' });
    expect(a.input.messages).toBe(20);
    expect(a.input.domain).toEqual({ name: 'example.org', messages: 15 });
    expect(a.simulation.published.messages).toBe(15);
    expect(renderDmarcText(a).split('\n')[0]).toBe('DMARC simulation: 2 reports from 1 receiver, 2026-05-04, 15 messages from example.org and below (of 20 in the reports) (2 files read)');
  });

  it('a row is attributed by its header_from, with and without --domain', async () => {
    const dir = await estate();
    const all = await analyzeReports({ paths: [dir], base: dir, record: 'v=DMARC1; p=reject' });
    const byDomain = Object.fromEntries(all.simulation.domains.map((d) => [d.domain, d.proposedCounts.messages]));
    // The example.net row of the example.org report goes with example.net's mail.
    expect(byDomain).toEqual({ 'example.net': 5, 'example.org': 15 });
    const net = await analyzeReports({ paths: [dir], base: dir, record: 'v=DMARC1; p=reject', domain: 'example.net' });
    expect(net.simulation.domains.map((d) => [d.domain, d.proposedCounts.messages])).toEqual([['example.net', 5]]);
    expect(net.input.domain).toEqual({ name: 'example.net', messages: 5 });
    // From the policy (example.org only): example.net's 5 are left out, with and without --domain.
    const policy = await loadPolicy([join(FIXTURES, 'repo', 'policies')], { root: join(FIXTURES, 'repo') });
    const fromPolicy = await analyzeReports({ paths: [dir], base: dir, policy });
    expect(fromPolicy.simulation.uncovered).toEqual({ messages: 5, domains: [{ domain: 'example.net', messages: 5 }] });
    const org = await analyzeReports({ paths: [dir], base: dir, policy, domain: 'example.org' });
    expect(org.simulation.published.messages).toBe(fromPolicy.simulation.published.messages);
  });

  it('lists only the sources that lose mail', async () => {
    const dir = await estate();
    const a = await analyzeReports({ paths: [dir], base: dir, record: 'v=DMARC1; p=reject' });
    expect(a.sources.map((s) => [s.ip, s.lost])).toEqual([['192.0.2.4', 3], ['192.0.2.3', 2]]);
    expect([a.sourceCount, a.allSources]).toEqual([2, 4]);
    const passing = await analyzeReports({ paths: [join(dir, 'r.xml')], base: dir, record: 'v=DMARC1; p=reject', domain: 'example.org' });
    expect(passing.sources).toEqual([]);
    expect(renderDmarcText(passing)).toContain('Sources that would lose mail under the proposed record:\n  (none)\n');
  });
});

describe('property: the total over N distinct files is the sum of each file alone', () => {
  it('holds for 40 random reports in random containers and orders (seed 20260511)', async () => {
    const rand = seededRandom(20260511);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    const dir = tempDir();
    const files: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Ids collide on purpose (the same receiver reusing an id), contents never do: each has its own row.
      const rows = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, k) => row(`198.51.100.${k + 1}`, 1 + Math.floor(rand() * 500), { headerFrom: pick(['example.org', 'news.example.org']) }));
      rows.push(row(`203.0.113.${i + 1}`, 1 + i));
      const text = reportXml(spec(`id-${Math.floor(rand() * 15)}`, rows, { org: pick(['a.receiver', 'b.receiver', 'c.receiver']) }));
      const shape = pick(['xml', 'gz', 'crlf', 'zip', 'gzzip', 'eml'] as const);
      const data: string | Buffer = {
        xml: () => text,
        gz: () => gzip(text),
        crlf: () => Buffer.concat([gzip(text), Buffer.from('\r\n')]),
        zip: () => zip([{ name: `r${i}.xml`, data: text }]),
        gzzip: () => zip([{ name: `r${i}.xml.gz`, data: gzip(text) }]),
        eml: () => mail(`r${i}`, [{ filename: `r${i}.xml.gz`, contentType: 'application/gzip', data: gzip(text) }]),
      }[shape]();
      files.push(write(dir, `r${i}.${shape}`, data));
    }
    const alone = await Promise.all(files.map((f) => readReports([f], { base: dir })));
    const sum = alone.reduce((n, s) => n + s.messages, 0);
    expect(alone.every((s) => s.reports === 1 && s.errors.length === 0)).toBe(true);
    const shuffled = [...files].sort(() => rand() - 0.5);
    for (const order of [files, shuffled, [...files].reverse()]) {
      const together = await readReports(order, { base: dir });
      expect(together.errors).toEqual([]);
      expect(together.duplicates).toEqual([]);
      expect(together.reports).toBe(40);
      expect(together.messages).toBe(sum);
      expect(together.rows.reduce((n, r) => n + r.count, 0)).toBe(sum);
    }
  });
});
