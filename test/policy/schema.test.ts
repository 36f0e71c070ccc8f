// The JSON Schema printed by `mailrec schema` against the validator: same keys, same enums,
// and it accepts the good fixtures and the DESIGN.md example that the validator accepts.

import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { POLICY_SCHEMA, type JsonSchema } from '../../src/policy/schema.js';
import { validatePolicy } from '../../src/policy/validate.js';
import { POLICY_ENUMS, POLICY_KEYS, type KeyGroup } from '../../src/policy/vocabulary.js';
import { checkJsonSchema, unknownKeywords } from './json-schema-check.js';

const defs = POLICY_SCHEMA.$defs ?? {};

function def(name: string): JsonSchema {
  const found = defs[name];
  if (!found) throw new Error(`no $defs/${name}`);
  return found;
}

/** The keys the schema allows for a group: properties, or for senders the one key of each map form. */
function schemaKeys(group: KeyGroup): string[] {
  const schema = group === 'policy' ? POLICY_SCHEMA : def(group);
  if (group === 'sender') {
    return [...new Set((schema.oneOf ?? []).flatMap((s) => Object.keys(s.properties ?? {})))];
  }
  expect(schema.additionalProperties, `${group} must refuse unknown keys`).toBe(false);
  return Object.keys(schema.properties ?? {});
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

const GOOD = 'test/fixtures/policy/good';
const goodFiles = readdirSync(GOOD)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `${GOOD}/${f}`);
const DESIGN_EXAMPLE = 'test/fixtures/policy/design-example.yaml';

describe('POLICY_SCHEMA', () => {
  test('uses only keywords the checker knows, so nothing is silently skipped', () => {
    expect(unknownKeywords(POLICY_SCHEMA)).toEqual([]);
    expect(POLICY_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  test('has one $defs entry per key group of the validator', () => {
    const groups = Object.keys(POLICY_KEYS).filter((g) => g !== 'policy');
    expect(sorted(Object.keys(defs))).toEqual(sorted(groups));
  });

  test.each(Object.keys(POLICY_KEYS) as KeyGroup[])('%s: the schema and the validator know the same keys', (group) => {
    expect(sorted(schemaKeys(group))).toEqual(sorted(POLICY_KEYS[group]));
  });

  const enumAt: [keyof typeof POLICY_ENUMS, unknown][] = [
    ['spf_all', def('spf').properties?.all?.enum],
    ['spf_own_hosts', def('spf').properties?.own_hosts?.enum],
    ['mail', def('domain').properties?.mail?.enum],
    ['sender_word', def('sender').oneOf?.[0]?.enum],
    ['dkim_state', def('dkim').properties?.state?.enum],
    ['dmarc_policy', def('dmarc').properties?.policy?.enum],
    ['dmarc_policy', def('dmarc').properties?.subdomain_policy?.enum],
    ['dmarc_policy', def('dmarc').properties?.nonexistent_policy?.enum],
    ['alignment', def('dmarc').properties?.adkim?.enum],
    ['alignment', def('dmarc').properties?.aspf?.enum],
    ['psd', def('dmarc').properties?.psd?.enum],
    ['srv_protocol', def('srv').properties?.protocol?.enum],
    ['tlsa_protocol', def('tlsa').properties?.protocol?.enum],
    ['mta_sts_mode', def('mta_sts').properties?.mode?.enum],
    ['target_type', def('target').properties?.type?.enum],
    ['tsig_algorithm', def('target_key').properties?.algorithm?.enum],
    ['mailbox_type', def('mailbox').properties?.type?.enum],
    ['mailbox_tls', def('mailbox').properties?.tls?.enum],
    ['mailbox_after', def('mailbox').properties?.after?.enum],
    ['dkim_key_type', def('dkim_keys').properties?.type?.enum],
  ];
  test.each(enumAt)('enum %s matches', (name, schemaEnum) => {
    expect(schemaEnum).toEqual([...POLICY_ENUMS[name]]);
  });

  test('every validator enum is checked against the schema', () => {
    expect(sorted([...new Set(enumAt.map(([name]) => name))])).toEqual(sorted(Object.keys(POLICY_ENUMS)));
  });

  test.each([...goodFiles, DESIGN_EXAMPLE])('accepts %s', (file) => {
    expect(checkJsonSchema(POLICY_SCHEMA, parse(readFileSync(file, 'utf8')))).toEqual([]);
  });

  test('the validator accepts the same files (the files they name are the loader\'s business)', () => {
    const read = (files: string[]) => files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    for (const sources of [read(goodFiles), read([DESIGN_EXAMPLE])]) {
      const result = validatePolicy(sources);
      expect(result.ok ? [] : result.issues).toEqual([]);
    }
  });

  test('both accept a single-label zone and domain, as BIND loads a zone "example."', () => {
    const text = 'version: 1\nzones:\n  example: {}\ndomains:\n  example:\n    senders: [mx]\n    mx: [{ host: mail.example, preference: 10 }]\n';
    expect(checkJsonSchema(POLICY_SCHEMA, parse(text))).toEqual([]);
    const result = validatePolicy([{ file: 'p.yaml', text }]);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  // Shapes both must refuse: the checker is not vacuous, and the two agree.
  const refused: [string, string][] = [
    ['unknown key', 'version: 1\nbogus: 1\n'],
    ['$schema key', 'version: 1\n$schema: x.json\n'],
    ['wrong version', 'version: 2\n'],
    ['spf all pass', 'version: 1\ndefaults: { spf: { all: pass } }\n'],
    ['ttl out of range', 'version: 1\ndefaults: { ttl: 2147483648 }\n'],
    ['sender with two keys', 'version: 1\ndomains:\n  example.org:\n    senders: [{ host: a.example.org, ip4: 192.0.2.1 }]\n'],
    ['unknown sender word', 'version: 1\ndomains:\n  example.org:\n    senders: [all]\n'],
    ['mx none in a list', 'version: 1\ndomains:\n  example.org:\n    mx: [none]\n'],
    ['empty mx list', 'version: 1\ndomains:\n  example.org:\n    mx: []\n'],
    ['mx without preference', 'version: 1\ndomains:\n  example.org:\n    mx: [{ host: mx.example.org }]\n'],
    ['dmarc without policy', 'version: 1\ndomains:\n  example.org:\n    dmarc: { rua: [a@example.org] }\n'],
    ['rua with a comma', 'version: 1\ndomains:\n  example.org:\n    dmarc: { policy: none, rua: "a@example.org,b@example.org" }\n'],
    ['tlsa with two sources', 'version: 1\ndomains:\n  example.org:\n    tlsa: [{ port: 25, host: mx.example.org, data: "00", cert: c.pem }]\n'],
    ['tlsa with no source', 'version: 1\ndomains:\n  example.org:\n    tlsa: [{ port: 25, host: mx.example.org }]\n'],
    ['max_age over a year', 'version: 1\ndomains:\n  example.org:\n    mx: [{ host: mx.example.org, preference: 1 }]\n    mta_sts: { mode: enforce, max_age: 31557601 }\n'],
    ['absolute path', 'version: 1\nzones:\n  example.org: { fragment: /etc/zone }\n'],
    ['path escaping the root', 'version: 1\nzones:\n  example.org: { fragment: ../zone }\n'],
    ['domain with a semicolon', 'version: 1\ndomains:\n  "example.org;":\n    mail: none\n'],
    ['mailbox with both passwords', 'version: 1\nreports: { mailbox: { type: imap, server: imap.example.org, user: u, password_file: p, password_env: P } }\n'],
    ['mailbox of an unknown type', 'version: 1\nreports: { mailbox: { type: pop3, path: x } }\n'],
    ['retention in months', 'version: 1\nreports: { retention: 13mo }\n'],
    ['tsig key with both secrets', 'version: 1\ntargets: [{ type: rfc2136, server: ns.example.org, key: { name: k, secret_file: s, secret_env: S } }]\n'],
    ['a duration in months', 'version: 1\ndkim_keys: { grace: 1mo }\n'],
    ['a relative signer key_dir', 'version: 1\nsigners: { rspamd: { config: s/d.conf, key_dir: keys } }\n'],
    ['opendkim without its SigningTable', 'version: 1\nsigners: { opendkim: { key_table: s/KeyTable } }\n'],
    ['a local time for a rotation instant', 'version: 1\ndomains:\n  example.org:\n    dkim: [{ selector: s1, key: k.pem, created: "2026-05-03 12:00" }]\n'],
    ['an unknown key state', 'version: 1\ndomains:\n  example.org:\n    dkim: [{ selector: s1, key: k.pem, state: revoked }]\n'],
  ];
  const accepted: [string, string][] = [
    [
      'key management and signers',
      'version: 1\ndkim_keys: { dir: keys/private, group: _rspamd, type: ed25519, rotate_after: 90d, max_age: 120d, margin: 3600, grace: 1w, remove_after: 30d }\nsigners:\n  rspamd: { config: signers/dkim_signing.conf, key_dir: /var/lib/rspamd/dkim }\n  opendkim: { key_table: signers/KeyTable, signing_table: signers/SigningTable }\nzones:\n  example.org: { nameservers: [192.0.2.53, "[2001:db8::53]:53"] }\ndomains:\n  example.org:\n    dkim:\n      - { selector: 202605a, state: removed, retired_since: 2026-05-01 }\n      - { selector: 202606a, key: k.pem, state: active, created: 2026-06-01T00:00:00Z, published_since: 2026-06-01T01:00:00Z, active_since: 2026-06-02T00:00:00Z }\n',
    ],
  ];
  test.each(accepted)('accepts %s, as the validator does', (_name, text) => {
    expect(checkJsonSchema(POLICY_SCHEMA, parse(text))).toEqual([]);
    const result = validatePolicy([{ file: 'x.yaml', text }]);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
  test.each(refused)('refuses %s, as the validator does', (_name, text) => {
    expect(checkJsonSchema(POLICY_SCHEMA, parse(text))).not.toEqual([]);
    expect(validatePolicy([{ file: 'x.yaml', text }]).ok).toBe(false);
  });
});
