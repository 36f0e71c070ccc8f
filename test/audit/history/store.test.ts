// The history directory: names by time, atomic compressed writes, oldest-first listing,
// pruning by age and count; reading json, NDJSON, gzip and shards into one shape; hostile
// files (a FIFO, a huge file, garbage or a bomb behind a .gz name) refused in one line.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MailrecError } from '../../../src/base/errors.js';
import { RepoFiles } from '../../../src/base/repo-files.js';
import { listRuns, parseRunFileName, pruneRuns, readRun, readRuns, runFileName, writeRun, openRunWriter } from '../../../src/audit/history/store.js';
import { AUDIT_SCHEMA, type DomainJson } from '../../../src/audit/summary.js';

const domain = (name: string): DomainJson => ({
  domain: name, score: 100, coverage: { points: 100, of: 100 }, worstCase: 100, categories: [], unknownCategories: [],
  findings: [], pathTo100: [], notes: [], drift: 'no-policy', questions: 3, records: [],
});
const summary = { domains: 1, scored: 1, lowestScore: 100, findings: { error: 0, warning: 0, info: 0 }, unknown: [], uncovered: [], failUnder: null, allowUnknown: false, failOn: null, passed: true, failures: [] };
const doc = (...names: string[]): string => JSON.stringify({ schema: AUDIT_SCHEMA, source: { kind: 'dns', description: 'd' }, domains: names.map(domain), summary });

function repo(): { dir: string; files: RepoFiles } {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-history-'));
  return { dir, files: new RepoFiles(dir) };
}

/** The one-line message of what `fn` throws, and how long it took. */
function refusal(fn: () => unknown): { message: string; ms: number } {
  const t0 = performance.now();
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MailrecError);
    return { message: (error as Error).message, ms: performance.now() - t0 };
  }
  throw new Error('not refused');
}

describe('history file names', () => {
  it('carry the UTC time to the second and sort by it', () => {
    const t = new Date('2026-12-07T06:15:00.789Z');
    expect(runFileName(t)).toBe('audit-20261207T061500Z.json.gz');
    expect(runFileName(t, 2)).toBe('audit-20261207T061500Z.2.json.gz');
    expect(parseRunFileName('audit-20261207T061500Z.2.json.gz')).toEqual({ time: new Date('2026-12-07T06:15:00Z'), sequence: 2 });
    expect(parseRunFileName('audit-20261399T061500Z.json.gz')).toBeUndefined();
    expect(parseRunFileName('notes.txt')).toBeUndefined();
  });
});

describe('writeRun, listRuns, readRun, pruneRuns', () => {
  it('stores runs compressed, one file each, lists them oldest first and reads them back', async () => {
    const { files } = repo();
    const t1 = new Date('2026-12-01T03:00:00Z');
    const t2 = new Date('2026-12-02T03:00:00Z');
    writeRun(files, 'history', doc('b.example'), t2);
    writeRun(files, 'history', doc('a.example'), t1);
    // Two runs in one second keep both.
    writeRun(files, 'history', doc('c.example'), t2);
    const streamed = openRunWriter(files, 'history', t2);
    streamed.write(`${JSON.stringify({ schema: AUDIT_SCHEMA, type: 'domain', ...domain('d.example') })}\n`);
    streamed.write(`${JSON.stringify({ schema: AUDIT_SCHEMA, type: 'summary', ...summary })}\n`);
    await streamed.commit();
    const runs = listRuns(files, 'history');
    expect(runs.map((r) => r.name)).toEqual(['audit-20261201T030000Z.json.gz', 'audit-20261202T030000Z.json.gz', 'audit-20261202T030000Z.2.json.gz', 'audit-20261202T030000Z.3.json.gz']);
    expect(runs.map((r) => readRun(files, r.file).domains[0]!.domain)).toEqual(['a.example', 'b.example', 'c.example', 'd.example']);
    // Nothing else is left in the directory (no temp file).
    expect(readdirSync(files.resolve('history')).length).toBe(4);
  });

  it('a missing directory has no runs; other files are ignored', () => {
    const { files, dir } = repo();
    expect(listRuns(files, 'history')).toEqual([]);
    mkdirSync(join(dir, 'history'));
    writeFileSync(join(dir, 'history', 'README'), 'x');
    expect(listRuns(files, 'history')).toEqual([]);
  });

  it('prunes by age and by count, and always keeps the newest run', () => {
    const { files } = repo();
    const day = 86_400_000;
    const now = new Date('2026-12-31T00:00:00Z');
    for (const ago of [200, 100, 91, 89, 10, 1]) writeRun(files, 'h', doc('a.example'), new Date(now.getTime() - ago * day));
    const removed = pruneRuns(files, 'h', { maxAgeSeconds: 90 * 86_400 }, now);
    expect(removed.map((r) => r.time.toISOString().slice(0, 10))).toEqual(['2026-06-14', '2026-09-22', '2026-10-01']);
    expect(listRuns(files, 'h')).toHaveLength(3);
    expect(pruneRuns(files, 'h', { count: 1 }, now)).toHaveLength(2);
    expect(pruneRuns(files, 'h', { maxAgeSeconds: 0 }, new Date(now.getTime() + 1000 * day))).toEqual([]);
    expect(listRuns(files, 'h')).toHaveLength(1);
  });

  it('reads the shards of one run as one document', () => {
    const { files, dir } = repo();
    const shard = (index: number, names: string[]) =>
      JSON.stringify({ schema: AUDIT_SCHEMA, source: { kind: 'dns', description: 'd' }, domains: names.map(domain), summary, shard: { index, count: 2, total: 2, selected: names.length, list: '0123456789abcdef' } });
    writeFileSync(join(dir, '1.json'), shard(1, ['a.example']));
    writeFileSync(join(dir, '2.json.gz'), gzipSync(shard(2, ['b.example'])));
    const part = readRuns(files, [{ file: '1.json' }, { file: '2.json.gz' }]);
    expect(part.domains.map((d) => d.domain)).toEqual(['a.example', 'b.example']);
    expect(part.shard).toBeUndefined();
    expect(() => readRuns(files, [{ file: '1.json' }, { file: '1.json' }])).toThrow(/given twice|listed twice|overlap/);
  });
});

describe('hostile inputs are refused in one line, in bounded time', () => {
  it('a FIFO named like a run', () => {
    const { files, dir } = repo();
    mkdirSync(join(dir, 'h'));
    execFileSync('mkfifo', [join(dir, 'h', 'audit-20261201T030000Z.json.gz')]);
    const [run] = listRuns(files, 'h');
    const r = refusal(() => readRun(files, run!.file));
    expect(r.message).toMatch(/is a FIFO, not a regular file$/);
    expect(r.message).not.toContain('\n');
    expect(r.ms).toBeLessThan(2000);
  });

  it('a huge file (sparse: its size alone refuses it)', () => {
    const { files, dir } = repo();
    writeFileSync(join(dir, 'big.json.gz'), '');
    truncateSync(join(dir, 'big.json.gz'), 300 * 1024 * 1024);
    writeFileSync(join(dir, 'big.json'), '');
    truncateSync(join(dir, 'big.json'), 1100 * 1024 * 1024);
    expect(refusal(() => readRun(files, 'big.json.gz')).message).toMatch(/^big\.json\.gz: 300 MiB, over the 256 MiB limit/);
    expect(refusal(() => readRun(files, 'big.json')).message).toMatch(/^big\.json: 1100 MiB, over the 1024 MiB limit/);
  });

  it('garbage behind a .gz name, a gzip bomb, and gzip of something else', () => {
    const { files, dir } = repo();
    writeFileSync(join(dir, 'garbage.json.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(refusal(() => readRun(files, 'garbage.json.gz')).message).toBe('garbage.json.gz: is not valid gzip data (corrupt or cut short)');
    // Ten gzip members of 64 MiB of zeros each: 640 MiB in about 3 MiB.
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 });
    writeFileSync(join(dir, 'bomb.json.gz'), Buffer.concat(Array.from({ length: 10 }, () => member)));
    const bomb = refusal(() => readRun(files, 'bomb.json.gz'));
    expect(bomb.message).toBe('bomb.json.gz: inflates to more than 512 MiB, over the limit for an audit run');
    writeFileSync(join(dir, 'key.json.gz'), gzipSync('-----BEGIN PRIVATE KEY-----\nMIIE\n'));
    expect(refusal(() => readRun(files, 'key.json.gz')).message).toMatch(/looks like .*nothing of it is shown/);
    writeFileSync(join(dir, 'text.json.gz'), gzipSync('hello'));
    expect(refusal(() => readRun(files, 'text.json.gz')).message).toMatch(/^text\.json\.gz/);
  });
});
