// DMARC (RFC 9989, obsoletes RFC 7489): the "_dmarc.<domain>" policy record and the
// "<domain>._report._dmarc.<dest>" authorizations for report destinations in our zones.
//
// Tag order is fixed: v, p, sp, np, psd, t, pct, adkim, aspf, fo, rua, ruf.
// Defaults: a tag is written exactly when the policy sets it, never because it has a
// default value, and a value set explicitly is written even when it equals the
// default (so an imported record round-trips). The exceptions: t=y only when
// testing is on (t=n is the default and never written); rua/ruf only when non-empty.
// `mail: none` forces p=reject. pct is written only when the policy asks for it,
// with a warning (RFC 9989 removed it).

import type { Alignment, DmarcPolicy, DomainPolicy } from '../policy/model.js';
import { checkDmarcRecord } from '../mail/dmarc/rules.js';
import { type BuildResult, type Notice, hasErrors, makeNotice, planNotices } from './notice.js';
import { type RR, isInZone, longestZone, normalizeName, txtRecord } from '../dns-types/rr.js';

const ALIGNMENT: Record<Alignment, string> = { relaxed: 'r', strict: 's' };

/** Add "mailto:" to a bare address, lowercase the scheme and the mail domain, and encode "," and ";" (tag-list delimiters). */
export function normalizeReportUri(uri: string): string {
  const trimmed = uri.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  let out = scheme ? `${scheme[1]!.toLowerCase()}:${trimmed.slice(scheme[0].length)}` : `mailto:${trimmed}`;
  if (out.startsWith('mailto:')) {
    const at = out.lastIndexOf('@');
    if (at > 0) out = out.slice(0, at + 1) + out.slice(at + 1).toLowerCase();
  }
  return out.replace(/,/g, '%2C').replace(/;/g, '%3B');
}

/** The mail domain of a mailto: report URI ("mailto:a@b.example!10m" -> "b.example"); undefined for other schemes. */
export function reportDestination(uri: string): string | undefined {
  if (!uri.toLowerCase().startsWith('mailto:')) return undefined;
  const address = uri.slice('mailto:'.length).split('?')[0] ?? '';
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  // RFC 7489 §6.2 allowed a "!size" suffix; it is not part of the domain.
  const domain = address.slice(at + 1).split('!')[0] ?? '';
  return domain === '' ? undefined : normalizeName(domain);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The policy record's text in the fixed tag order, with notices about the tags. */
export function compileDmarcText(domain: DomainPolicy): { text?: string; notices: Notice[] } {
  const name = `_dmarc.${domain.name}`;
  const dmarc: DmarcPolicy | undefined = domain.dmarc;
  const notices: Notice[] = [];
  if (!dmarc && !domain.noMail) return { notices };
  const position = dmarc?.position ?? domain.position;

  let p = dmarc?.policy ?? 'reject';
  if (domain.noMail && p !== 'reject') {
    notices.push(makeNotice('dmarc.no-mail-reject', name, `${domain.name} sends no mail (mail: none), so DMARC is published with p=reject instead of p=${p}`, position));
    p = 'reject';
  }
  const tags: string[] = ['v=DMARC1', `p=${p}`];
  if (dmarc?.subdomainPolicy) tags.push(`sp=${dmarc.subdomainPolicy}`);
  if (dmarc?.nonexistentPolicy) tags.push(`np=${dmarc.nonexistentPolicy}`);
  if (dmarc?.psd) tags.push(`psd=${dmarc.psd}`);
  if (dmarc?.testing) tags.push('t=y');
  if (dmarc?.pct !== undefined) {
    // RFC 7489 §6.3 (pct is gone from RFC 9989, so its parser no longer reads the value).
    if (!Number.isInteger(dmarc.pct) || dmarc.pct < 0 || dmarc.pct > 100) {
      notices.push(makeNotice('dmarc.syntax', name, `DMARC record at ${name}: pct=${dmarc.pct} is not an integer from 0 to 100`, position));
      return { notices };
    }
    tags.push(`pct=${dmarc.pct}`);
  }
  if (dmarc?.adkim) tags.push(`adkim=${ALIGNMENT[dmarc.adkim]}`);
  if (dmarc?.aspf) tags.push(`aspf=${ALIGNMENT[dmarc.aspf]}`);
  if (dmarc?.fo) tags.push(`fo=${dmarc.fo.toLowerCase()}`);
  const rua = unique((dmarc?.rua ?? []).map(normalizeReportUri));
  const ruf = unique((dmarc?.ruf ?? []).map(normalizeReportUri));
  if (rua.length > 0) tags.push(`rua=${rua.join(',')}`);
  if (ruf.length > 0) tags.push(`ruf=${ruf.join(',')}`);
  const text = tags.join('; ');
  // The record as receivers read it: plan keeps what blocks a write (syntax) and the
  // removed pct= (written only on request, with this warning).
  const checked = planNotices(checkDmarcRecord(name, text, { domain: domain.name, inherited: false }), position);
  notices.push(...checked);
  return hasErrors(checked) ? { notices } : { text, notices };
}

/**
 * The DMARC records of one domain: its policy record, plus an authorization record
 * for each external report destination that lies in one of `zones` (the policy's
 * zone apexes). A destination is internal when it is in the domain's own zone
 * (an approximation of the organizational domain, without a public suffix list).
 */
export function buildDmarc(domain: DomainPolicy, zones: readonly string[] | ReadonlySet<string>): BuildResult {
  const apexes = zones instanceof Set ? zones : new Set(zones);
  const compiled = compileDmarcText(domain);
  const records: RR[] = [];
  const notices = [...compiled.notices];
  if (compiled.text === undefined) return { records, files: [], notices };
  const name = `_dmarc.${domain.name}`;
  records.push(txtRecord(name, domain.ttl, compiled.text));

  const uris = [...(domain.dmarc?.rua ?? []), ...(domain.dmarc?.ruf ?? [])].map(normalizeReportUri);
  const destinations = unique(uris.flatMap((uri) => reportDestination(uri) ?? [])).sort();
  for (const dest of destinations) {
    if (isInZone(dest, domain.zone)) continue;
    // RFC 7489 §7.1 (kept by RFC 9989's reporting documents): the destination
    // confirms it accepts reports for this domain with a "v=DMARC1" record.
    const authName = `${domain.name}._report._dmarc.${dest}`;
    if (longestZone(dest, apexes) !== undefined) {
      records.push(txtRecord(authName, domain.ttl, 'v=DMARC1'));
    } else {
      notices.push(
        makeNotice(
          'dmarc.external-rua-unauthorized',
          name,
          `reports for ${domain.name} go to ${dest}, outside this policy's zones: ${dest} must publish ${authName} TXT "v=DMARC1" or receivers will not send them`,
          domain.dmarc?.position ?? domain.position,
        ),
      );
    }
  }
  return { records, files: [], notices };
}
