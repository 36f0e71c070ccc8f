// buildQuery writes its message in place; it must be the octets buildMessage gives.

import { describe, expect, it } from 'vitest';
import { buildMessage, buildQuery, FLAG, optRR } from '../../src/dns/message.js';
import { CLASS } from '../../src/dns/wire.js';

describe('buildQuery', () => {
  const names = ['', 'example.org', 'Example.ORG.', 's1._domainkey.example.org', `${'a'.repeat(63)}.example`, 'xn--bcher-kva.example', '*.example.org'];
  it.each(names)('%j: the same octets as buildMessage, with and without EDNS, RD and DO', (name) => {
    for (const edns of [true, false]) {
      for (const recursionDesired of [true, false]) {
        for (const dnssecOk of [true, false]) {
          const spec = { id: 0xbeef, name, type: 16, edns, recursionDesired, dnssecOk, udpPayloadSize: 1232 };
          const expected = buildMessage({
            id: spec.id,
            flags: (recursionDesired ? FLAG.RD : 0) | FLAG.AD,
            questions: [{ name, type: 16, class: CLASS.IN }],
            additionals: edns ? [optRR(1232, dnssecOk)] : [],
          });
          expect(buildQuery(spec).equals(expected)).toBe(true);
        }
      }
    }
  });

  it('refuses a name that does not fit, as before', () => {
    expect(() => buildQuery({ id: 1, name: `${'a'.repeat(64)}.example`, type: 1 })).toThrow(/label over 63 octets/);
    expect(() => buildQuery({ id: 1, name: 'a..example', type: 1 })).toThrow(/empty label/);
  });
});
