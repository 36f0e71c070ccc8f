// The archive on a real file system: the index line format, storing by content (once, with
// the file before its line), retention, and the file rules (inside the zone repo unless named,
// no link that leads out, no FIFO, one writer at a time).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ReportFileError, ReportFiles } from '../../src/dmarc-reports/archive-files.js';
import { formatIndexLine, parseIndexLine, reportPath, type IndexEntry } from '../../src/dmarc-reports/archive-index.js';
import { pruneArchive, readIndex, ReportArchive, sha256Hex, type ReportToStore } from '../../src/dmarc-reports/archive.js';

function repo(): string {
  return mkdtempSync(join(tmpdir(), 'mailrec-archive-'));
}

function report(text: string, over: Partial<ReportToStore> = {}): ReportToStore {
  return { kind: 'dmarc', bytes: Buffer.from(text), receiver: 'google.com', reportId: 'r1', domain: 'example.org', begin: 1796428800, end: 1796515199, rows: 2, count: 10, source: 'test', ...over };
}

const NOW = new Date('2026-12-07T06:00:00Z');

describe('the index line', () => {
  const sha = sha256Hex(Buffer.from('x'));
  const entry: IndexEntry = { v: 1, kind: 'tlsrpt', sha256: sha, file: reportPath('tlsrpt', sha, 1796428800), receiver: 'google.com', reportId: 'id', domain: 'example.org', begin: 1796428800, end: 1796515199, rows: 1, count: 5, source: 'imap://u@h:993/INBOX', stored: '2026-12-07T06:00:00.000Z' };

  it('reads back what it writes, one line each, the file named by kind, month and hash', () => {
    expect(entry.file).toBe(`tlsrpt/2026/12/${sha}.json.gz`);
    const line = formatIndexLine(entry);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(parseIndexLine(line.slice(0, -1))).toEqual(entry);
  });

  it.each([
    ['half a line', (l: string) => l.slice(0, 40)],
    ['another version', (l: string) => l.replace('"v":1', '"v":2')],
    ['a file outside its address', (l: string) => l.replace(entry.file, '../../../etc/passwd')],
    ['a hash that is not one', (l: string) => l.split(sha).join('zz')],
    ['a count that is text', (l: string) => l.replace('"count":5', '"count":"5"')],
  ])('skips %s', (_name, spoil) => {
    expect(parseIndexLine(spoil(formatIndexLine(entry).trimEnd()))).toBeUndefined();
  });
});

describe('ReportArchive', () => {
  it('stores a report once by its content, gzipped at its address', async () => {
    const root = repo();
    const files = new ReportFiles(root);
    const archive = ReportArchive.open(files, files.resolve('reports'));
    const first = archive.store(report('<feedback>one</feedback>'), NOW);
    expect(first.status).toBe('stored');
    expect(archive.store(report('<feedback>one</feedback>', { source: 'elsewhere' }), NOW).status).toBe('duplicate');
    await archive.close();
    const lines = readFileSync(join(root, 'reports/index.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(gunzipSync(readFileSync(join(root, 'reports', first.entry.file))).toString()).toBe('<feedback>one</feedback>');
    // Opened again, it knows what it holds.
    const again = ReportArchive.open(files, files.resolve('reports'));
    expect(again.has(first.entry.sha256)).toBe(true);
    expect(again.store(report('<feedback>one</feedback>'), NOW).status).toBe('duplicate');
    await again.close();
  });

  it('a file a crash left without its index line gets the line when the report comes again; the same id with other content is kept and said', async () => {
    const root = repo();
    const files = new ReportFiles(root);
    const bytes = Buffer.from('<feedback>two</feedback>');
    const sha = sha256Hex(bytes);
    const address = reportPath('dmarc', sha, 1796428800);
    mkdirSync(join(root, 'reports', address, '..'), { recursive: true });
    writeFileSync(join(root, 'reports', address), 'left by a crash');
    const archive = ReportArchive.open(files, files.resolve('reports'));
    expect(archive.store(report('<feedback>two</feedback>'), NOW).status).toBe('stored');
    // The file is content-addressed: it was not written again.
    expect(readFileSync(join(root, 'reports', address), 'utf8')).toBe('left by a crash');
    // An empty one (what a power loss leaves of a file written but not synced) is written again.
    const empty = report('<feedback>three</feedback>', { reportId: 'r3' });
    const emptyAt = reportPath('dmarc', sha256Hex(empty.bytes), 1796428800);
    writeFileSync(join(root, 'reports', emptyAt), '');
    archive.store(empty, NOW);
    expect(gunzipSync(readFileSync(join(root, 'reports', emptyAt))).toString()).toBe('<feedback>three</feedback>');
    const other = archive.store(report('<feedback>two, resent with other rows</feedback>'), NOW);
    expect(other).toMatchObject({ status: 'stored', sameIdOther: sha });
    await archive.close();
    expect([...readIndex(files, files.resolve('reports'))].map((e) => e.reportId)).toEqual(['r1', 'r3', 'r1']);
  });

  it('retention drops the reports that ended before the cutoff, index first, then their files', async () => {
    const root = repo();
    const files = new ReportFiles(root);
    const dir = files.resolve('reports');
    const archive = ReportArchive.open(files, dir);
    const old = archive.store(report('<old/>', { begin: 1700000000, end: 1700086399 }), NOW);
    const recent = archive.store(report('<recent/>', { reportId: 'r2' }), NOW);
    await archive.close();
    expect(pruneArchive(files, dir, 1796000000)).toBe(1);
    expect([...readIndex(files, dir)].map((e) => e.sha256)).toEqual([recent.entry.sha256]);
    expect(existsSync(join(dir, old.entry.file))).toBe(false);
    expect(existsSync(join(dir, recent.entry.file))).toBe(true);
    expect(pruneArchive(files, dir, 1796000000)).toBe(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('ReportFiles: the zone repo rules', () => {
  it('refuses an archive outside the repo unless it was named on the command line', async () => {
    const root = repo();
    const outside = mkdtempSync(join(tmpdir(), 'mailrec-outside-'));
    const files = new ReportFiles(root);
    expect(() => ReportArchive.open(files, join(outside, 'reports'))).toThrow(ReportFileError);
    expect(() => ReportArchive.open(files, join(outside, 'reports'))).toThrow(/is outside the zone repo; not read or written/);
    const named = files.allow(join(outside, 'reports'));
    await ReportArchive.open(files, named).close();
    expect(existsSync(join(outside, 'reports/index.jsonl'))).toBe(true);
  });

  it('refuses a link in the repo that leads out, for reading and for writing', () => {
    const root = repo();
    const outside = mkdtempSync(join(tmpdir(), 'mailrec-outside-'));
    writeFileSync(join(outside, 'secret'), 'hunter2');
    symlinkSync(join(outside, 'secret'), join(root, 'password'));
    symlinkSync(outside, join(root, 'reports'));
    const files = new ReportFiles(root);
    expect(() => files.read('password', 1024)).toThrow(`password is outside the zone repo (a symbolic link leads to ${join(outside, 'secret')}); not read or written`);
    expect(() => ReportArchive.open(files, files.resolve('reports'))).toThrow(/outside the zone repo/);
    expect(existsSync(join(outside, 'index.jsonl'))).toBe(false);
  });

  it('refuses a FIFO as the index without waiting for a writer, and a file over its cap', () => {
    const root = repo();
    mkdirSync(join(root, 'reports'));
    execFileSync('mkfifo', [join(root, 'reports/index.jsonl')]);
    const files = new ReportFiles(root);
    expect(() => ReportArchive.open(files, files.resolve('reports'))).toThrow(/index\.jsonl is a FIFO, not a regular file/);
    writeFileSync(join(root, 'big'), Buffer.alloc(2048));
    expect(() => files.read('big', 1024)).toThrow('big is 2 KiB, over the 1 KiB limit');
  });

  it('one writer at a time: a live lock is refused, a dead one taken over', () => {
    const root = repo();
    const files = new ReportFiles(root);
    const release = files.lock('reports/.lock', { pid: 1111, alive: () => true });
    expect(() => files.lock('reports/.lock', { pid: 2222, alive: (pid) => pid === 1111 })).toThrow('another mailrec reports fetch (process 1111) is writing the archive');
    const takeOver = files.lock('reports/.lock', { pid: 2222, alive: () => false });
    expect(readFileSync(join(root, 'reports/.lock'), 'utf8')).toBe('2222\n');
    takeOver();
    release();
    expect(existsSync(join(root, 'reports/.lock'))).toBe(false);
  });
});
