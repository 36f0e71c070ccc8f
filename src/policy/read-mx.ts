// Reads a domain's MX hosts, or `none` for a null MX (RFC 7505), which stands alone.

import { isScalar, isSeq } from 'yaml';
import type { MxHost } from './model.js';
import { Seen, type ReadContext } from './read-context.js';
import { checkHostName } from './values.js';
import { KEY_ALIASES, LIMITS, POLICY_KEYS } from './vocabulary.js';
import type { Field } from './yaml-reader.js';
import { quote } from '../base/quote.js';

const NULL_MX_HINT = 'RFC 7505 §3: a null MX ("MX 0 .") is the only MX record of its domain';

export function readMx(ctx: ReadContext, field: Field): MxHost[] | 'none' | undefined {
  const { r } = ctx;
  const node = field.node;
  if (node && isScalar(node) && node.value === 'none') return 'none';
  if (!node || !isSeq(node)) {
    r.refuse(
      field,
      `mx must be a list of { host, preference } or none, not ${r.describe(field)}`,
      'e.g. mx: [{ host: mx-01.example.org, preference: 10 }], or mx: none for a null MX (RFC 7505)',
    );
    return undefined;
  }
  const items = r.items(field) ?? [];
  if (items.length === 0) {
    r.refuse(field, 'mx is an empty list', 'write mx: none for a null MX (RFC 7505), or leave mx out');
    return undefined;
  }
  const seen = new Seen(r, 'MX host');
  const out: MxHost[] = [];
  for (const item of items) {
    const itemNode = item.node;
    if (itemNode && isScalar(itemNode) && (itemNode.value === 'none' || itemNode.value === '.')) {
      r.refuse(
        item,
        items.length === 1 ? 'a null MX is written mx: none, not as a list item' : 'mx: none cannot stand beside MX hosts',
        NULL_MX_HINT,
      );
      continue;
    }
    const map = r.mapping(item, POLICY_KEYS.mx, { aliases: KEY_ALIASES.mx, what: 'a map { host, preference }' });
    if (!map) continue;
    const hostField = r.need(map, 'host', item);
    const prefField = r.need(map, 'preference', item);
    const hostText = hostField && r.string(hostField);
    let host: string | undefined;
    if (hostField && hostText === '.') {
      r.refuse(hostField, 'mx: none cannot stand beside MX hosts', `${NULL_MX_HINT}; write mx: none`);
    } else if (hostField && hostText !== undefined) {
      host = r.take(hostField, checkHostName(hostText, 'host', 'RFC 5321 §5.1: an MX names a host; give the address a name and use it'));
      if (host !== undefined) seen.check(host, hostField, `${quote(host)}`);
    }
    const preference = prefField && r.integer(prefField, 0, LIMITS.u16Max);
    if (host !== undefined && preference !== undefined) out.push({ host, preference });
  }
  return out;
}
