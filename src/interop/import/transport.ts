// MX (RFC 5321, RFC 7505), SRV (RFC 6186), TLSA (RFC 6698/7672), MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) records -> policy sections.

import { checkHostName, checkReportUri, checkServiceName, checkTlsaData } from '../../policy/values.js';
import { LIMITS } from '../../policy/vocabulary.js';
import { parseMtaStsPolicy } from '../../mail/mta-sts/policy.js';
import { mtaStsPolicyPath, type MtaStsMode } from '../../mail/mta-sts/record.js';
import { txtText } from '../../dns-types/rr.js';
import { tagValue } from '../../mail/tag-list.js';
import type { RecordGroup } from './classify.js';
import { checkMtaStsMultiple, checkMtaStsRecord } from '../../mail/mta-sts/rules.js';
import { checkMxRecords } from '../../mail/mx/rules.js';
import { checkSubmissionPort } from '../../mail/srv/rules.js';
import { checkTlsaRecords } from '../../mail/tlsa/rules.js';
import { checkTlsRptMultiple, checkTlsRptRecord, checkTlsRptUris } from '../../mail/tls-rpt/rules.js';
import { importFindings, type ImportFinding } from './findings.js';
import { inexpressible, model, readImportedTags, type Proposal } from './proposal.js';

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
  mode: MtaStsMode;
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
  const mx = group.records.flatMap((rr) => (rr.type === 'MX' ? [rr] : []));
  return importFindings(checkMxRecords(group.owner, mx), group.domain, group.records[0]?.position);
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
  return group.records.flatMap((rr) => {
    const problem = rr.type === 'SRV' ? checkSubmissionPort(group.owner, rr.port, rr.target) : null;
    return problem ? importFindings([problem], group.domain, rr.position) : [];
  });
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
  return group.records.flatMap((rr) => (rr.type === 'TLSA' ? importFindings(checkTlsaRecords(group.owner, [rr]), group.domain, rr.position) : []));
}

// ---------------------------------------------------------------------------------------- MTA-STS

/** The mta_sts: settings a policy file says (RFC 8461 §3.2, read by the audit's parser), or why it says more. */
function readMtaStsPolicyFile(text: string): MtaStsModel | { reason: string } {
  const { policy, problems } = parseMtaStsPolicy(text);
  if (problems.length > 0) return { reason: problems.join('; ') };
  const extension = policy.extensions[0];
  if (extension) return { reason: `the policy file has a key mailrec does not write: ${extension.key}` };
  return { mode: policy.mode as MtaStsMode, max_age: policy.maxAge!, mx: [...new Set(policy.mx)].sort() };
}

/** The mta_sts: settings, from the TXT record and the policy file the repo holds (RFC 8461 §3). */
export function proposeMtaSts(group: RecordGroup, files: ReadonlyMap<string, string>): Proposal<MtaStsModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; MTA-STS needs one (RFC 8461 §3.1)`);
  const rr = group.records[0]!;
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}: the policy is hosted elsewhere`);
  const parsed = readImportedTags(txtText(rr));
  if (!parsed.ok) return inexpressible(`the MTA-STS record does not parse: ${parsed.error}`);
  if (parsed.tags.some((t) => !['v', 'id'].includes(t.name))) return inexpressible('the MTA-STS record carries tags besides v= and id=');
  const path = mtaStsPolicyPath(group.domain);
  const file = files.get(path);
  if (file === undefined) return inexpressible(`the policy file ${path} is not in the repo, so the policy it serves is unknown`);
  const policy = readMtaStsPolicyFile(file);
  if ('reason' in policy) return inexpressible(`${path}: ${policy.reason}`);
  return model(policy);
}

/** Two MTA-STS records that differ only in id= mean the same once the file is rewritten. */
export function sameMtaStsMeaning(a: string, b: string): boolean {
  const strip = (text: string): string => text.replace(/\bid=[^;]*/i, 'id=').replace(/\s+/g, '');
  return strip(a) === strip(b);
}

export function lintMtaSts(group: RecordGroup): ImportFinding[] {
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  const problems = [...(texts.length > 1 ? [checkMtaStsMultiple(group.owner, texts)] : []), ...texts.flatMap((text) => checkMtaStsRecord(group.owner, text) ?? [])];
  return importFindings(problems, group.domain, group.records[0]?.position);
}

// ---------------------------------------------------------------------------------------- TLS-RPT

export function proposeTlsRpt(group: RecordGroup): Proposal<TlsRptModel> {
  if (group.records.length !== 1) return inexpressible(`${group.owner} has ${group.records.length} records; TLS-RPT needs one (RFC 8460 §3)`);
  const rr = group.records[0]!;
  if (rr.type !== 'TXT') return inexpressible(`${group.owner} holds a ${rr.type}`);
  const parsed = readImportedTags(txtText(rr));
  if (!parsed.ok) return inexpressible(`the TLS-RPT record does not parse: ${parsed.error}`);
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
  const texts = group.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : []));
  const problems = [
    ...(texts.length > 1 ? [checkTlsRptMultiple(group.owner, texts)] : []),
    ...texts.flatMap((text) => {
      const syntax = checkTlsRptRecord(group.owner, text);
      return syntax ? [syntax] : checkTlsRptUris(group.owner, text);
    }),
  ];
  return importFindings(problems, group.domain, group.records[0]?.position);
}
