// DKIM key lifecycle checks from the zone repo, no DNS: an active key older than
// dkim_keys.max_age (dkim.key-old), and signer configs that name another selector than the
// policy's active one (drift.signer). Pure: the clock and the parsed configs are parameters.

import { makeFinding, type Finding } from '../../base/finding.js';
import { formatDuration, formatInstant, keyBirth } from '../../mail/dkim/rotation.js';
import { selectorMonth } from '../../mail/dkim/selector-scheme.js';
import type { SignerView } from '../../mail/dkim/signer-config.js';
import type { DomainPolicy } from '../../policy/model.js';

/** Active keys older than maxAge (seconds). A key of unknown age is not reported: unknown is never a finding. */
export function checkKeyAge(domain: DomainPolicy, maxAge: number, now: number): Finding[] {
  const out: Finding[] = [];
  for (const key of domain.dkim) {
    if (key.state !== 'active') continue;
    const born = keyBirth(key, selectorMonth);
    if (born === undefined || now - born <= maxAge * 1000) continue;
    const days = Math.floor((now - born) / 86_400_000);
    const name = `${key.selector}._domainkey.${domain.name}`;
    out.push(
      makeFinding('dkim.key-old', domain.name, name, `the active key ${key.selector} is ${days} days old (since ${formatInstant(born)}); dkim_keys.max_age is ${formatDuration(maxAge)}`, {
        asked: [],
      }),
    );
  }
  return out;
}

export type { SignerView } from '../../mail/dkim/signer-config.js';

/** drift.signer: what each signer would sign this domain with, against the policy's active selectors. */
export function checkSignerDrift(domain: DomainPolicy, signers: readonly SignerView[]): Finding[] {
  const out: Finding[] = [];
  const active = domain.dkim.filter((k) => k.state === 'active').map((k) => k.selector.toLowerCase()).sort();
  const states = new Map(domain.dkim.map((k) => [k.selector.toLowerCase(), k.state]));
  for (const view of signers) {
    const where = view.files.join(' and ');
    if (!view.selectors) {
      if (active.length > 0) out.push(makeFinding('drift.signer', domain.name, domain.name, `${view.signer} (${where}): ${view.problem ?? 'not readable'}`, { asked: [] }));
      continue;
    }
    const configured = [...(view.selectors.get(domain.name) ?? [])].sort();
    for (const selector of configured) {
      if (active.includes(selector)) continue;
      const state = states.get(selector);
      out.push(
        makeFinding(
          'drift.signer',
          domain.name,
          `${selector}._domainkey.${domain.name}`,
          `${view.signer} (${where}) signs ${domain.name} with ${selector}, which the policy ${state === undefined ? 'does not declare' : `has as ${state}`}${active.length > 0 ? ` (active: ${active.join(', ')})` : ''}`,
          { asked: [], seen: configured.map((s) => `${domain.name} ${s}`) },
        ),
      );
    }
    for (const selector of active) {
      if (configured.includes(selector)) continue;
      out.push(
        makeFinding('drift.signer', domain.name, `${selector}._domainkey.${domain.name}`, `${view.signer} (${where}) does not sign ${domain.name} with its active selector ${selector}`, {
          asked: [],
          seen: configured.map((s) => `${domain.name} ${s}`),
        }),
      );
    }
  }
  return out;
}
