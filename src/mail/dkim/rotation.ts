// The DKIM key rotation state machine: which one safe step comes next for a domain, and when
// each waiting step becomes possible. Pure: the keys, the settings, the clock (`now`) and what
// the authoritative servers serve are parameters.
//
// A key goes published -> active -> published (previous, `activeUntil` set) -> retired ->
// removed. The next key is activated only once every authoritative server has served it for
// the longest time a resolver may still hold an older answer — the record's TTL, or the
// zone's negative TTL for a resolver that cached the selector's absence (RFC 2308 §5) — plus a
// margin. The previous key stays published for a grace period, for mail in queues and
// forwarded mail (RFC 6376 §3.6.1 revocation would fail it), then publishes an empty p=
// (revoked), then its record is removed. A removed entry stays in the policy so that its
// selector is never used again.

export type RotationState = 'active' | 'published' | 'retired' | 'removed';

export const TIME_FIELDS = ['created', 'publishedSince', 'activeSince', 'activeUntil', 'retiredSince'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

export interface RotationKey {
  selector: string;
  state: RotationState;
  /** Instants in ms since the epoch; undefined when not recorded. */
  created?: number;
  /** First seen served by every authoritative server (rotate records it). */
  publishedSince?: number;
  activeSince?: number;
  /** Set when a newer key took over: the key is the previous one, in its grace period. */
  activeUntil?: number;
  retiredSince?: number;
}

/** Durations in seconds. */
export interface RotationSettings {
  /** Publish the next key once the active key is this old. */
  rotateAfter: number;
  /** Added to the longest cache time before the next key is activated. */
  margin: number;
  /** How long the previous key stays published after the switch. */
  grace: number;
  /** How long a retired key's empty p= stays published before the record goes. */
  removeAfter: number;
}

/** What the zone's authoritative servers serve at the next key's name, asked directly. */
export interface Serving {
  /** Every server answered authoritatively with exactly the policy's record. */
  everywhere: boolean;
  servers: number;
  /**
   * Seconds a resolver may hold an older answer: the largest TTL of the record and of the
   * zone's negative answers (min(SOA TTL, SOA MINIMUM), RFC 2308 §5) the servers gave.
   */
  holdSeconds: number;
  /** One phrase per server that does not serve it, e.g. "127.0.0.1:5302: no record". */
  lagging: string[];
}

export type RotationStep =
  | { kind: 'publish'; reason: string }
  | { kind: 'record-published'; selector: string }
  | { kind: 'reset-published'; selector: string; lagging: string[] }
  | { kind: 'activate'; selector: string; previous?: string }
  | { kind: 'retire'; selector: string }
  | { kind: 'record-retired'; selector: string }
  | { kind: 'remove'; selector: string };

export interface Waiting {
  /** The step in words, e.g. "activate 202605b". */
  what: string;
  /** When it becomes possible (ms), when that is known. */
  at?: number;
  why: string;
}

export interface RotationDecision {
  step?: RotationStep;
  /** One sentence on the step taken. */
  summary?: string;
  /** The steps that wait, in order, with when and why. */
  waiting: Waiting[];
  /** With --force: the step was taken early; what that risks. */
  forcedRisk?: string;
}

/** Changes to one key entry of the policy. `undefined` in `set` never appears: `unset` removes. */
export interface KeyChange {
  selector: string;
  state?: RotationState;
  set: Partial<Record<TimeField, number>>;
  unset: TimeField[];
  /** The entry's `key:` goes (a removed key publishes nothing and needs no file). */
  dropKey?: boolean;
}

/** The rotation cannot proceed without a person deciding (two active keys, two next keys). */
export class RotationConflict extends Error {}

const DAY = 86_400;

export function formatDuration(seconds: number): string {
  if (seconds % DAY === 0 && seconds >= DAY) return `${seconds / DAY} day${seconds === DAY ? '' : 's'}`;
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** "2026-05-03T12:00:00Z": UTC, whole seconds — the form the policy records instants in. */
export function formatInstant(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Reads formatInstant's form (a date alone means its midnight UTC); undefined otherwise. */
export function parseInstant(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})Z)?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over into March: refuse what does not round-trip.
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms;
}

/** When the key's material was made: created, else when it became active, else its scheme selector's month. */
export function keyBirth(key: RotationKey, selectorMonth: (selector: string) => number | undefined): number | undefined {
  return key.created ?? key.activeSince ?? selectorMonth(key.selector);
}

/** The key published ahead of a rotation (never active yet), if any. */
export function nextKeyOf(keys: readonly RotationKey[]): RotationKey | undefined {
  const next = keys.filter((k) => k.state === 'published' && k.activeUntil === undefined);
  if (next.length > 1) {
    throw new RotationConflict(`${next.length} keys wait to be activated (${next.map((k) => k.selector).join(', ')}); retire or remove all but one`);
  }
  return next[0];
}

interface Candidate {
  step: RotationStep;
  what: string;
  /** When it is possible (ms); undefined: not until something outside the clock happens. */
  at: number | undefined;
  why: string;
  /** The risk of taking it before `at` (with --force); undefined: cannot be forced. */
  risk?: string;
  summary: string;
}

export interface DecideInput {
  keys: readonly RotationKey[];
  settings: RotationSettings;
  now: number;
  /** The record TTL the policy gives the key (seconds). */
  ttl: number;
  /** What the servers serve for the next key; undefined offline (plan): described from the policy only. */
  serving?: Serving;
  /** Selectors the signer configs on disk still sign with; undefined when not known (plan). */
  signing?: ReadonlySet<string>;
  force?: boolean;
  selectorMonth: (selector: string) => number | undefined;
}

/**
 * The next step for one domain. With `force`, the first waiting step that can be forced is
 * taken anyway, and `forcedRisk` says what that risks. Throws RotationConflict for a state no
 * rule can resolve (two active keys, two next keys).
 */
export function decideRotation(input: DecideInput): RotationDecision {
  const { keys, settings, now } = input;
  const active = keys.filter((k) => k.state === 'active');
  if (active.length > 1) {
    throw new RotationConflict(`${active.length} keys are active (${active.map((k) => k.selector).join(', ')}); rotate drives one active key per domain`);
  }
  const current = active[0];
  const next = nextKeyOf(keys);
  const candidates: Candidate[] = [];
  if (next) candidates.push(activation(next, current, input));
  const previous = keys.filter((k) => k.state === 'published' && k.activeUntil !== undefined).sort((a, b) => a.activeUntil! - b.activeUntil!);
  for (const key of previous) {
    const at = key.activeUntil! + settings.grace * 1000;
    // Revoking a key a signer still uses would fail all of its new mail: apply must have switched the signers first.
    const stillSigning = input.signing?.has(key.selector.toLowerCase()) === true;
    candidates.push({
      step: { kind: 'retire', selector: key.selector },
      what: `retire ${key.selector} (publish p= empty)`,
      at: stillSigning ? undefined : at,
      why: stillSigning
        ? `a signer config still signs with ${key.selector}: run mailrec apply and reload the signer first`
        : `${formatDuration(settings.grace)} after the switch, for mail still in queues or forwarded`,
      risk: stillSigning
        ? `${key.selector} is revoked while a signer config still signs with it: all mail it signs fails DKIM`
        : `${key.selector} is revoked before its grace period ends (${formatInstant(at)}): mail signed with it that is still in queues or being forwarded fails DKIM`,
      summary: `retire ${key.selector}: its record publishes an empty p= (revoked, RFC 6376 §3.6.1)`,
    });
  }
  for (const key of keys.filter((k) => k.state === 'retired')) {
    if (key.retiredSince === undefined) {
      candidates.push({
        step: { kind: 'record-retired', selector: key.selector },
        what: `record when ${key.selector} was retired`,
        at: now,
        why: 'the policy does not say since when it is retired',
        summary: `record retired_since for ${key.selector}: its record is removed ${formatDuration(settings.removeAfter)} from now`,
      });
      continue;
    }
    const at = key.retiredSince + settings.removeAfter * 1000;
    candidates.push({
      step: { kind: 'remove', selector: key.selector },
      what: `remove the record of ${key.selector}`,
      at,
      why: `${formatDuration(settings.removeAfter)} after retirement`,
      risk: `the revoked record of ${key.selector} goes early (due ${formatInstant(at)}): verifiers then say "no key" instead of "revoked", which changes nothing for DMARC`,
      summary: `remove ${key.selector}: its record is deleted; the entry stays (state removed) so that the selector is never used again`,
    });
  }
  if (!next) candidates.push(publication(current, input));

  const ready = candidates.find((c) => c.at !== undefined && c.at <= now);
  const forced = !ready && input.force ? candidates.find((c) => c.risk !== undefined) : undefined;
  const chosen = ready ?? forced;
  const waiting = candidates.filter((c) => c !== chosen).map((c): Waiting => ({ what: c.what, ...(c.at !== undefined ? { at: c.at } : {}), why: c.why }));
  if (!chosen) return { waiting };
  return { step: chosen.step, summary: chosen.summary, waiting, ...(forced ? { forcedRisk: `forced: ${forced.risk}` } : {}) };
}

function activation(next: RotationKey, current: RotationKey | undefined, input: DecideInput): Candidate {
  const { settings, serving, now } = input;
  const what = `activate ${next.selector}`;
  const activate: RotationStep = current ? { kind: 'activate', selector: next.selector, previous: current.selector } : { kind: 'activate', selector: next.selector };
  const summary = current
    ? `activate ${next.selector}: the signers switch to it; ${current.selector} stays published for ${formatDuration(settings.grace)}, then is retired`
    : `activate ${next.selector}: the signers start signing with it`;
  const hold = Math.max(input.ttl, serving?.holdSeconds ?? 0);
  const wait = hold + settings.margin;
  const waitWords = `${formatDuration(hold)} (the longest a resolver may cache an older answer) + ${formatDuration(settings.margin)} margin`;
  const risk = (why: string): string =>
    `${next.selector} is activated ${why}: receivers whose resolvers do not have its key yet, or cached its absence (RFC 2308), fail DKIM for mail signed with it`;
  if (!serving) {
    // Offline (plan): what the policy says; rotate asks the servers.
    if (next.publishedSince === undefined)
      return { step: activate, what, at: undefined, why: `once every authoritative server serves its record, ${waitWords} later (apply, then mailrec dkim rotate records when)`, summary };
    const at = next.publishedSince + wait * 1000;
    return { step: activate, what, at, why: `served by every authoritative server since ${formatInstant(next.publishedSince)}; possible from ${formatInstant(at)} if they still serve it (mailrec dkim rotate asks them first)`, summary };
  }
  if (!serving.everywhere) {
    const lag = `not served by ${serving.lagging.length} of ${serving.servers} authoritative servers (${serving.lagging.join('; ')})`;
    // --force activates anyway; otherwise a wait already begun starts again.
    if (next.publishedSince !== undefined && !input.force)
      return {
        step: { kind: 'reset-published', selector: next.selector, lagging: serving.lagging },
        what: `restart the wait for ${next.selector}`,
        at: now,
        why: lag,
        summary: `${next.selector} is ${lag}: published_since is cleared and the wait starts again once every server serves it`,
      };
    return { step: activate, what, at: undefined, why: `${lag}; run apply (and let secondaries transfer), then rotate again`, risk: risk('while some authoritative servers do not serve it'), summary };
  }
  if (next.publishedSince === undefined && input.force)
    return { step: activate, what, at: undefined, why: `every server serves it since now; waits ${waitWords}`, risk: risk(`before ${waitWords} have passed`), summary };
  if (next.publishedSince === undefined)
    return {
      step: { kind: 'record-published', selector: next.selector },
      what: `record that every authoritative server serves ${next.selector}`,
      at: now,
      why: `all ${serving.servers} authoritative servers serve it`,
      summary: `${next.selector} is served by all ${serving.servers} authoritative servers: published_since is recorded; it can be activated from ${formatInstant(now + wait * 1000)} (${waitWords})`,
    };
  const at = next.publishedSince + wait * 1000;
  return {
    step: activate,
    what,
    at,
    why: `served by all ${serving.servers} authoritative servers since ${formatInstant(next.publishedSince)}; waits ${waitWords}`,
    risk: risk(`before ${waitWords} have passed since every server served it`),
    summary,
  };
}

function publication(current: RotationKey | undefined, input: DecideInput): Candidate {
  const { settings, now } = input;
  const what = 'publish the next key';
  const summary = 'publish a new key (dkim keygen): its record goes out with the next apply; it is activated once every authoritative server serves it';
  if (!current) return { step: { kind: 'publish', reason: 'the domain has no active key' }, what, at: now, why: 'the domain has no active key', summary };
  const born = keyBirth(current, input.selectorMonth);
  if (born === undefined)
    return { step: { kind: 'publish', reason: `the age of ${current.selector} is unknown` }, what, at: now, why: `the age of ${current.selector} is unknown (no created: in the policy)`, summary };
  const at = born + settings.rotateAfter * 1000;
  return {
    step: { kind: 'publish', reason: `${current.selector} is older than ${formatDuration(settings.rotateAfter)}` },
    what,
    at,
    why: `${current.selector} reaches ${formatDuration(settings.rotateAfter)} (rotate_after) then`,
    risk: `a new key is published before ${current.selector} is due for rotation (${formatInstant(at)}); nothing breaks`,
    summary,
  };
}

/** The policy changes a step makes (publish adds a key; the caller does that with keygen). */
export function changesFor(step: RotationStep, keys: readonly RotationKey[], now: number): KeyChange[] {
  switch (step.kind) {
    case 'publish':
      return [];
    case 'record-published':
      return [{ selector: step.selector, set: { publishedSince: now }, unset: [] }];
    case 'reset-published':
      return [{ selector: step.selector, set: {}, unset: ['publishedSince'] }];
    case 'activate': {
      const out: KeyChange[] = [];
      const next = keys.find((k) => k.selector === step.selector);
      out.push({ selector: step.selector, state: 'active', set: { activeSince: now, ...(next?.publishedSince === undefined ? { publishedSince: now } : {}) }, unset: [] });
      if (step.previous) out.push({ selector: step.previous, state: 'published', set: { activeUntil: now }, unset: [] });
      return out;
    }
    case 'retire':
      return [{ selector: step.selector, state: 'retired', set: { retiredSince: now }, unset: [] }];
    case 'record-retired':
      return [{ selector: step.selector, set: { retiredSince: now }, unset: [] }];
    case 'remove':
      return [{ selector: step.selector, state: 'removed', set: {}, unset: [], dropKey: true }];
  }
}
