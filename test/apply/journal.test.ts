// The apply journal as input: the next run trusts it only as far as it can check it (a journal
// is a file in the zone repo, so a merge request could hold one).

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFilesAtomically } from '../../src/apply/atomic-write.js';
import { isTempOf, JOURNAL_FILE, newJournal, recoverInterruptedApply, strayTemps, writeJournal } from '../../src/apply/journal.js';
import { RepoFiles } from '../../src/base/repo-files.js';
import { MailrecError, OutsideRepoError } from '../../src/base/errors.js';
import { digestText } from '../../src/plan/plan.js';

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-journal-'));
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones/a.zone'), 'old\n');
  return dir;
}

function journalWith(entries: object[], phase: 'staging' | 'commit' = 'commit'): string {
  return JSON.stringify({ ...newJournal([]), pid: 2 ** 22 + 7, started: 'gone', phase, entries });
}

describe('recovery checks what the journal says', () => {
  it('renames a staged file whose content and target match the journal', () => {
    const dir = repo();
    writeFileSync(join(dir, 'zones/.a.zone.0123456789ab.mailrec-tmp'), 'new\n');
    writeFileSync(join(dir, JOURNAL_FILE), journalWith([{ target: 'zones/a.zone', temp: 'zones/.a.zone.0123456789ab.mailrec-tmp', before: digestText('old\n'), after: digestText('new\n') }]));
    const recovery = recoverInterruptedApply(new RepoFiles(dir));
    expect(recovery).toMatchObject({ action: 'completed', written: ['zones/a.zone'], conflicts: [] });
    expect(readFileSync(join(dir, 'zones/a.zone'), 'utf8')).toBe('new\n');
    expect(existsSync(join(dir, JOURNAL_FILE))).toBe(false);
  });

  it('a staged file that is not what the journal says is dropped, the target kept', () => {
    const dir = repo();
    writeFileSync(join(dir, 'zones/.a.zone.0123456789ab.mailrec-tmp'), 'something else\n');
    writeFileSync(join(dir, JOURNAL_FILE), journalWith([{ target: 'zones/a.zone', temp: 'zones/.a.zone.0123456789ab.mailrec-tmp', before: digestText('old\n'), after: digestText('new\n') }]));
    expect(recoverInterruptedApply(new RepoFiles(dir))).toMatchObject({ written: [], conflicts: ['zones/a.zone'] });
    expect(readFileSync(join(dir, 'zones/a.zone'), 'utf8')).toBe('old\n');
    expect(existsSync(join(dir, 'zones/.a.zone.0123456789ab.mailrec-tmp'))).toBe(false);
  });

  it('a target outside the repo is refused like any write', () => {
    const dir = repo();
    writeFileSync(join(dir, JOURNAL_FILE), journalWith([{ target: '../victim', temp: '../.victim.0123456789ab.mailrec-tmp', before: 'absent', after: digestText('x') }]));
    expect(() => recoverInterruptedApply(new RepoFiles(dir))).toThrow(OutsideRepoError);
  });

  it('a temp name that is not the target\'s, or a file that is not a journal: refused, nothing done', () => {
    const dir = repo();
    writeFileSync(join(dir, JOURNAL_FILE), journalWith([{ target: 'zones/a.zone', temp: 'policies/mail.yaml', before: 'absent', after: 'x' }]));
    expect(() => recoverInterruptedApply(new RepoFiles(dir))).toThrow(`${JOURNAL_FILE} is not a journal mailrec wrote; nothing was done`);
    writeFileSync(join(dir, JOURNAL_FILE), 'API_KEY=secret\n');
    expect(() => recoverInterruptedApply(new RepoFiles(dir))).toThrow(/looks like an environment file/);
    expect(readFileSync(join(dir, 'zones/a.zone'), 'utf8')).toBe('old\n');
    expect(isTempOf('zones/.a.zone.0123456789ab.mailrec-tmp', 'zones/a.zone')).toBe(true);
    expect(isTempOf('zones/.a.zone.0123456789ab.mailrec-tmp', 'zones/b.zone')).toBe(false);
    expect(isTempOf('other/.a.zone.0123456789ab.mailrec-tmp', 'zones/a.zone')).toBe(false);
  });

  it('stale temps of many targets, each directory listed once: exactly the targets\' own temps', () => {
    const dir = repo();
    mkdirSync(join(dir, 'keys'));
    const names = ['zones/.a.zone.0123456789ab.mailrec-tmp', 'zones/.b.zone.ffffffffffff.mailrec-tmp', 'keys/.k.pub.00000000000a.mailrec-tmp'];
    const others = ['zones/.c.zone.0123456789ab.mailrec-tmp', 'zones/.a.zone.0123456789a.mailrec-tmp', 'zones/.a.zone.x.0123456789ab.mailrec-tmp', 'zones/a.zone.0123456789ab.mailrec-tmp'];
    for (const n of [...names, ...others]) writeFileSync(join(dir, n), 'staged\n');
    const files = new RepoFiles(dir);
    const targets = ['zones/a.zone', 'zones/b.zone', 'keys/k.pub', 'missing/d.zone'].map((t) => join(files.realRoot, t));
    expect(strayTemps(files, targets).sort()).toEqual(names.map((n) => join(files.realRoot, n)).sort());
    // The same answer as asking isTempOf of every file against every target.
    const all = [...names, ...others].map((n) => join(files.realRoot, n));
    expect(all.filter((p) => targets.some((t) => isTempOf(p, t))).sort()).toEqual(strayTemps(files, targets).sort());
  });

  it('a journal of a live apply: every command waits; a second apply cannot start its own', () => {
    const dir = repo();
    const files = new RepoFiles(dir);
    writeJournal(files, newJournal([]));
    expect(() => recoverInterruptedApply(files)).toThrow(/^another mailrec apply \(pid \d+, since .*\) is writing the zone repo; nothing was done$/);
    const error = (() => {
      try {
        writeFilesAtomically(files, [{ file: 'zones/a.zone', content: 'mine\n' }]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MailrecError);
    expect((error as Error).message).toBe('another mailrec apply is writing the zone repo; nothing was written');
    expect(readFileSync(join(dir, 'zones/a.zone'), 'utf8')).toBe('old\n');
  });
});

describe('an interrupted write outside the repo (import --out, export --out)', () => {
  it('is finished when this run allows the place, and left alone otherwise', () => {
    const dir = repo();
    const out = mkdtempSync(join(tmpdir(), 'mailrec-journal-out-'));
    writeFileSync(join(out, '.x.yaml.0123456789ab.mailrec-tmp'), 'new\n');
    const journal = journalWith([{ target: join(out, 'x.yaml'), temp: join(out, '.x.yaml.0123456789ab.mailrec-tmp'), before: 'absent', after: digestText('new\n') }]);
    writeFileSync(join(dir, JOURNAL_FILE), journal);
    expect(recoverInterruptedApply(new RepoFiles(dir))).toMatchObject({ written: [], outside: [join(out, 'x.yaml')] });
    expect(existsSync(join(out, 'x.yaml'))).toBe(false);
    writeFileSync(join(dir, JOURNAL_FILE), journal);
    expect(recoverInterruptedApply(new RepoFiles(dir, { allowOutside: [out] }))).toMatchObject({ written: [join(out, 'x.yaml')], outside: [] });
    expect(readFileSync(join(out, 'x.yaml'), 'utf8')).toBe('new\n');
  });
});
