// In-place edits of a domain's dkim: list: every byte outside the changed lines stays, in
// block and flow styles; what cannot be spliced safely is refused, never half-done.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { editPolicyDkim, PolicyEditError, type PolicyDkimEdit } from '../../src/policy/edit-dkim.js';
import { validatePolicy } from '../../src/policy/validate.js';

const EXAMPLE = readFileSync('policies/mail.yaml', 'utf8');

const add = (domain: string, selector: string): PolicyDkimEdit => ({
  kind: 'add',
  domain,
  fields: [
    ['selector', selector],
    ['key', `keys/${domain}.${selector}.pub`],
    ['state', 'published'],
    ['created', '2026-05-03T12:00:00Z'],
  ],
});

/** The text with `lines` inserted after the line that is exactly `after` (its first occurrence at or past `from`). */
function insertAfter(text: string, after: string, lines: string[], from = 0): string {
  const all = text.split('\n');
  const i = all.indexOf(after, from);
  if (i < 0) throw new Error(`no line ${after}`);
  return [...all.slice(0, i + 1), ...lines, ...all.slice(i + 1)].join('\n');
}

describe('editPolicyDkim on the commented example policy', () => {
  it('adds a key to an existing list: the new lines only, every other byte as it was', () => {
    const out = editPolicyDkim(EXAMPLE, 'policies/mail.yaml', [add('example.org', '202605a')]);
    const expected = insertAfter(EXAMPLE, '        state: active', [
      '      - selector: 202605a',
      '        key: keys/example.org.202605a.pub',
      '        state: published',
      '        created: 2026-05-03T12:00:00Z',
    ]);
    expect(out).toBe(expected);
    expect(validatePolicy([{ file: 'p.yaml', text: out }]).ok).toBe(true);
  });

  it('adds a dkim: list to a domain that has none, after its last key and before the blank line', () => {
    const out = editPolicyDkim(EXAMPLE, 'policies/mail.yaml', [add('crm.example.org', '202605a')]);
    const from = EXAMPLE.split('\n').indexOf('  crm.example.org:              # the CRM\'s newsletters');
    expect(out).toBe(
      insertAfter(
        EXAMPLE,
        '      - { host: mx-01.example.org, preference: 10 }',
        ['    dkim:', '      - selector: 202605a', '        key: keys/crm.example.org.202605a.pub', '        state: published', '        created: 2026-05-03T12:00:00Z'],
        from,
      ),
    );
  });

  it('sets, adds and removes fields of one entry, leaving its comment', () => {
    const out = editPolicyDkim(EXAMPLE, 'policies/mail.yaml', [
      { kind: 'update', domain: 'example.org', selector: '2026a', set: [['state', 'published'], ['active_until', '2026-05-09T00:00:00Z']], unset: [] },
    ]);
    expect(out).toBe(
      insertAfter(EXAMPLE.replace('        state: active\n    dmarc:', '        state: published\n    dmarc:'), '        state: published', ['        active_until: 2026-05-09T00:00:00Z']),
    );
    const back = editPolicyDkim(out, 'policies/mail.yaml', [{ kind: 'update', domain: 'example.org', selector: '2026a', set: [['state', 'active']], unset: ['active_until', 'absent'] }]);
    expect(back).toBe(EXAMPLE);
    // Dropping key: of a removed entry keeps the selector line and its comment.
    const removed = editPolicyDkim(EXAMPLE, 'policies/mail.yaml', [{ kind: 'update', domain: 'example.org', selector: '2026a', set: [['state', 'removed']], unset: ['key'] }]);
    expect(removed).toContain("      - selector: 2026a         # rspamd's dkim_signing selector\n        state: removed\n    dmarc:");
  });
});

describe('editPolicyDkim on other layouts', () => {
  it('flow-map entries stay flow maps', () => {
    const text = 'version: 1\ndomains:\n  example.org:\n    dkim:\n      - { selector: s1, key: k1.pem, state: active }   # signing\n';
    const added = editPolicyDkim(text, 'p', [add('example.org', 's2')]);
    expect(added).toBe(`${text}      - { selector: s2, key: keys/example.org.s2.pub, state: published, created: 2026-05-03T12:00:00Z }\n`);
    const updated = editPolicyDkim(text, 'p', [{ kind: 'update', domain: 'example.org', selector: 's1', set: [['state', 'published'], ['active_until', '2026-05-09T00:00:00Z']], unset: ['key'] }]);
    expect(updated).toBe('version: 1\ndomains:\n  example.org:\n    dkim:\n      - { selector: s1, state: published, active_until: 2026-05-09T00:00:00Z }   # signing\n');
  });

  it('a flow list (dkim: []) becomes a block list; a file without a final newline gets one line more', () => {
    expect(editPolicyDkim('version: 1\ndomains:\n  a.org:\n    dkim: []   # none yet\n    mx: none\n', 'p', [add('a.org', 's1')])).toBe(
      'version: 1\ndomains:\n  a.org:\n    dkim:\n      - selector: s1\n        key: keys/a.org.s1.pub\n        state: published\n        created: 2026-05-03T12:00:00Z   # none yet\n    mx: none\n',
    );
    expect(editPolicyDkim('version: 1\ndomains:\n  a.org:\n    mx: none', 'p', [add('a.org', 's1')])).toBe(
      'version: 1\ndomains:\n  a.org:\n    mx: none\n    dkim:\n      - selector: s1\n        key: keys/a.org.s1.pub\n        state: published\n        created: 2026-05-03T12:00:00Z',
    );
  });

  it('finds the domain whatever its case or final dot, and a numeric selector', () => {
    const text = 'version: 1\ndomains:\n  Example.ORG.:\n    dkim:\n      - selector: 2026\n        key: k.pem\n';
    expect(editPolicyDkim(text, 'p', [{ kind: 'update', domain: 'example.org', selector: '2026', set: [['state', 'retired']], unset: [] }])).toBe(`${text}        state: retired\n`);
  });

  it('refuses what it cannot splice safely, changing nothing', () => {
    expect(() => editPolicyDkim('version: 1\ndomains:\n  a.org: { mx: none }\n', 'p', [add('a.org', 's1')])).toThrow(PolicyEditError);
    expect(() => editPolicyDkim('version: 1\ndomains:\n  a.org:\n    mx: none\n', 'p', [add('b.org', 's1')])).toThrow(/does not declare b.org/);
    expect(() => editPolicyDkim('version: 1\ndomains:\n  a.org:\n    dkim:\n      - selector: s1\n        key: k\n', 'p', [{ kind: 'update', domain: 'a.org', selector: 's1', set: [], unset: ['selector'] }])).toThrow(
      /cannot remove selector/,
    );
    expect(() => editPolicyDkim('version: 1\ndomains:\n  a.org:\n    dkim:\n      - selector: s1\n', 'p', [{ kind: 'update', domain: 'a.org', selector: 's9', set: [], unset: [] }])).toThrow(/no DKIM selector s9/);
    expect(() => editPolicyDkim('version: [1\n', 'p', [add('a.org', 's1')])).toThrow(/not valid YAML/);
  });
});
