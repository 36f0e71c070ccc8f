// The stable key of a finding across runs: what SARIF's partialFingerprints carries and
// what `audit --compare` matches findings by. Built from the code, the domain, the DNS
// name and, for drift, the records it is about; never from the message, whose words and
// figures ("12 lookups") may change while the problem stays the same.

import { createHash } from 'node:crypto';
import { compareText, type Finding } from '../../base/finding.js';

/** The fields a fingerprint reads. */
export type FingerprintInput = Pick<Finding, 'code' | 'domain' | 'name'> & { evidence?: Pick<Finding['evidence'], 'before' | 'after'> };

/**
 * `3600 MX 10 mx-01.example.org.` -> `mx 10 mx-01.example.org.`: the TTL left out (drift on
 * TTL alone is still the same record), case and runs of blanks folded.
 */
function normalizeRecord(text: string): string {
  return text.trim().replace(/^\d+\s+/, '').replace(/\s+/g, ' ').toLowerCase();
}

/**
 * What tells apart two findings of one code at one name: the declared records (`after`)
 * when there are some (drift.missing, drift.changed: the same declared record stays the
 * same finding while the published one wanders), else the published ones (`before`,
 * drift.unexpected). Empty for every other finding: one code at one name is one finding.
 */
export function evidenceKey(finding: FingerprintInput): string {
  const records = finding.evidence?.after?.length ? finding.evidence.after : (finding.evidence?.before ?? []);
  return records.map(normalizeRecord).sort(compareText).join('\n');
}

/**
 * 32 hex digits of SHA-256 over code, domain, name and the evidence key. A finding with an
 * empty key keeps the fingerprint SARIF has always given it (code, domain and name alone).
 */
export function fingerprintOf(finding: FingerprintInput): string {
  const key = evidenceKey(finding);
  const text = `${finding.code}\u0000${finding.domain}\u0000${finding.name}${key === '' ? '' : `\u0000${key}`}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
