// Reads a domain's `raw:` records: the escape hatch that publishes a mail record exactly as written.

import { isScalar, isSeq } from 'yaml';
import { MailrecError } from '../base/errors.js';
import { tagOf } from '../mail/txt-tag.js';
import { parseRDataText } from '../dns-types/rdata.js';
import { chunkTxt, TXT_STRING_MAX_OCTETS, type RData } from '../dns-types/rr.js';
import type { RawRecord } from './model.js';
import type { ReadContext } from './read-context.js';
import { checkDomainName } from './values.js';
import { LIMITS, POLICY_KEYS, RAW_RECORD_TYPES } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';

const TYPE_HINT = `raw records are mail records mailrec owns: ${RAW_RECORD_TYPES.join(', ')}; other records belong in the zone file`;

/** "@" is the domain itself; a name ending in "." is absolute; anything else is relative to the domain. */
function readOwner(r: YamlReader, field: Field, domain: string): string | undefined {
  const text = r.text(field);
  if (text === undefined) {
    r.typeError(field, 'a name');
    return undefined;
  }
  if (text === '@') return domain;
  const absolute = text.endsWith('.');
  const checked = r.take(field, checkDomainName(absolute ? text.slice(0, -1) : text, 'name', { minLabels: 1 }));
  if (checked === undefined) return undefined;
  return absolute ? checked : `${checked}.${domain}`;
}

/** TXT: the text (chunked at 255 octets as mailrec chunks), or a list of the exact character-strings. */
function readTxt(r: YamlReader, field: Field): RData | undefined {
  const node = field.node;
  if (node && isSeq(node)) {
    const strings: string[] = [];
    for (const item of r.items(field) ?? []) {
      const text = r.string(item);
      if (text === undefined) return undefined;
      // RFC 1035 §3.3: a character-string holds at most 255 octets.
      if (Buffer.byteLength(text, 'utf8') > TXT_STRING_MAX_OCTETS) {
        r.refuse(item, `a TXT string holds at most ${TXT_STRING_MAX_OCTETS} octets, this one ${Buffer.byteLength(text, 'utf8')}`, 'split it into several strings, or give the text as one string and let mailrec split it');
        return undefined;
      }
      strings.push(text);
    }
    if (strings.length === 0) {
      r.refuse(field, 'value is an empty list', 'a TXT record has at least one string');
      return undefined;
    }
    return { type: 'TXT', strings };
  }
  const text = r.string(field);
  return text === undefined ? undefined : { type: 'TXT', strings: chunkTxt(text) };
}

function readRawRecord(ctx: ReadContext, field: Field, domain: string): RawRecord | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.raw, { what: 'a map { name, type, value, ttl }' });
  if (!map) return undefined;
  const nameField = r.need(map, 'name', field);
  const typeField = r.need(map, 'type', field);
  const valueField = r.need(map, 'value', field);
  const name = nameField && readOwner(r, nameField, domain);
  const typeText = typeField && r.string(typeField)?.toUpperCase();
  const type = RAW_RECORD_TYPES.find((t) => t === typeText);
  if (typeField && typeText !== undefined && type === undefined) r.refuse(typeField, `raw type '${typeText}' is not one mailrec owns`, TYPE_HINT);
  const ttlField = map.get('ttl');
  const ttl = ttlField ? r.integer(ttlField, 0, LIMITS.ttlMax, 'RFC 2181 §8: a TTL is 0..2147483647 seconds') : undefined;
  if (!valueField || name === undefined || type === undefined || (ttlField && ttl === undefined)) return undefined;

  let rdata: RData | undefined;
  if (type === 'TXT') {
    rdata = readTxt(r, valueField);
    // DESIGN.md "Ownership": a TXT is mailrec's only by its tag; anything else would never be deleted or diffed right.
    if (rdata?.type === 'TXT' && tagOf(name, rdata.strings.join('')) === undefined) {
      r.refuse(valueField, 'a raw TXT record must be a mail record mailrec owns', 'its text starts with v=spf1, v=DMARC1, v=DKIM1, v=STSv1 or v=TLSRPTv1; other TXT records belong in the zone file');
      return undefined;
    }
  } else {
    const text = r.string(valueField);
    if (text === undefined) return undefined;
    try {
      // Relative names in the value are relative to the domain, as under "$ORIGIN <domain>.".
      rdata = parseRDataText(type, text, { origin: domain });
    } catch (error) {
      if (!(error instanceof MailrecError)) throw error;
      r.refuse(valueField, `${type} value '${text}': ${error.message}`, `write the ${type} data as in a zone file, e.g. ${EXAMPLES[type]}`);
      return undefined;
    }
  }
  if (!rdata) return undefined;
  const out: RawRecord = { name, rdata, position: field.at };
  if (ttl !== undefined) out.ttl = ttl;
  return out;
}

const EXAMPLES: Readonly<Record<string, string>> = {
  MX: "'10 mx-01.example.org.'",
  SRV: "'0 1 465 submit.example.org.'",
  TLSA: "'3 1 1 <sha-256 hex>'",
  CNAME: "'selector1-example-org._domainkey.tenant.onmicrosoft.com.'",
};

export function readRaw(ctx: ReadContext, field: Field, domain: string): RawRecord[] | undefined {
  const node = field.node;
  if (node && isScalar(node) && node.value === null) return [];
  const items = ctx.r.items(field);
  if (!items) return undefined;
  const out: RawRecord[] = [];
  for (const item of items) {
    const record = readRawRecord(ctx, item, domain);
    if (record) out.push(record);
  }
  return out;
}
