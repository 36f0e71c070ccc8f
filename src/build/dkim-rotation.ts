// The DKIM rotation notes plan shows: for each domain in the middle of a rotation (or due for
// one), the next step and when it becomes possible, from the policy alone (rotate asks the
// authoritative servers before it activates). Pure; `now` is a parameter.

import { decideRotation, formatInstant, RotationConflict, keyBirth } from '../mail/dkim/rotation.js';
import { selectorMonth } from '../mail/dkim/selector-scheme.js';
import type { DomainPolicy, Policy } from '../policy/model.js';
import { makeNotice, type Notice } from './notice.js';

function inRotation(domain: DomainPolicy, policy: Policy, now: number): boolean {
  if (domain.dkim.some((k) => k.state === 'published' || k.state === 'retired')) return true;
  const active = domain.dkim.filter((k) => k.state === 'active');
  if (active.length !== 1) return false;
  const born = keyBirth(active[0]!, selectorMonth);
  return born !== undefined && now >= born + policy.dkimKeys.rotateAfter * 1000;
}

export function describeRotations(policy: Policy, now: number): Notice[] {
  const notices: Notice[] = [];
  for (const domain of policy.domains) {
    if (!inRotation(domain, policy, now)) continue;
    const position = domain.dkim[0]?.position ?? domain.position;
    try {
      const decision = decideRotation({ keys: domain.dkim, settings: policy.dkimKeys, now, ttl: domain.ttl, selectorMonth });
      const next = decision.waiting[0];
      const text = decision.summary
        ? `${decision.summary} (possible now: mailrec dkim rotate ${domain.name})`
        : next
          ? `${next.what}: ${next.at !== undefined ? `possible from ${formatInstant(next.at)}, ` : ''}${next.why}`
          : 'nothing to do';
      notices.push(makeNotice('dkim.rotation', domain.name, `DKIM rotation of ${domain.name}, next step: ${text}`, position));
    } catch (error) {
      if (!(error instanceof RotationConflict)) throw error;
      notices.push(makeNotice('dkim.rotation-stuck', domain.name, `DKIM rotation of ${domain.name} is stuck: ${error.message}`, position));
    }
  }
  return notices;
}
