// Plain-language risk notes for a change: what a DMARC, SPF, DKIM, MX or TLSA
// change means for real mail. Pure: takes a change, returns sentences.

import { txtText, type RR } from '../dns-types/rr.js';
import { appliedDmarc, appliedStrength, parseDmarcRecord, type AppliedDmarc, type DmarcRecord } from '../mail/dmarc/record.js';
import type { Change } from './diff.js';

export interface Risk {
  level: 'high' | 'medium' | 'low';
  message: string;
}

function txtOf(records: RR[]): string | undefined {
  const rr = records[0];
  return rr && rr.type === 'TXT' ? txtText(rr) : undefined;
}

/** A DMARC record as receivers read it (the DMARC module's parser), or why they ignore it. */
function readDmarc(records: RR[]): { record?: DmarcRecord; applied?: AppliedDmarc; invalid?: string } {
  const text = txtOf(records);
  if (text === undefined) return {};
  const parsed = parseDmarcRecord(text);
  return parsed.ok ? { record: parsed.record, applied: appliedDmarc(parsed.record) } : { invalid: parsed.error };
}

function riskDmarc(change: Change): Risk[] {
  const risks: Risk[] = [];
  if (change.name.includes('._report._dmarc.')) {
    if (change.action === 'delete')
      risks.push({ level: 'medium', message: 'removes a report authorization: the other domain\'s aggregate reports stop arriving here' });
    return risks;
  }
  if (change.action === 'delete') {
    risks.push({ level: 'high', message: 'removes DMARC: receivers stop applying any policy and stop sending reports' });
    return risks;
  }
  const before = readDmarc(change.action === 'create' ? [] : change.before);
  const after = readDmarc(change.after);
  if (after.invalid !== undefined) {
    // RFC 9989 §4.10: a record that does not parse takes no part in discovery.
    risks.push({ level: 'high', message: `the new record is not valid DMARC (${after.invalid}): receivers ignore it, as if the domain had none` });
    return risks;
  }
  const was = before.applied ?? NO_DMARC;
  const now = after.applied ?? NO_DMARC;
  const labels = { p: 'policy (p=)', sp: 'subdomain policy (sp=)', np: 'non-existent subdomain policy (np=)' } as const;
  for (const tag of ['p', 'sp', 'np'] as const) {
    // sp inherits from p and np from sp: report them only when they move apart from their parent.
    const parent = tag === 'np' ? 'sp' : 'p';
    if (tag !== 'p' && was[tag] === was[parent] && now[tag] === now[parent]) continue;
    const a = appliedStrength(was[tag], was.testing);
    const b = appliedStrength(now[tag], now.testing);
    if (b > a && change.action === 'create' && tag === 'p')
      risks.push({
        level: 'medium',
        message: `publishes DMARC with p=${now.p}: mail failing DMARC will be ${b === 2 ? 'rejected' : 'quarantined'} from the start; only safe when every sender is listed in SPF or signs with DKIM`,
      });
    else if (b > a)
      risks.push({
        level: 'high',
        message: `tightens the ${labels[tag]} from ${was[tag]} to ${now[tag]}${now.testing ? ' (t=y: applied one step softer)' : ''}: mail failing DMARC from a source not yet listed in SPF or signing with DKIM will be ${b === 2 ? 'rejected' : 'quarantined'}; check the aggregate reports (mailrec dmarc simulate) first`,
      });
    else if (b < a)
      risks.push({ level: 'low', message: `loosens the ${labels[tag]} from ${was[tag]} to ${now[tag]}: spoofed mail is treated more leniently` });
  }
  if (change.action !== 'update') return risks;
  if (before.applied && was.testing !== now.testing)
    risks.push({
      level: now.testing ? 'low' : 'high',
      message: now.testing ? 'turns testing mode on (t=y): the policy is applied one step softer' : 'turns testing mode off (t=y removed): the full policy now applies',
    });
  const ruaBefore = uris(before.record);
  const ruaAfter = uris(after.record);
  if (before.record && ruaBefore !== ruaAfter)
    risks.push({
      level: ruaAfter === '' ? 'medium' : 'low',
      message: ruaAfter === '' ? 'removes the report address (rua=): no aggregate reports any more' : `changes where aggregate reports go: ${ruaBefore || '(none)'} -> ${ruaAfter}`,
    });
  for (const [tag, label] of [['adkim', 'DKIM'], ['aspf', 'SPF']] as const) {
    if (was[tag] !== now[tag] && now[tag] === 's')
      risks.push({ level: 'medium', message: `requires strict ${label} alignment: mail signed or sent from a subdomain no longer aligns` });
  }
  return risks;
}

/** No DMARC record (or one receivers ignore): nothing is applied. */
const NO_DMARC: AppliedDmarc = { p: 'none', sp: 'none', np: 'none', testing: false, adkim: 'r', aspf: 'r' };

/** The rua= destinations receivers would use, as written. */
function uris(record: DmarcRecord | undefined): string {
  return (record?.rua ?? []).map((u) => u.raw).join(',');
}

function spfTerms(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((t) => t !== '' && !/^v=spf1$/i.test(t));
}

function isAll(term: string): boolean {
  return /^[+?~-]?all$/i.test(term);
}

function riskSpf(change: Change): Risk[] {
  if (change.action === 'delete')
    return [{ level: 'high', message: 'removes SPF: receivers can no longer tell authorized senders apart; DMARC can then pass only through DKIM' }];
  if (change.action === 'create') return [];
  const before = spfTerms(txtOf(change.before));
  const after = spfTerms(txtOf(change.after));
  const risks: Risk[] = [];
  const removed = before.filter((t) => !isAll(t) && !after.includes(t));
  const added = after.filter((t) => !isAll(t) && !before.includes(t));
  if (removed.length > 0)
    risks.push({
      level: 'high',
      message: `no longer authorizes ${removed.join(', ')}: mail from there fails SPF, and fails DMARC unless DKIM-signed`,
    });
  if (added.length > 0) risks.push({ level: 'low', message: `authorizes ${added.join(', ')} to send` });
  const allBefore = before.find(isAll) ?? '?all';
  const allAfter = after.find(isAll) ?? '?all';
  if (allBefore !== allAfter)
    risks.push({
      level: allAfter.startsWith('-') ? 'medium' : 'low',
      message: `changes the default for unlisted senders from ${allBefore} to ${allAfter}`,
    });
  return risks;
}

function riskDkim(change: Change): Risk[] {
  const revoked = (records: RR[]) => /(^|;)\s*p=\s*(;|$)/.test(txtOf(records) ?? '');
  if (change.action === 'delete' || (change.action === 'update' && revoked(change.after) && !revoked(change.before)))
    return [
      {
        level: 'high',
        message: `retires DKIM selector ${change.name.split('._domainkey.')[0]}: mail still signed with it fails DKIM; make sure the signer (e.g. rspamd) has switched selectors`,
      },
    ];
  if (change.action === 'update') {
    // The same text split into other strings is the same key (RFC 6376 §3.6.2.2 concatenates them).
    if (txtOf(change.before) === txtOf(change.after))
      return [{ level: 'low', message: 'rewrites the record\'s strings or TTL; the key is unchanged' }];
    return [{ level: 'medium', message: 'replaces the DKIM key: mail signed with the old key in transit fails DKIM' }];
  }
  return [];
}

function riskMx(change: Change): Risk[] {
  if (change.action === 'delete') return [{ level: 'high', message: 'removes the MX RRset: mail falls back to the A record or bounces' }];
  if (change.action === 'update') return [{ level: 'medium', message: 'changes where mail for this name is delivered' }];
  return [];
}

/** A TLSA record's identity within its RRset: usage, selector, matching type and data. */
function tlsaValues(records: RR[]): Set<string> {
  const out = new Set<string>();
  for (const rr of records) if (rr.type === 'TLSA') out.add(`${rr.usage} ${rr.selector} ${rr.matchingType} ${rr.certificate.toLowerCase()}`);
  return out;
}

/**
 * A TLSA RRset change read as a step of the rollover RFC 7671 §8.1 describes: publish
 * the next key beside the current one, wait until every cache holds both (two TTLs),
 * switch the server, then retire the old record. A change that leaves no record of the
 * old set in place skips the overlap: DANE senders whose cache holds the old set defer
 * mail until it expires (RFC 7672 §2.2).
 */
function riskTlsa(change: Change): Risk[] {
  const ttl = change.after[0]?.ttl ?? change.before[0]?.ttl;
  const wait = ttl === undefined ? '' : ` (2 × ${ttl} s)`;
  if (change.action === 'create') return [];
  if (change.action === 'delete')
    return [
      {
        level: 'high',
        message: `removes every TLSA record: DANE senders stop authenticating this host, and until caches expire${wait} they still hold the old records, so keep the served certificate unchanged meanwhile`,
      },
    ];
  const before = tlsaValues(change.before);
  const after = tlsaValues(change.after);
  const added = [...after].filter((v) => !before.has(v));
  const removed = [...before].filter((v) => !after.has(v));
  const kept = [...after].filter((v) => before.has(v));
  if (added.length === 0 && removed.length === 0) return [{ level: 'low', message: 'changes the TTL of the TLSA records only' }];
  if (kept.length === 0)
    return [
      {
        level: 'high',
        message: `no overlap: DANE senders defer mail until caches expire${wait}; publish the new record beside the old one first, switch the certificate, then retire the old one`,
      },
    ];
  const risks: Risk[] = [];
  if (added.length > 0)
    risks.push({
      level: 'low',
      message: `publish next: wait two TTLs before switching the certificate${wait}${added.length > 1 ? ` (${added.length} records added)` : ''}`,
    });
  if (removed.length > 0)
    risks.push({
      level: 'medium',
      message: `retire old: make sure the server already serves the new key${removed.length > 1 ? ` (${removed.length} records removed)` : ''}; a DANE sender finding no remaining record that matches defers mail`,
    });
  return risks;
}

export function assessRisks(change: Change): Risk[] {
  if (change.type === 'TXT') {
    switch (change.tag) {
      case 'dmarc':
        return riskDmarc(change);
      case 'spf':
        return riskSpf(change);
      case 'dkim':
        return riskDkim(change);
      default:
        return [];
    }
  }
  if (change.type === 'MX') return riskMx(change);
  if (change.type === 'TLSA') return riskTlsa(change);
  return [];
}
