// Signer configs: the exact text mailrec writes for rspamd and OpenDKIM, read back to the same
// selectors, and read from hand-written variants of the same shapes.

import { describe, expect, it } from 'vitest';
import {
  parseOpenDkimTables,
  parseRspamdDkimSigning,
  renderOpenDkimKeyTable,
  renderOpenDkimSigningTable,
  renderRspamdDkimSigning,
  unsafeSignerPathChar,
} from '../../../src/mail/dkim/signer-config.js';

const keys = [
  { domain: 'lists.example.org', selector: '202605a', path: '/srv/keys/lists.example.org.202605a.key' },
  { domain: 'example.org', selector: '202605b', path: '/srv/keys/example.org.202605b.key' },
  { domain: 'example.org', selector: '202605c', path: '/srv/keys/example.org.202605c.key' },
];

describe('rspamd dkim_signing.conf', () => {
  it('is one domain map, sorted, each domain signing as itself (use_esld = false)', () => {
    expect(renderRspamdDkimSigning(keys)).toBe(
      [
        'use_esld = false;',
        'domain {',
        '  "example.org" {',
        '    selectors = [',
        '      { selector = "202605b"; path = "/srv/keys/example.org.202605b.key"; },',
        '      { selector = "202605c"; path = "/srv/keys/example.org.202605c.key"; },',
        '    ];',
        '  }',
        '  "lists.example.org" {',
        '    selectors = [',
        '      { selector = "202605a"; path = "/srv/keys/lists.example.org.202605a.key"; },',
        '    ];',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('reads back to the same selectors', () => {
    expect(parseRspamdDkimSigning(renderRspamdDkimSigning(keys))).toEqual(
      new Map([
        ['example.org', ['202605b', '202605c']],
        ['lists.example.org', ['202605a']],
      ]),
    );
    expect(parseRspamdDkimSigning(renderRspamdDkimSigning([]))).toEqual(new Map());
  });

  it('reads the shapes of the rspamd documentation: single selector, unquoted keys, comments', () => {
    const text = [
      '# hand-written',
      'allow_username_mismatch = true;',
      'domain {',
      '  example.org {',
      '    path = "/var/lib/rspamd/dkim/example.org.s1.key";',
      '    selector = "s1";   # the only one',
      '  }',
      '  "example.net" {',
      '    selectors [ { path = "/k"; selector = "S2"; } ]',
      '  }',
      '}',
    ].join('\n');
    expect(parseRspamdDkimSigning(text)).toEqual(new Map([['example.org', ['s1']], ['example.net', ['s2']]]));
    expect(parseRspamdDkimSigning('selector = "dkim";\npath = "/x";\n')).toBeUndefined();
    expect(parseRspamdDkimSigning('domain { example.org { selector = "a";\n')).toBeUndefined();
  });
});

describe('OpenDKIM KeyTable and SigningTable', () => {
  it('key names <selector>._domainkey.<domain>, the SigningTable by domain', () => {
    expect(renderOpenDkimKeyTable(keys)).toBe(
      [
        '202605b._domainkey.example.org example.org:202605b:/srv/keys/example.org.202605b.key',
        '202605c._domainkey.example.org example.org:202605c:/srv/keys/example.org.202605c.key',
        '202605a._domainkey.lists.example.org lists.example.org:202605a:/srv/keys/lists.example.org.202605a.key',
        '',
      ].join('\n'),
    );
    expect(renderOpenDkimSigningTable(keys)).toBe(
      ['example.org 202605b._domainkey.example.org', 'example.org 202605c._domainkey.example.org', 'lists.example.org 202605a._domainkey.lists.example.org', ''].join('\n'),
    );
  });

  it('read back through each other, *@domain patterns too', () => {
    expect(parseOpenDkimTables(renderOpenDkimKeyTable(keys), renderOpenDkimSigningTable(keys))).toEqual(
      new Map([
        ['example.org', ['202605b', '202605c']],
        ['lists.example.org', ['202605a']],
      ]),
    );
    expect(parseOpenDkimTables('# c\nk1 example.org:s9:/k\n', '*@example.org k1\nother.org missing\n')).toEqual(new Map([['example.org', ['s9']]]));
  });
});

describe('unsafeSignerPathChar', () => {
  it('finds what a signer config would read as syntax', () => {
    expect(unsafeSignerPathChar('/srv/zones/keys/private')).toBeUndefined();
    expect(['/a b', '/a"b', '/a$b', '/a:b', '/a#b', '/a\\b', '/a;b'].map(unsafeSignerPathChar)).toEqual([' ', '"', '$', ':', '#', '\\', ';']);
  });
});
