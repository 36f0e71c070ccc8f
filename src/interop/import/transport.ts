// MX (RFC 5321, RFC 7505), SRV (RFC 6186), TLSA (RFC 6698/7672), MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) records -> policy sections.

import { checkHostName, checkReportUri, checkServiceName, checkTlsaData } from '../../policy/values.js';
import { LIMITS } from '../../policy/vocabulary.js';
import { mtaStsPolicyPath } from '../../build/mta-sts.js';
import { isIpLiteral } from '../../dns-types/ip.js';
import { txtText } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import type { RecordGroup } from './classify.js';
import { makeImportFinding, type ImportFinding } from './findings.js';
import { inexpressible, model, parseTagsStrict, type Proposal } from './proposal.js';

export type MxModel = 'none' | { host: string; preference: number }[];

export interface SrvItem {
  service: string;
  protocol?: 'udp';
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface TlsaItem {
  port: number;
  host: string;
  usage: number;
  selector: number;
  matching_type: number;
  data: string;
}

export interface MtaStsModel {
  mode: 'enforce' | 'testing' | 'none';
  max_age: number;
  /** The policy file's mx patterns, sorted; the renderer leaves them out when they are the domain's MX hosts. */
  mx: string[];
}

export interface TlsRptModel {
  rua: string[];
}

// ---------------------------------------------------------------------------------------- MX

export function proposeMx(group: RecordGroup): Proposal<MxModel> {
  const mx = group.records.flatMap((rr) => (rr.type === 'MX' ? [rr] : []));
  // RFC 7505 §3: "MX 0 ." alone says the domain accepts no mail.
  if (mx.some((rr) => rr.exchange === '')) {
    if (mx.length > 1) return inexpressible('a null MX ("MX 0 .") stands beside other MX records (RFC 7505 §3)');
    if (mx[0]!.preference !== 0) return inexpressible(`the null MX has preference ${mx[0]!.preference}, and mailrec writes "MX 0 ."`);
    return model('none');
  }
  const hosts: { host: string; preference: number }[] = [];
  const seen = new Set<string>();
  for (const rr of mx) {
    const checked = checkHostName(rr.exchange, 'host', '');
    if (!checked.ok) return inexpressible(`MX ${rr.preference} ${rr.exchange}: ${checked.message}`);
    if (seen.has(checked.value)) return inexpressible(`${checked.value} appears twice in the MX records, and the policy lists each host once`);
    seen.add(checked.value);
    hosts.push({ host: checked.value, preference: rr.preference });
  }
  return model(hosts.sort((a, b) => a.preference - b.preference || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)));
}

export function lintMx(group: RecordGroup): ImportFinding[] {
  const out: ImportFinding[] = [];
  const mx = group.records.flatMap((rr) => (rr.type === 'MX' ? [rr] : []));
  const at = group.records[0]?.position;
  if (mx.length > 1 && mx.some((rr) => rr.exchange === '')) {
    out.push(makeImportFinding('mx.null-not-alone', group.domain, group.owner, `${group.owner} has a null MX beside ${mx.length - 1} other MX records`, at));
  }
  for (const rr of mx) {
    if (rr.exchange !== '' && isIpLiteral(rr.exchange)) {
      out.push(makeImportFinding('mx.target-ip-literal', group.domain, group.owner, `MX ${rr.preference} ${rr.exchange} names an IP address, not a host`, rr.position));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------- SRV

const DEFAULT_WEIGHT = 1;

/** One SRV owner "_<service>._<proto>.<domain>". */
export function proposeSrv(group: RecordGroup): Proposal<SrvItem[]> {
  const m = /^_([^.]+)\._(tcp|udp)\./.exec(group.owner);
  if (!m) return inexpressible(`${group.owner} is not _<service>._<protocol>.<domain>`);
  const service = checkServiceName(m[1]!);
  if (!service.ok) return inexpressible(service.message);
  const items: SrvItem[] = [];
  for (const rr of group.records) {
    if (rr.type !== 'SRV') return inexpressible(`${group.owner} holds a ${rr.type}`);
    const unavailable = rr.target === '';
    if (!unavailable) {
      const checked = checkHostName(rr.target, 'target', '');
      if (!checked.ok) return inexpressible(`SRV target ${rr.target}: ${checked.message}`);
    }
    const item: SrvItem = { service: service.value, target: unavailable ? '.' : rr.target, port: rr.port };
    if (m[2] === 'udp') item.protocol = 'udp';
    if (rr.priority !== 0) item.priority = rr.priority;
    // The loader's default weight: 1, or 0 for "service not available" (RFC 2782).
    if (rr.weight !== (unavailable ? 0 : DEFAULT_WEIGHT)) item.weight = rr.weight;
    items.push(item);
  }
  return model(items);
}

export function lintSrv(group: RecordGroup): ImportFinding[] {
  const out: ImportFinding[] = [];
  if (!group.owner.startsWith('_submission._tcp.')) return out;
  for (const rr of group.records) {
    if (rr.type === 'SRV' && rr.port === 465 && rr.target !== '') {
      out.push(makeImportFinding('srv.submission-465', group.domain, group.owner, `${group.owner} points at port 465, which is implicit TLS: publish it as _submissions._tcp`, rr.position));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------- TLSA

/** One TLSA owner "_<port>._tcp.<host>", as explicit association data. */
export function proposeTlsa(group: RecordGroup): Proposal<TlsaItem[]> {
  const m = /^_(\d{1,5})\._tcp\.(.+)$/.exec(group.owner);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > LIMITS.portMax) return inexpressible(`${group.owner} is not _<port>._tcp.<host>`);
  const host = checkHostName(m[2]!, 'host', '');
  if (!host.ok) return inexpressible(`TLSA host ${m[2]}: ${host.message}`);
  const items: TlsaItem[] = [];
  for (const rr of group.records) {
    if (rr.type !== 'TLSA') return inexpressible(`${group.owner} holds a ${rr.type}`);
    if (rr.usage > 3 || rr.selector > 1 || rr.matchingType > 2) {
      return inexpressible(`TLSA ${rr.usage} ${rr.selector} ${rr.matchingType}: usage 0-3, selector 0-1 and matching type 0-2 are defined (RFC 6698 §2.1)`);
    }
    const data = checkTlsaData(rr.certificate, rr.matchingType);
    if (!data.ok) return inexpressible(`TLSA data: ${data.message}`);
    items.push({ port: Number(m[1]), host: host.value, usage: rr.usage, selector: rr.selector, matching_type: rr.matchingType, data: data.value });
  }
  return model(items);
}

export function lintTlsa(group: RecordGroup): ImportFinding[] {
  const out: ImportFinding[] = [];
  const port = Number(/^_(\d+)\./.exec(group.owner)?.[1]);
  for (const rr of group.records) {
    if (rr.type !== 'TLSA') continue;
    if (port === 25 && (rr.usage === 0 || rr.usage === 1)) {
      out.push(makeImportFinding('tlsa.bad-usage', group.domain, group.owner, `TLSA usage ${rr.usage} is unusable for SMTP: DANE SMTP uses 2 or 3 (RFC 7672 §3.1.3)`, rr.position));
    }
    if (rr.usage > 3 || rr.selector > 1 || rr.matchingType > 2 || !checkTlsaData(rr.certificate, rr.matchingType).ok) {
      out.push(makeImportFinding('tlsa.invalid', group.domain, group.owner, `TLSA ${rr.usage} ${rr.selector} ${rr.matchingType} ${rr.certificate.slice(0, 16)}… is malformed`, rr.position));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------- MTA-STS

/** RFC 8461 §3.2: the policy file's key/value lines. */
export function parseMtaStsPolicy(text: string): MtaStsModel | { reason: string } {
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: string | undefined;
  const mx: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const m = /^([A-Za-z0-9_]+):\s*(.*?)\s*$/.exec(line);
    if (!m) return { reason: `the policy file has a line that is not "key: value": ${JSON.stringify(line)}` };
    if (m[1] === 'version') version = m[2];
    else if (m[1] === 'mode') mode = m[2];
    else if (m[1] === 'max_age') maxAge = m[2];
    else if (m[1] === 'mx') mx.push(m[2]!.toLowerCase());
    else return { reason: `the policy file has a key mailrec does not write: ${m[1]}` };
  }
  if (version !== 'STSv1') return { reason: 'the policy file does not say version: STSv1' };
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { reason: `the policy file's mode ${mode ?? '(missing)'} is not enforce, testing or none` };
  if (maxAge === undefined || !/^\d{1,10}$/.test(maxAge) || Number(maxAge) > LIMITS.mtaStsMaxAge) return { reason: `the policy file's max_age ${maxAge ?? '(missing)'} is not 0..${LIMITS.mtaStsMaxAge}` };
  return { mode, max_age: Number(maxAge), mx: [...new Set(mx)].sort() };
}

/** The mta_sts: settings, from the TXT record and the policy file the repo holds (RFC 8461 §3). */
export function proposeMtaSts(group: RecordGroup, files: ReadonlyMap<string, string>): Proposal<MtaStsModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; MTA-STS needs one (RFC 8461 §3.1)`);
  const rr = group.records[0]!;
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}: the policy is hosted elsewhere`);
  const parsed = parseTagsStrict(txtText(rr));
  if (!parsed.ok) return inexpressible(`the MTA-STS record does not parse: ${parsed.reason}`);
  if (parsed.tags.some((t) => !['v', 'id'].includes(t.name))) return inexpressible('the MTA-STS record carries tags besides v= and id=');
  const path = mtaStsPolicyPath(group.domain);
  const file = files.get(path);
  if (file === undefined) return inexpressible(`the policy file ${path} is not in the repo, so the policy it serves is unknown`);
  const policy = parseMtaStsPolicy(file);
  if ('reason' in policy) return inexpressible(`${path}: ${policy.reason}`);
  return model(policy);
}

/** Two MTA-STS records that differ only in id= mean the same once the file is rewritten. */
export function sameMtaStsMeaning(a: string, b: string): boolean {
  const strip = (text: string): string => text.replace(/\bid=[^;]*/i, 'id=').replace(/\s+/g, '');
  return strip(a) === strip(b);
}

export function lintMtaSts(group: RecordGroup): ImportFinding[] {
  const out: ImportFinding[] = [];
  const at = group.records[0]?.position;
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  if (texts.length > 1) out.push(makeImportFinding('mta-sts.multiple', group.domain, group.owner, `${group.owner} publishes ${texts.length} MTA-STS records`, at));
  for (const text of texts) {
    const parsed = parseTagsStrict(text);
    const id = parsed.ok ? tagValue(parsed.tags, 'id') : undefined;
    if (!parsed.ok || parsed.tags[0]?.value !== 'STSv1' || id === undefined || !/^[A-Za-z0-9]{1,32}$/.test(id)) {
      out.push(makeImportFinding('mta-sts.syntax', group.domain, group.owner, `${group.owner}: "${text}" is not v=STSv1; id=<1 to 32 letters and digits>`, at));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------- TLS-RPT

export function proposeTlsRpt(group: RecordGroup): Proposal<TlsRptModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; TLS-RPT needs one (RFC 8460 §3)`);
  const rr = group.records[0]!;
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}`);
  const parsed = parseTagsStrict(txtText(rr));
  if (!parsed.ok) return inexpressible(`the TLS-RPT record does not parse: ${parsed.reason}`);
  if (parsed.tags.some((t) => !['v', 'rua'].includes(t.name))) return inexpressible('the TLS-RPT record carries tags besides v= and rua=');
  const rua = tagValue(parsed.tags, 'rua');
  if (rua === undefined) return inexpressible('the TLS-RPT record has no rua=');
  const out: string[] = [];
  for (const uri of rua.split(',').map((u) => u.trim())) {
    const checked = checkReportUri(uri, { what: 'rua', schemes: ['mailto', 'https'], bangIsSyntax: false });
    if (!checked.ok) return inexpressible(`rua=${rua}: ${checked.message}`);
    out.push(checked.value.replace(/^mailto:/, ''));
  }
  return model({ rua: out });
}

export function lintTlsRpt(group: RecordGroup): ImportFinding[] {
  const out: ImportFinding[] = [];
  const at = group.records[0]?.position;
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  if (texts.length > 1) out.push(makeImportFinding('tls-rpt.multiple', group.domain, group.owner, `${group.owner} publishes ${texts.length} TLS-RPT records`, at));
  for (const text of texts) {
    const parsed = parseTagsStrict(text);
    if (!parsed.ok || parsed.tags[0]?.value !== 'TLSRPTv1' || tagValue(parsed.tags, 'rua') === undefined) {
      out.push(makeImportFinding('tls-rpt.syntax', group.domain, group.owner, `${group.owner}: "${text}" is not v=TLSRPTv1; rua=<URIs>`, at));
    }
  }
  return out;
}
