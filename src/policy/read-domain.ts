// Reads one `domains:` entry into a DomainDraft, one reader per record family, and
// applies the rules that tie the families together within the domain.

import { isScalar } from 'yaml';
import type { MtaStsPolicy, MxHost } from './model.js';
import type { DomainDraft } from './drafts.js';
import type { ReadContext } from './read-context.js';
import { readDkim } from './read-dkim.js';
import { readDmarc } from './read-dmarc.js';
import { readMx } from './read-mx.js';
import { readRaw } from './read-raw.js';
import { readSenders, readSpf } from './read-spf.js';
import { readSrv } from './read-srv.js';
import { readMtaSts, readTlsa, readTlsRpt } from './read-transport.js';
import { APEX, checkDomainName } from './values.js';
import { KEY_ALIASES, LIMITS, POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';
import { quote } from '../base/quote.js';

export type { ReadContext } from './read-context.js';

/** The keys that make no sense for a domain that sends and receives no mail. */
const NO_MAIL_CONFLICTS = ['senders', 'spf', 'mx', 'dkim', 'srv', 'tlsa', 'mta_sts', 'tls_rpt'] as const;

export function readDomain(ctx: ReadContext, field: Field): DomainDraft | undefined {
  const { r } = ctx;
  const name = r.take({ ...field, node: null }, checkDomainName(field.name, 'domain', APEX));
  if (!field.node || (isScalar(field.node) && field.node.value === null)) {
    r.report(field.at, field.path, `domain ${field.name} has no settings`, 'give it a map of settings; mail: none for a domain that sends and receives no mail');
    return undefined;
  }
  const map = r.mapping(field, POLICY_KEYS.domain, { aliases: KEY_ALIASES.domain, what: 'a map of settings' });
  if (!map) return undefined;
  const get = <T>(key: string, read: (f: Field) => T | undefined): T | undefined => {
    const f = map.get(key);
    return f ? read(f) : undefined;
  };
  const noMail = get('mail', (f) => r.oneOf(f, POLICY_ENUMS.mail)) === 'none';
  const draft: DomainDraft = {
    // A refused name still has its settings checked, so that every issue is found at once.
    name: name ?? field.name,
    noMail,
    dkim: get('dkim', (f) => readDkim(ctx, f)) ?? [],
    srv: get('srv', (f) => readSrv(ctx, f)) ?? [],
    tlsa: get('tlsa', (f) => readTlsa(ctx, f)) ?? [],
    position: field.at,
    path: field.path,
  };
  const ttl = get('ttl', (f) => r.integer(f, 0, LIMITS.ttlMax, 'RFC 2181 §8: a TTL is 0..2147483647 seconds'));
  if (ttl !== undefined) draft.ttl = ttl;
  const senders = get('senders', (f) => readSenders(ctx, f));
  if (senders) draft.senders = senders;
  const spf = get('spf', (f) => readSpf(r, f));
  if (spf?.all) draft.spfAll = spf.all;
  if (spf?.ownHosts) draft.spfOwnHosts = spf.ownHosts;
  const mx = get('mx', (f) => readMx(ctx, f));
  if (mx) draft.mx = mx;
  const dmarc = get('dmarc', (f) => readDmarc(ctx, f));
  if (dmarc) draft.dmarc = dmarc;
  const mtaSts = get('mta_sts', (f) => readMtaSts(ctx, f));
  if (mtaSts) draft.mtaSts = mtaSts;
  const tlsRpt = get('tls_rpt', (f) => readTlsRpt(ctx, f));
  if (tlsRpt) draft.tlsRpt = tlsRpt;
  const raw = get('raw', (f) => readRaw(ctx, f, draft.name.toLowerCase()));
  if (raw && raw.length > 0) draft.raw = raw;

  if (noMail) {
    checkNoMail(r, map, draft);
  } else {
    const spfField = map.get('spf');
    if (spfField && !map.has('senders')) {
      r.report(spfField.at, spfField.path, 'spf has no effect without senders', "add senders: (senders: [] publishes 'v=spf1' and the all term alone), or remove spf");
    }
    const mtaStsField = map.get('mta_sts');
    if (mtaStsField && mtaSts) checkMtaStsHasMx(r, mtaStsField, mtaSts, map.get('mx'), mx);
  }
  return name === undefined ? undefined : draft;
}

/** `mail: none` publishes null MX, "v=spf1 -all" and DMARC p=reject; anything else contradicts it. */
function checkNoMail(r: YamlReader, map: Map<string, Field>, draft: DomainDraft): void {
  for (const key of NO_MAIL_CONFLICTS) {
    const f = map.get(key);
    if (!f) continue;
    if (key === 'mx' && draft.mx === 'none') continue;
    if (key === 'spf' && draft.spfAll === 'fail') continue;
    // A retired DKIM key (empty p=) is how a domain stops signing, a removed one publishes nothing: allowed.
    if (key === 'dkim' && draft.dkim.every((k) => k.state === 'retired' || k.state === 'removed')) continue;
    r.report(
      f.at,
      f.path,
      `${key} contradicts mail: none`,
      `a domain with mail: none sends and receives no mail (null MX, v=spf1 -all, DMARC p=reject): remove ${key}, or remove mail: none`,
    );
  }
  const dmarcField = map.get('dmarc');
  if (draft.dmarc && draft.dmarc.policy !== 'reject' && dmarcField) {
    const policyField = r.peek(dmarcField, 'policy');
    if (policyField) {
      r.refuse(policyField, `dmarc policy ${quote(draft.dmarc.policy)} contradicts mail: none`, 'a domain with mail: none publishes p=reject');
    }
  }
  draft.senders = [];
  draft.spfAll = 'fail';
  draft.mx = 'none';
  draft.dmarc = draft.dmarc ?? { policy: 'reject', testing: false, rua: [], ruf: [], position: draft.position };
}

function checkMtaStsHasMx(
  r: YamlReader,
  field: Field,
  mtaSts: MtaStsPolicy,
  mxField: Field | undefined,
  mx: MxHost[] | 'none' | undefined,
): void {
  if (mx === 'none') {
    r.report(field.at, field.path, 'mta_sts with a null MX: the domain receives no mail', 'RFC 8461 protects mail delivery to MX hosts: remove mta_sts or mx: none');
  } else if (!mtaSts.mx && !mxField) {
    r.report(field.at, field.path, "mta_sts needs the domain's MX hosts", 'declare mx:, or list the MX patterns under mta_sts.mx');
  }
}
