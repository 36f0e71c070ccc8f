// Benchmark of the DMARC report reader and simulation: 1,000 report files with
// 100,000 rows in all (as .xml.gz, .zip and .xml, the way receivers send them),
// generated into a temporary directory, then read and simulated. Prints rows/s
// and memory; asserts nothing. runDmarcBench() is what `npm run bench` calls.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { readReports } from '../src/dmarc-reports/read-reports.js';
import { readDispositionPolicy } from '../src/dmarc-reports/record.js';
import { simulate } from '../src/dmarc-reports/simulate.js';
import { seededRandom } from '../harness/processes.js';
import { peakRssKiB } from './peak-rss.js';

export interface DmarcBenchOptions {
  files?: number;
  rows?: number;
  /** Distinct source addresses the rows are drawn from (real reports repeat their senders). */
  sources?: number;
  log?: (line: string) => void;
}

export interface DmarcBenchResult {
  files: number;
  rows: number;
  messages: number;
  distinctRows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  /** RSS after 10%, 50% and 100% of the files: flat when memory does not grow with the input. */
  rssMiBAt: { tenth: number; half: number; all: number };
  /** Live heap at the same points (after a full GC under --expose-gc). */
  heapMiBAt: { tenth: number; half: number; all: number };
}


export function reportXml(index: number, rows: number, sources: number, rand: () => number): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    index % 3 === 0 ? '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">' : '<feedback>',
    `<report_metadata><org_name>receiver${index % 7}.test</org_name><email>dmarc@receiver.test</email><report_id>bench-${index}</report_id>`,
    `<date_range><begin>${1777852800 + index * 60}</begin><end>${1777939199 + index * 60}</end></date_range></report_metadata>`,
    '<policy_published><domain>example.org</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp></policy_published>',
  ];
  for (let i = 0; i < rows; i++) {
    const s = Math.floor(rand() * sources);
    const ip = `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`;
    const legit = s % 4 !== 0;
    const from = s % 10 === 0 ? 'news.example.org' : 'example.org';
    const dkim = legit ? `<dkim><domain>example.org</domain><selector>2026a</selector><result>pass</result></dkim>` : `<dkim><domain>esp${s % 5}.test</domain><selector>k1</selector><result>pass</result></dkim>`;
    const spf = `<spf><domain>${legit ? 'example.org' : `bounce.esp${s % 5}.test`}</domain><scope>mfrom</scope><result>${rand() < 0.9 ? 'pass' : 'softfail'}</result></spf>`;
    const reason = s % 17 === 0 ? '<reason><type>forwarded</type></reason>' : '';
    out.push(
      `<record><row><source_ip>${ip}</source_ip><count>${1 + Math.floor(rand() * 20)}</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>${reason}</policy_evaluated></row>`,
      `<identifiers><header_from>${from}</header_from></identifiers><auth_results>${dkim}${spf}</auth_results></record>`,
    );
  }
  out.push('</feedback>');
  return out.join('\n');
}

/** A one-entry zip (APPNOTE 4.3, deflated), as Google sends reports. */
export function zipOne(name: string, data: Buffer): Buffer {
  const compressed = deflateRawSync(data);
  const file = Buffer.from(name);
  const crc = crc32(data) >>> 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(local.length + file.length + compressed.length, 16);
  return Buffer.concat([local, file, compressed, central, file, end]);
}

const MiB = 1024 * 1024;
const rssMiB = () => Math.round(process.memoryUsage().rss / MiB);
/** Live heap: after a full collection when node runs with --expose-gc, else as it stands. */
const heapMiB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / MiB);
};

export async function runDmarcBench(options: DmarcBenchOptions = {}): Promise<DmarcBenchResult> {
  const files = options.files ?? 1000;
  const rows = options.rows ?? 100_000;
  const sources = options.sources ?? 5000;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-dmarc-bench-'));
  try {
    const rand = seededRandom(1777852800);
    const perFile = Math.ceil(rows / files);
    let written = 0;
    for (let i = 0; i < files; i++) {
      const n = Math.min(perFile, rows - written);
      written += n;
      const xml = Buffer.from(reportXml(i, n, sources, rand));
      const base = `receiver${i % 7}.test!example.org!${1777852800 + i * 60}!${i}`;
      if (i % 3 === 0) writeFileSync(join(dir, `${base}.zip`), zipOne(`${base}.xml`, xml));
      else if (i % 3 === 1) writeFileSync(join(dir, `${base}.xml.gz`), gzipSync(xml));
      else writeFileSync(join(dir, `${base}.xml`), xml);
    }
    const at = { tenth: 0, half: 0, all: 0 };
    const heap = { tenth: 0, half: 0, all: 0 };
    let peak = rssMiB();
    const started = process.hrtime.bigint();
    const set = await readReports([dir], {
      onFile: (done, total) => {
        peak = Math.max(peak, rssMiB());
        for (const [mark, at1] of [['tenth', Math.ceil(total / 10)], ['half', Math.ceil(total / 2)], ['all', total]] as const) {
          if (done !== at1) continue;
          at[mark] = rssMiB();
          heap[mark] = heapMiB();
        }
      },
    });
    const parsed = readDispositionPolicy('v=DMARC1; p=reject; sp=quarantine');
    if (!parsed.ok) throw new Error(parsed.reason);
    const sim = simulate({ rows: set.rows, proposed: [{ domain: 'example.org', text: 'v=DMARC1; p=reject; sp=quarantine', record: parsed.record }] });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, rssMiB(), Math.round(peakRssKiB() / 1024));
    const result: DmarcBenchResult = {
      files: set.files,
      rows: written,
      messages: set.messages,
      distinctRows: set.rows.length,
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond: Math.round(written / seconds),
      peakRssMiB: peak,
      rssMiBAt: at,
      heapMiBAt: heap,
    };
    log(
      `dmarc: ${result.files} files, ${result.rows} rows (${result.distinctRows} distinct, ${result.messages} messages) read and simulated in ${result.seconds.toFixed(2)} s: ${result.rowsPerSecond} rows/s`,
    );
    const gc = typeof (globalThis as { gc?: unknown }).gc === 'function' ? ' after GC' : '';
    log(`dmarc: after 10% / 50% / 100% of the files: RSS ${at.tenth} / ${at.half} / ${at.all} MiB, live heap${gc} ${heap.tenth} / ${heap.half} / ${heap.all} MiB; peak RSS ${result.peakRssMiB} MiB (whole process)`);
    log(`dmarc: proposed p=reject would reject ${sim.proposed.rejected} and quarantine ${sim.proposed.quarantined} of ${sim.proposed.messages} messages; errors: ${set.errors.length}`);
    if (set.errors.length > 0 || set.reports !== files) throw new Error(`bench: expected ${files} reports, read ${set.reports} (${set.errors[0]?.message ?? ''})`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDmarcBench();
}
