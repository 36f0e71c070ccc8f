// Evidence for findings: a recording Resolver wrapper, the questions a finding rests on, and
// the `<category>.unknown` finding when lookups failed (answers are read with dns/answers.ts).

import type { Answer, Resolver } from '../dns/resolver.js';
import { canResolveType, type TypeResolver } from '../dns/answers.js';
import type { RRType } from '../dns-types/rr.js';
import { UNKNOWN_CODE } from '../base/codes.js';
import { makeFinding, type Asked, type Evidence, type ScoredCategory, type Finding } from '../base/finding.js';

/**
 * Wraps a Resolver and logs every question with its outcome, so that each finding can
 * carry the questions it rests on. Also remembers answers, so one audit asks each
 * question once and every check sees the same answer. Each check wraps the resolver it
 * is given in its own recorder (its own log); auditDomain wraps the real one once more
 * for the domain's full log and the shared memo.
 */
export class RecordingResolver implements Resolver, TypeResolver {
  readonly asked: Asked[] = [];
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

  /** Questions about these names, in the order answered. */
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
      pending = run().then((answer) => {
        this.asked.push({ name, type, status: answer.status });
        return answer;
      });
      this.memo.set(key, pending);
    }
    return pending;
  }
}

/** Evidence from the questions about the given names, plus the record texts seen. */
export function evidenceFor(rec: RecordingResolver, names: string[], seen?: string[]): Evidence {
  const asked = rec.about(...names);
  return seen && seen.length > 0 ? { asked, seen } : { asked };
}

/**
 * The `<category>.unknown` finding when any of the given questions failed: the run says
 * which lookups could not be made, and the score leaves the category out.
 */
export function unknownFinding(
  category: ScoredCategory,
  domain: string,
  failed: Asked[],
): Finding[] {
  if (failed.length === 0) return [];
  const list = failed.map((a) => `${a.name}/${a.type}`).join(', ');
  return [
    makeFinding(
      UNKNOWN_CODE[category],
      domain,
      failed[0]!.name,
      `${failed.length} lookup(s) failed (${list}); ${category} is not scored, and nothing is reported missing on their account`,
      { asked: failed },
    ),
  ];
}
