// Reads a domain's DMARC settings (RFC 9989 tags by name) and reporting URIs, which
// TLS-RPT shares.

import type { DmarcPolicy } from './model.js';
import { Seen, type ReadContext } from './read-context.js';
import { checkReportUri } from './values.js';
import { KEY_ALIASES, LIMITS, POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';
import { quote } from '../base/quote.js';

export function readReportUris(r: YamlReader, field: Field, schemes: readonly ('mailto' | 'https')[], dmarc: boolean): string[] {
  const items = r.oneOrMore(field);
  if (items.length === 0) r.refuse(field, `${field.name} is an empty list`, 'list at least one address, or leave the key out');
  const seen = new Seen(r, `${field.name} URI`);
  const out: string[] = [];
  for (const item of items) {
    const text = r.string(item);
    if (text === undefined) continue;
    const uri = r.take(item, checkReportUri(text, { what: field.name, schemes, bangIsSyntax: dmarc }));
    if (uri === undefined) continue;
    seen.check(uri, item, `${quote(uri)}`);
    out.push(uri);
  }
  return out;
}

export function readDmarc(ctx: ReadContext, field: Field): DmarcPolicy | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.dmarc, { aliases: KEY_ALIASES.dmarc });
  if (!map) return undefined;
  const policyField = r.need(map, 'policy', field);
  const policy = policyField && r.oneOf(policyField, POLICY_ENUMS.dmarc_policy);
  const get = <T>(key: string, read: (f: Field) => T | undefined): T | undefined => {
    const f = map.get(key);
    return f ? read(f) : undefined;
  };
  const out: DmarcPolicy = {
    policy: policy ?? 'none',
    testing: get('testing', (f) => r.boolean(f)) ?? false,
    rua: get('rua', (f) => readReportUris(r, f, ['mailto'], true)) ?? [],
    ruf: get('ruf', (f) => readReportUris(r, f, ['mailto'], true)) ?? [],
    position: field.at,
  };
  const sp = get('subdomain_policy', (f) => r.oneOf(f, POLICY_ENUMS.dmarc_policy));
  if (sp) out.subdomainPolicy = sp;
  const np = get('nonexistent_policy', (f) => r.oneOf(f, POLICY_ENUMS.dmarc_policy));
  if (np) out.nonexistentPolicy = np;
  const psd = get('psd', (f) => r.oneOf(f, POLICY_ENUMS.psd));
  if (psd) out.psd = psd;
  const adkim = get('adkim', (f) => r.oneOf(f, POLICY_ENUMS.alignment));
  if (adkim) out.adkim = adkim;
  const aspf = get('aspf', (f) => r.oneOf(f, POLICY_ENUMS.alignment));
  if (aspf) out.aspf = aspf;
  const fo = get('fo', (f) => {
    // fo: 1 is a YAML number; the tag value is its text.
    const text = r.text(f);
    if (text !== undefined && /^[01ds](:[01ds])*$/.test(text)) return text;
    r.refuse(f, `invalid fo ${quote(text ?? r.describe(f))}`, 'failure reporting options: 0, 1, d or s, joined by colons (e.g. 1 or d:s)');
    return undefined;
  });
  if (fo !== undefined) out.fo = fo;
  const pct = get('pct', (f) => r.integer(f, 0, LIMITS.pctMax));
  if (pct !== undefined) out.pct = pct;
  return policy === undefined ? undefined : out;
}
