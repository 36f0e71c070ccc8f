// Reads a domain's transport security: TLSA (DANE, RFC 6698 / 7672), MTA-STS (RFC 8461)
// and TLS-RPT (RFC 8460).

import { isScalar, isSeq } from 'yaml';
import type { MtaStsPolicy, TlsaRecord, TlsRptPolicy } from './model.js';
import { readUniqueList, type ReadContext } from './read-context.js';
import { readReportUris } from './read-dmarc.js';
import { checkDomainName, checkHostName, checkRepoPath, checkTlsaData } from './values.js';
import { DEFAULT_MTA_STS_MAX_AGE, KEY_ALIASES, LIMITS, POLICY_ENUMS, POLICY_KEYS, TLSA_MNEMONICS } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';
import { quote } from '../base/quote.js';

/** A TLSA field given as a number or its RFC 7218 mnemonic (DANE-EE, SPKI, SHA2-256). */
function readTlsaNumber(r: YamlReader, field: Field, mnemonics: Readonly<Record<string, number>>, max: number): number | undefined {
  const node = field.node;
  if (node && isScalar(node) && typeof node.value === 'string') {
    const value = mnemonics[node.value.toLowerCase()];
    if (value !== undefined) return value;
    r.refuse(field, `invalid ${field.name} ${quote(String(node.value))}`, `a number 0..${max} or one of ${Object.keys(mnemonics).join(', ')} (RFC 7218)`);
    return undefined;
  }
  return r.integer(field, 0, max);
}

function readTlsaRecord(ctx: ReadContext, field: Field): TlsaRecord | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.tlsa, { what: 'a map { port, host, cert | pubkey | data }' });
  if (!map) return undefined;
  const portField = r.need(map, 'port', field);
  const port = portField && r.integer(portField, 1, LIMITS.portMax);
  const hostField = r.need(map, 'host', field);
  const hostText = hostField && r.string(hostField);
  const host =
    hostField && hostText !== undefined
      ? r.take(hostField, checkHostName(hostText, 'host', 'TLSA records sit under the host name clients connect to'))
      : undefined;
  const protocolField = map.get('protocol');
  const protocol = protocolField ? r.oneOf(protocolField, POLICY_ENUMS.tlsa_protocol) : 'tcp';
  const num = (key: 'usage' | 'selector' | 'matching_type', fallback: number, max: number): number | undefined => {
    const f = map.get(key);
    return f ? readTlsaNumber(r, f, TLSA_MNEMONICS[key], max) : fallback;
  };
  // RFC 7671 §5.1: "3 1 1" (DANE-EE, SPKI, SHA2-256) is the recommended default.
  const usage = num('usage', 3, 3);
  const selector = num('selector', 1, 1);
  const matchingType = num('matching_type', 1, 2);
  // RFC 7672 §3.1.3: SMTP clients do not use PKIX usages 0 and 1.
  if (port === 25 && (usage === 0 || usage === 1)) {
    r.refuse(
      map.get('usage')!,
      `usage ${usage} (${usage === 0 ? 'PKIX-TA' : 'PKIX-EE'}) is refused for SMTP on port 25`,
      'RFC 7672 §3.1.3: SMTP uses only DANE-TA (2) and DANE-EE (3)',
    );
  }
  const sources = (['cert', 'pubkey', 'data'] as const).filter((k) => map.has(k));
  if (sources.length === 0) {
    r.report(field.at, field.path, `${field.path} needs one of cert, pubkey or data`, 'cert: or pubkey: a PEM file in the repo; data: the association data in hex');
    return undefined;
  }
  if (sources.length > 1) {
    const second = map.get(sources[1]!)!;
    r.report(second.at, second.path, `${sources.join(' and ')} are exclusive: give one of cert, pubkey, data`);
    return undefined;
  }
  const kind = sources[0]!;
  const sourceField = map.get(kind)!;
  let source: TlsaRecord['source'] | undefined;
  if (kind === 'data') {
    const numeric = sourceField.node && isScalar(sourceField.node) && typeof sourceField.node.value === 'number';
    if (numeric) r.refuse(sourceField, `data must be a string, not ${r.describe(sourceField)}`, 'quote hex data so YAML keeps it as text');
    const text = numeric ? undefined : r.string(sourceField);
    const hex = text !== undefined && matchingType !== undefined ? r.take(sourceField, checkTlsaData(text, matchingType)) : undefined;
    if (hex !== undefined) source = { kind: 'data', hex };
  } else {
    if (kind === 'pubkey' && selector === 0) {
      r.refuse(sourceField, 'selector 0 (Cert) matches the whole certificate, which a pubkey file does not hold', 'use cert:, or selector 1 (SPKI)');
    }
    const text = r.string(sourceField);
    const path = text === undefined ? undefined : r.take(sourceField, checkRepoPath(text, kind));
    if (path !== undefined) {
      ctx.files.push({
        kind: kind === 'cert' ? 'tlsa-cert' : 'tlsa-pubkey',
        path,
        position: r.valueAt(sourceField),
        docPath: sourceField.path,
        optional: false,
      });
      source = { kind, path, pem: '' };
    }
  }
  if (
    port === undefined ||
    host === undefined ||
    protocol === undefined ||
    usage === undefined ||
    selector === undefined ||
    matchingType === undefined ||
    source === undefined
  ) {
    return undefined;
  }
  return { port, protocol, host, usage, selector, matchingType, source, position: field.at };
}

export function readTlsa(ctx: ReadContext, field: Field): TlsaRecord[] | undefined {
  return readUniqueList(ctx, field, 'TLSA record', readTlsaRecord, (tlsa) => {
    const src = tlsa.source.kind === 'data' ? tlsa.source.hex : tlsa.source.path;
    const label = `_${tlsa.port}._${tlsa.protocol}.${tlsa.host} ${tlsa.usage} ${tlsa.selector} ${tlsa.matchingType}`;
    return { key: `${label} ${tlsa.source.kind}:${src}`, label };
  });
}

export function readMtaSts(ctx: ReadContext, field: Field): MtaStsPolicy | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.mta_sts, { aliases: KEY_ALIASES.mta_sts });
  if (!map) return undefined;
  const modeField = r.need(map, 'mode', field);
  const mode = modeField && r.oneOf(modeField, POLICY_ENUMS.mta_sts_mode);
  const maxAgeField = map.get('max_age');
  const maxAge = maxAgeField
    ? r.integer(maxAgeField, 0, LIMITS.mtaStsMaxAge, 'RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year)')
    : DEFAULT_MTA_STS_MAX_AGE;
  const mxField = map.get('mx');
  let mx: string[] | undefined;
  if (mxField) {
    const items = r.items(mxField) ?? [];
    if (mxField.node && isSeq(mxField.node) && items.length === 0) {
      r.refuse(mxField, 'mta_sts.mx is an empty list', "leave it out to use the domain's MX hosts");
    }
    mx = [];
    for (const item of items) {
      const text = r.string(item);
      // RFC 8461 §3.2: a pattern is a host name, or "*." and a name for one label.
      const pattern = text === undefined ? undefined : r.take(item, checkDomainName(text, 'mx pattern', { wildcard: true }));
      if (pattern !== undefined) mx.push(pattern);
    }
  }
  if (mode === undefined || maxAge === undefined) return undefined;
  const out: MtaStsPolicy = { mode, maxAge, position: field.at };
  if (mx !== undefined) out.mx = mx;
  return out;
}

export function readTlsRpt(ctx: ReadContext, field: Field): TlsRptPolicy | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.tls_rpt);
  if (!map) return undefined;
  const ruaField = r.need(map, 'rua', field);
  if (!ruaField) return undefined;
  // RFC 8460 §3: reports go to mailto: or https: URIs.
  return { rua: readReportUris(r, ruaField, ['mailto', 'https'], false), position: field.at };
}
