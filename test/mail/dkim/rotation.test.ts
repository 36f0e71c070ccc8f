// The rotation state machine, step by step: which step is next, when a waiting one becomes
// possible, what --force takes and says, and the policy changes each step makes.

import { describe, expect, it } from 'vitest';
import {
  changesFor,
  decideRotation,
  formatInstant,
  parseInstant,
  RotationConflict,
  type DecideInput,
  type RotationKey,
  type Serving,
} from '../../../src/mail/dkim/rotation.js';
import { selectorMonth } from '../../../src/mail/dkim/selector-scheme.js';

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-10T12:00:00Z');
const settings = { rotateAfter: 150 * 86_400, margin: 3600, grace: 7 * 86_400, removeAfter: 30 * 86_400 };
const served = (holdSeconds = 300): Serving => ({ everywhere: true, servers: 2, holdSeconds, lagging: [] });
const lagging: Serving = { everywhere: false, servers: 2, holdSeconds: 300, lagging: ['127.0.0.1:5302: no record'] };

function decide(keys: RotationKey[], extra: Partial<DecideInput> = {}) {
  return decideRotation({ keys, settings, now: NOW, ttl: 3600, selectorMonth, ...extra });
}

const active = (selector: string, created: number): RotationKey => ({ selector, state: 'active', created });
const next = (selector: string, publishedSince?: number): RotationKey => ({ selector, state: 'published', ...(publishedSince !== undefined ? { publishedSince } : {}) });

describe('decideRotation', () => {
  it('publishes a first key when the domain has none active', () => {
    expect(decide([]).step).toEqual({ kind: 'publish', reason: 'the domain has no active key' });
  });

  it('publishes the next key once the active one is rotate_after old, and says when before that', () => {
    const young = decide([active('202602a', NOW - 100 * DAY)]);
    expect(young.step).toBeUndefined();
    expect(young.waiting).toEqual([{ what: 'publish the next key', at: NOW + 50 * DAY, why: '202602a reaches 150 days (rotate_after) then' }]);
    expect(decide([active('202602a', NOW - 150 * DAY)]).step?.kind).toBe('publish');
  });

  it('reads the age of a key without created: from active_since, then from its scheme selector, else takes it as due', () => {
    expect(decide([{ selector: 'k1', state: 'active', activeSince: NOW - 10 * DAY }]).step).toBeUndefined();
    expect(decide([{ selector: '202601a', state: 'active' }]).step?.kind).toBe('publish');
    expect(decide([{ selector: '202605a', state: 'active' }]).step).toBeUndefined();
    expect(decide([{ selector: '2026a', state: 'active' }]).step).toEqual({ kind: 'publish', reason: 'the age of 2026a is unknown' });
  });

  it('does not record published_since while one authoritative server lags, and says which', () => {
    const d = decide([active('a', NOW - 200 * DAY), next('b')], { serving: lagging });
    expect(d.step).toBeUndefined();
    expect(d.waiting[0]!.what).toBe('activate b');
    expect(d.waiting[0]!.why).toContain('not served by 1 of 2 authoritative servers (127.0.0.1:5302: no record)');
  });

  it('records published_since once every server serves it, then activates TTL (or the longer negative TTL) + margin later', () => {
    const keys = [active('a', NOW - 200 * DAY), next('b')];
    const seen = decide(keys, { serving: served() });
    expect(seen.step).toEqual({ kind: 'record-published', selector: 'b' });
    expect(changesFor(seen.step!, keys, NOW)).toEqual([{ selector: 'b', set: { publishedSince: NOW }, unset: [] }]);
    // TTL 3600 > hold 300: waits 3600 + 3600 margin.
    const since = [active('a', NOW - 200 * DAY), next('b', NOW - 2 * 3600_000 + MIN)];
    const early = decide(since, { serving: served() });
    expect(early.step).toBeUndefined();
    expect(early.waiting[0]).toMatchObject({ what: 'activate b', at: NOW + MIN });
    expect(decide(since, { serving: served(), now: NOW + MIN }).step).toEqual({ kind: 'activate', selector: 'b', previous: 'a' });
    // A negative TTL of 4 h (SOA) outlasts the record's TTL: the wait follows it (RFC 2308 §5).
    expect(decide(since, { serving: served(4 * 3600), now: NOW + MIN }).step).toBeUndefined();
  });

  it('restarts the wait when a server stopped serving the key after published_since was recorded', () => {
    const d = decide([active('a', NOW - 200 * DAY), next('b', NOW - DAY)], { serving: lagging });
    expect(d.step).toEqual({ kind: 'reset-published', selector: 'b', lagging: ['127.0.0.1:5302: no record'] });
    expect(changesFor(d.step!, [], NOW)).toEqual([{ selector: 'b', set: {}, unset: ['publishedSince'] }]);
  });

  it('--force activates early and says what that risks', () => {
    const d = decide([active('a', NOW - 200 * DAY), next('b')], { serving: lagging, force: true });
    expect(d.step).toEqual({ kind: 'activate', selector: 'b', previous: 'a' });
    expect(d.forcedRisk).toMatch(/^forced: b is activated while some authoritative servers do not serve it: receivers .* fail DKIM/);
    const fresh = decide([active('a', NOW - 200 * DAY), next('b')], { serving: served(), force: true });
    expect(fresh.step?.kind).toBe('activate');
    expect(fresh.forcedRisk).toContain('before 1 h (the longest a resolver may cache an older answer) + 1 h margin have passed');
    // A step that is already possible needs no force, and carries no risk.
    expect(decide([], { force: true }).forcedRisk).toBeUndefined();
  });

  it('activation makes the next key active and the old one the previous key (published, active_until)', () => {
    const keys = [active('a', NOW - 200 * DAY), next('b', NOW - DAY)];
    expect(changesFor({ kind: 'activate', selector: 'b', previous: 'a' }, keys, NOW)).toEqual([
      { selector: 'b', state: 'active', set: { activeSince: NOW }, unset: [] },
      { selector: 'a', state: 'published', set: { activeUntil: NOW }, unset: [] },
    ]);
  });

  it('retires the previous key after the grace period, removes it remove_after later', () => {
    const previous: RotationKey = { selector: 'a', state: 'published', activeSince: NOW - 200 * DAY, activeUntil: NOW - 7 * DAY + MIN };
    const current: RotationKey = { selector: 'b', state: 'active', created: NOW - 10 * DAY, activeSince: NOW - 7 * DAY + MIN };
    const waiting = decide([previous, current]);
    expect(waiting.step).toBeUndefined();
    expect(waiting.waiting[0]).toEqual({ what: 'retire a (publish p= empty)', at: NOW + MIN, why: '7 days after the switch, for mail still in queues or forwarded' });
    const retire = decide([previous, current], { now: NOW + MIN });
    expect(retire.step).toEqual({ kind: 'retire', selector: 'a' });
    expect(changesFor(retire.step!, [], NOW)).toEqual([{ selector: 'a', state: 'retired', set: { retiredSince: NOW }, unset: [] }]);
    const retired: RotationKey = { selector: 'a', state: 'retired', retiredSince: NOW - 30 * DAY };
    const remove = decide([retired, current]);
    expect(remove.step).toEqual({ kind: 'remove', selector: 'a' });
    expect(changesFor(remove.step!, [], NOW)).toEqual([{ selector: 'a', state: 'removed', set: {}, unset: [], dropKey: true }]);
  });

  it('does not retire a key a signer config still signs with (apply has not switched the signers yet)', () => {
    const previous: RotationKey = { selector: 'a', state: 'published', activeUntil: NOW - 30 * DAY };
    const current: RotationKey = { selector: 'b', state: 'active', created: NOW - 30 * DAY };
    const d = decide([previous, current], { signing: new Set(['a']) });
    expect(d.step).toBeUndefined();
    expect(d.waiting[0]).toEqual({ what: 'retire a (publish p= empty)', why: 'a signer config still signs with a: run mailrec apply and reload the signer first' });
    expect(decide([previous, current], { signing: new Set(['b']) }).step).toEqual({ kind: 'retire', selector: 'a' });
    expect(decide([previous, current], { signing: new Set(['a']), force: true }).forcedRisk).toBe('forced: a is revoked while a signer config still signs with it: all mail it signs fails DKIM');
  });

  it('records when a hand-retired key was retired before counting down to its removal', () => {
    expect(decide([{ selector: 'old', state: 'retired' }, active('b', NOW)]).step).toEqual({ kind: 'record-retired', selector: 'old' });
  });

  it('leaves removed keys alone', () => {
    expect(decide([{ selector: 'old', state: 'removed' }, active('b', NOW)]).step).toBeUndefined();
  });

  it('refuses two active keys and two next keys', () => {
    expect(() => decide([active('a', NOW), active('b', NOW)])).toThrow(RotationConflict);
    expect(() => decide([active('a', NOW), next('b'), next('c')])).toThrow(/2 keys wait to be activated \(b, c\)/);
  });

  it('offline (plan), a recorded published_since gives the time activation becomes possible', () => {
    const d = decide([active('a', NOW - 200 * DAY), next('b', NOW - 3600_000)]);
    expect(d.waiting[0]).toMatchObject({ what: 'activate b', at: NOW + 3600_000 });
    expect(d.waiting[0]!.why).toContain('mailrec dkim rotate asks them first');
  });
});

describe('instants', () => {
  it('round-trip in whole UTC seconds and refuse what is not a date', () => {
    expect(formatInstant(Date.parse('2026-05-03T12:00:00.900Z'))).toBe('2026-05-03T12:00:00Z');
    expect(parseInstant('2026-05-03T12:00:00Z')).toBe(Date.parse('2026-05-03T12:00:00Z'));
    expect(parseInstant('2026-05-03')).toBe(Date.parse('2026-05-03T00:00:00Z'));
    for (const bad of ['2026-02-30', '2026-05-03T24:00:00Z', '2026-05-03 12:00', 'yesterday', '2026-05-03T12:00:00+02:00']) expect(parseInstant(bad), bad).toBeUndefined();
  });
});
