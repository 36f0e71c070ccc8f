// Evidence for findings: a recording Resolver wrapper, the questions a finding rests on, and
// the `<category>.unknown` finding when lookups failed (answers are read with dns/answers.ts).

import type { Answer, Resolver } from '../dns/resolver.js';
import { canResolveType, type TypeResolver } from '../dns/answers.js';
import type { RRType } from '../dns-types/rr.js';
import { CHECK_UNKNOWN_CODE, UNKNOWN_CODE, type Code } from '../base/codes.js';
import { makeFinding, type Asked, type Evidence, type ScoredCategory, type Finding } from '../base/finding.js';

/**
 * Wraps a Resolver and logs every question with its outcome, so that each finding can
 * carry the questions it rests on. Also remembers answers, so one audit asks each
 * question once and every check sees the same answer. Each check wraps the resolver it
 * is given in its own recorder (its own log); auditDomain wraps the real one once more
 * for the domain's full log and the shared memo.
 */
export class RecordingResolver implements Resolver, TypeResolver {
  /**
   * Each question in the order it was asked, its outcome and answer once answered. The order
   * asked, not answered: answers arrive in whatever order the network gives them, and the
   * same answers must give the same report (docs/audit-json.md).
   */
  readonly #log: { asked?: Asked; answer?: RecordedAnswer }[] = [];
  private readonly memo = new Map<string, Promise<Answer>>();

  constructor(private readonly inner: Resolver) {}

  resolve(name: string, type: RRType): Promise<Answer> {
    return this.ask(name, type, () => this.inner.resolve(name, type));
  }

  /** Types outside RRType; answers "error" when the inner resolver cannot ask them. */
  resolveType(name: string, type: string): Promise<Answer> {
    const inner = this.inner;
    return this.ask(name, type, () =>
      this.canResolveOtherTypes && canResolveType(inner)
        ? inner.resolveType(name, type)
        : Promise.resolve<Answer>({ status: 'error', reason: `resolver cannot ask type ${type}` }),
    );
  }

  /** True when the inner resolver can ask types outside RRType. */
  get canResolveOtherTypes(): boolean {
    const inner = this.inner;
    return inner instanceof RecordingResolver ? inner.canResolveOtherTypes : canResolveType(inner);
  }

  /** The questions answered so far, in the order asked. */
  get asked(): Asked[] {
    const out: Asked[] = [];
    for (const entry of this.#log) if (entry.asked) out.push(entry.asked);
    return out;
  }

  /** The answers themselves, in the order asked (the run keeps them: audit/records.ts). */
  get answers(): RecordedAnswer[] {
    const out: RecordedAnswer[] = [];
    for (const entry of this.#log) if (entry.answer) out.push(entry.answer);
    return out;
  }

  /** Questions about these names, in the order asked. */
  about(...names: string[]): Asked[] {
    const wanted = new Set(names);
    return this.asked.filter((a) => wanted.has(a.name));
  }

  /** Questions that failed (the lookup outcome is unknown). */
  failed(): Asked[] {
    return this.asked.filter((a) => a.status === 'error');
  }

  private ask(name: string, type: string, run: () => Promise<Answer>): Promise<Answer> {
    const key = `${name}\u0000${type}`;
    let pending = this.memo.get(key);
    if (!pending) {
      const entry: { asked?: Asked; answer?: RecordedAnswer } = {};
      this.#log.push(entry);
      pending = run().then((answer) => {
        entry.asked = answer.status === 'error' && answer.cause ? { name, type, status: answer.status, cause: answer.cause } : { name, type, status: answer.status };
        entry.answer = { name, type, answer };
        return answer;
      });
      this.memo.set(key, pending);
    }
    return pending;
  }
}

/** One question and the answer it got, as the resolver gave it (no copy, no rendering). */
export interface RecordedAnswer {
  name: string;
  type: string;
  answer: Answer;
}

/** The failed questions about the given names. */
export function failedAbout(rec: RecordingResolver, ...names: string[]): Asked[] {
  return rec.about(...names).filter((a) => a.status === 'error');
}

/** Evidence from the questions about the given names, plus the record texts seen. */
export function evidenceFor(rec: RecordingResolver, names: string[], seen?: string[]): Evidence {
  const asked = rec.about(...names);
  return seen && seen.length > 0 ? { asked, seen } : { asked };
}

/**
 * Advice for failed lookups that will not answer on a retry: every one outside the zone
 * repo (`--zones`), or every one refused by a server that does not recurse. undefined
 * when a retry may help (the catalogue's fix then stands).
 */
export function unknownAdvice(failed: readonly Asked[]): string | undefined {
  if (failed.length === 0) return undefined;
  if (failed.every((a) => a.cause === 'outside-zone-repo')) {
    return 'These names are outside the zone repo, so an offline audit cannot know them: audit against DNS (without --zones) to check them.';
  }
  if (failed.every((a) => a.cause === 'not-recursive')) {
    return 'The resolver answers only for its own zones (see the note at the top of the report): audit through a recursive resolver, or with --authoritative.';
  }
  return undefined;
}

function withAdvice(finding: Finding, failed: readonly Asked[]): Finding {
  const advice = unknownAdvice(failed);
  return advice === undefined ? finding : { ...finding, fix: advice };
}

/** "x/TXT, y/A: outside the zone repo": the failed questions, with the cause when all share one. */
function describeFailed(failed: readonly Asked[]): string {
  const list = failed.map((a) => `${a.name}/${a.type}`).join(', ');
  const causes = new Set(failed.map((a) => a.cause));
  const cause = causes.size === 1 ? [...causes][0] : undefined;
  if (cause === 'outside-zone-repo') return `${list}: outside the zone repo`;
  if (cause === 'not-recursive') return `${list}: refused, the server does not recurse`;
  return list;
}

/**
 * The `<category>.unknown` finding when any of the given questions failed: the run says
 * which lookups could not be made, and the score leaves the category out. Only for the
 * lookups of the domain's own names that the whole category rests on; a lookup that
 * decides one check gives `uncheckedFinding` instead.
 */
export function unknownFinding(
  category: ScoredCategory,
  domain: string,
  failed: Asked[],
): Finding[] {
  if (failed.length === 0) return [];
  return [
    withAdvice(
      makeFinding(
        UNKNOWN_CODE[category],
        domain,
        failed[0]!.name,
        `${failed.length} lookup(s) failed (${describeFailed(failed)}); ${category} is not scored, and nothing is reported missing on their account`,
        { asked: failed },
      ),
      failed,
    ),
  ];
}

/**
 * The `<category>.check-unknown` finding: the lookups the checks `codes` need failed, so
 * those checks are unknown, neither passed nor failed, while the rest of the category is
 * scored. `what` says what could not be checked ("the MX target mx.example.net").
 */
export function uncheckedFinding(
  category: keyof typeof CHECK_UNKNOWN_CODE,
  domain: string,
  name: string,
  what: string,
  codes: readonly Code[],
  failed: readonly Asked[],
): Finding[] {
  if (codes.length === 0) return [];
  const unknownChecks = [...new Set<string>(codes)].sort();
  const why = failed.length > 0 ? `lookup failed (${describeFailed(failed)})` : 'a lookup it needs failed';
  const finding = makeFinding(
    CHECK_UNKNOWN_CODE[category],
    domain,
    name,
    `${what}: ${why}; not known: ${unknownChecks.join(', ')}`,
    { asked: [...failed] },
  );
  return [{ ...withAdvice(finding, failed), unknownChecks }];
}
