// The nearest-key helper: Damerau–Levenshtein distance and when a suggestion is close enough.

import { describe, expect, test } from 'vitest';
import { editDistance, suggest } from '../../src/policy/suggest.js';
import { POLICY_KEYS, KEY_ALIASES } from '../../src/policy/vocabulary.js';

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['ttl', 'ttl', 0],
    ['kitten', 'sitting', 3],
    ['subdomian_policy', 'subdomain_policy', 1], // one swap of neighbours
    ['ca', 'ac', 1],
    ['abcd', 'acbd', 1],
    ['senders', 'sender', 1],
    ['max_age', 'maxage', 1],
    ['flaw', 'lawn', 2],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggest', () => {
  test.each([
    ['subdomian_policy', POLICY_KEYS.dmarc, undefined, 'subdomain_policy'],
    ['nonexistant_policy', POLICY_KEYS.dmarc, undefined, 'nonexistent_policy'],
    ['polciy', POLICY_KEYS.dmarc, undefined, 'policy'],
    ['sp', POLICY_KEYS.dmarc, KEY_ALIASES.dmarc, 'subdomain_policy'], // the DMARC tag name
    ['p', POLICY_KEYS.dmarc, KEY_ALIASES.dmarc, 'policy'],
    ['priority', POLICY_KEYS.mx, KEY_ALIASES.mx, 'preference'],
    ['TTL', POLICY_KEYS.domain, undefined, 'ttl'], // case is free
    ['mta-sts', POLICY_KEYS.domain, undefined, 'mta_sts'], // so are hyphens
    ['sender', POLICY_KEYS.domain, undefined, 'senders'],
    ['tlsrpt', POLICY_KEYS.domain, undefined, 'tls_rpt'],
    ['zone-file', POLICY_KEYS.zone, undefined, 'zone_file'],
    ['domain', POLICY_KEYS.policy, undefined, 'domains'],
    ['colour', POLICY_KEYS.domain, undefined, undefined], // nothing close
    ['x', POLICY_KEYS.domain, undefined, undefined], // one letter from 'mx', but no typo of it
    ['tt', POLICY_KEYS.domain, undefined, undefined],
    ['quarantaine', ['none', 'quarantine', 'reject'], undefined, 'quarantine'],
    ['enforcing', ['enforce', 'testing', 'none'], undefined, 'enforce'],
    ['gogle', ['google', 'microsoft365', 'sendgrid'], undefined, 'google'],
  ] as const)('%s → %s', (word, candidates, aliases, expected) => {
    expect(suggest(word, candidates, aliases)).toBe(expected);
  });

  test('ties go to the earlier candidate', () => {
    expect(suggest('abc', ['abx', 'aby'])).toBe('abx');
  });

  test('an alias to a word that is not a candidate is ignored', () => {
    expect(suggest('p', ['ttl'], { p: 'policy' })).toBeUndefined();
  });
});
