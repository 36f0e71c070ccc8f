// The one catalogue of finding codes: for each code its severity, category, RFC section,
// one-line fix, score penalty and the stages that raise it. plan's notices, audit's
// findings and import's findings all take these from here, so a code means one problem,
// with one severity, in every stage. The README and docs/score.md are written from this
// table; a stage can only raise a code listed here for it.
//
// penalty: the share of the category's points (in percent) that the code costs when at
// least one finding with it is present (see audit/score.ts). Errors are failed required
// checks, warnings failed recommended ones; info findings cost nothing. plan refuses to
// write while it has an error.
//
// aliases: the names plan gave the same problem before the codes were unified; they are
// kept for one release (CHANGELOG.md) and shown beside the code in plan's JSON.

import type { Category, ScoredCategory, Severity } from './finding.js';

/** The stages that report findings: plan (notices), audit (findings), import (findings). */
export type Stage = 'plan' | 'audit' | 'import';

export interface CodeEntry {
  severity: Severity;
  category: Category;
  /** The RFC section the rule rests on; absent for mailrec's own rules (zone layout, import). */
  rfc?: string;
  /** A short title for tables. */
  title: string;
  fix: string;
  penalty: number;
  /** The stages that raise the code. */
  stages: readonly Stage[];
  /** Former names of the code, kept for one release (CHANGELOG.md). */
  aliases?: readonly string[];
}

export const CODES = {
  // --- SPF (RFC 7208) ---------------------------------------------------------------
  'spf.missing': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.5', penalty: 100, stages: ['audit'],
    title: 'no SPF record',
    fix: 'Publish one TXT record "v=spf1 <senders> -all" (or "v=spf1 -all" if the domain sends no mail).',
  },
  'spf.multiple': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.5', penalty: 100, stages: ['plan', 'audit', 'import'],
    aliases: ['spf.multiple-records'],
    title: 'more than one SPF record',
    fix: 'Merge the v=spf1 TXT records into one: receivers return permerror when there are several.',
  },
  'spf.syntax': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.6, §12', penalty: 100, stages: ['plan', 'audit', 'import'],
    title: 'SPF syntax error',
    fix: 'Correct the term named in the message: any syntax error makes the whole record a permerror.',
  },
  'spf.too-many-lookups': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.6.4', penalty: 60, stages: ['plan', 'audit', 'import'],
    title: 'more than 10 DNS-querying terms',
    fix: 'Bring a, mx, ptr, exists, include and redirect (counted through includes) to 10 or fewer: replace hosts by ip4:/ip6: ranges or drop unused includes.',
  },
  'spf.void-lookups': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.6.4', penalty: 40, stages: ['plan', 'audit'],
    aliases: ['spf.too-many-void-lookups'],
    title: 'more than 2 void lookups',
    fix: 'Remove the terms whose names do not exist or have no records: receivers return permerror after the second void lookup.',
  },
  'spf.mx-too-many-hosts': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.6.4', penalty: 40, stages: ['plan', 'audit'],
    aliases: ['spf.mx-too-many'],
    title: 'mx term with more than 10 MX hosts',
    fix: 'Replace the mx term by ip4:/ip6: ranges: an mx term naming more than 10 hosts is a permerror.',
  },
  'spf.loop': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.6.4, §5.2', penalty: 60, stages: ['plan', 'audit'],
    aliases: ['spf.include-loop'],
    title: 'include or redirect loop',
    fix: 'Break the include/redirect cycle: evaluation recurses until the lookup limit and returns permerror.',
  },
  'spf.include-missing': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.2', penalty: 60, stages: ['plan', 'audit'],
    aliases: ['spf.include-no-record'],
    title: 'include target without SPF record',
    fix: 'Remove the include or point it at a name that publishes v=spf1: an include of a name without SPF is a permerror.',
  },
  'spf.redirect-missing': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §6.1', penalty: 60, stages: ['plan', 'audit'],
    aliases: ['spf.include-no-record'],
    title: 'redirect target without SPF record',
    fix: 'Point redirect= at a name that publishes v=spf1: a redirect to a name without SPF is a permerror.',
  },
  'spf.pass-all': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.1', penalty: 100, stages: ['plan', 'audit', 'import'],
    title: '+all authorizes every host',
    fix: 'End the record with -all (or ~all while testing): +all lets anyone send as the domain.',
  },
  'spf.neutral-all': {
    severity: 'warning', category: 'spf', rfc: 'RFC 7208 §5.1, §8.2', penalty: 20, stages: ['audit', 'import'],
    title: '?all asserts nothing',
    fix: 'End the record with -all (or ~all): ?all gives unlisted hosts a neutral result.',
  },
  'spf.no-all': {
    severity: 'warning', category: 'spf', rfc: 'RFC 7208 §4.7', penalty: 20, stages: ['audit', 'import'],
    title: 'no all and no redirect',
    fix: 'End the record with -all (or ~all): without it unlisted hosts get the default neutral result.',
  },
  'spf.ptr': {
    severity: 'warning', category: 'spf', rfc: 'RFC 7208 §5.5', penalty: 10, stages: ['plan', 'audit', 'import'],
    title: 'ptr mechanism',
    fix: 'Replace ptr by ip4:/ip6: or a: terms: ptr is slow, unreliable and "SHOULD NOT be used".',
  },
  'spf.rrtype-spf': {
    severity: 'warning', category: 'spf', rfc: 'RFC 7208 §3.1, §14.1', penalty: 5, stages: ['audit', 'import'],
    title: 'obsolete type 99 SPF record',
    fix: 'Delete the type SPF (99) record: only TXT is used, and a stale copy misleads.',
  },
  'spf.too-long': {
    severity: 'warning', category: 'spf', rfc: 'RFC 7208 §3.4', penalty: 10, stages: ['plan', 'audit', 'import'],
    aliases: ['spf.record-long'],
    title: 'record over 450 octets',
    fix: 'Shorten the record (merge ranges, move senders into an include) to keep the answer within 512 octets over UDP.',
  },
  'spf.redirect-ignored': {
    severity: 'info', category: 'spf', rfc: 'RFC 7208 §6.1', penalty: 0, stages: ['audit', 'import'],
    title: 'redirect ignored because of all',
    fix: 'Remove either the all term or the redirect= modifier: with all present, redirect is never used.',
  },
  'spf.macro-target': {
    severity: 'info', category: 'spf', rfc: 'RFC 7208 §7', penalty: 0, stages: ['audit', 'import'],
    title: 'target depends on macros',
    fix: 'Nothing to do if intended: a target built from macros is evaluated per message, so the lookup counts are a lower bound.',
  },
  'spf.check-unknown': {
    severity: 'info', category: 'spf', rfc: 'RFC 7208 §4.6.4', penalty: 0,
    stages: ['audit'],
    title: 'SPF checks below an unanswered include not made',
    // Names in `unknownChecks` the codes whose checks could not be made: the category is
    // scored, and those penalties count as not covered (score.ts, docs/score.md).
    fix: 'Make the names in the message answerable (they are outside the zone repo, or their servers failed): the checks they decide are neither passed nor failed.',
  },
  'spf.unknown': {
    severity: 'warning', category: 'spf', rfc: 'RFC 7208 §2.6.6', penalty: 0, stages: ['audit'],
    title: 'SPF lookups failed',
    fix: 'Retry the audit, or check the name servers named in the evidence: a failed lookup is not a missing record.',
  },
  // Raised by plan only: problems of the policy itself.
  'spf.host-ip-literal': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.3', penalty: 0, stages: ['plan'],
    title: 'sender host is an IP address',
    fix: 'Declare the address as ip4: or ip6: instead of host:.',
  },
  'spf.invalid-ip4': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.6', penalty: 0, stages: ['plan'],
    title: 'ip4 sender is not an IPv4 network',
    fix: 'Write the ip4: sender as a dotted quad with an optional /0-32 prefix length.',
  },
  'spf.invalid-ip6': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.6', penalty: 0, stages: ['plan'],
    title: 'ip6 sender is not an IPv6 network',
    fix: 'Write the ip6: sender as an IPv6 address with an optional /0-128 prefix length.',
  },
  'spf.unknown-provider': {
    severity: 'error', category: 'spf', penalty: 0, stages: ['plan'],
    title: 'unknown sender provider',
    fix: "Use a provider of the built-in catalogue, or include: with the provider's SPF domain.",
  },
  'spf.too-deep': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §4.6.4', penalty: 0, stages: ['plan'],
    title: 'includes nested too deep',
    fix: 'Flatten the include chain: a tree this deep is over the lookup limit anyway.',
  },
  'spf.lookup-failed': {
    severity: 'warning', category: 'spf', penalty: 0, stages: ['plan'],
    title: 'SPF lookup failed while counting',
    fix: 'Retry, or check the name servers of the name in the message: the lookup count is a lower bound.',
  },
  'spf.remedy': {
    severity: 'info', category: 'spf', rfc: 'RFC 7208 §4.6.4', penalty: 0, stages: ['plan'],
    title: 'a way under the SPF lookup limit',
    fix: 'Pick the safest remedy that reaches 10 lookups or fewer; the count each one reaches is in the message.',
  },
  'spf.own-host-unreadable': {
    severity: 'error', category: 'spf', penalty: 0, stages: ['plan'],
    title: 'own host addresses not readable',
    fix: 'Put the host in a zone of the policy (with zone_file: so mailrec reads its A/AAAA records), or publish it by name (own_hosts: names).',
  },
  'spf.flatten-refused': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.2', penalty: 0, stages: ['plan'],
    title: 'include cannot be flattened',
    fix: 'Publish the include as it is (remove flatten: true): its tree passes hosts no fixed address list can hold.',
  },
  'spf.flatten-uncached': {
    severity: 'error', category: 'spf', penalty: 0, stages: ['plan'],
    title: 'flattened include without addresses',
    fix: 'Run mailrec plan --resolve: the fragment keeps the addresses of a flattened include once resolved.',
  },
  'spf.flatten-refresh': {
    severity: 'info', category: 'spf', penalty: 0, stages: ['plan'],
    title: 'flattened include refreshed',
    fix: 'Review the ranges the provider added and removed before applying.',
  },
  'spf.flatten-stale': {
    severity: 'error', category: 'spf', rfc: 'RFC 7208 §5.2', penalty: 40, stages: ['audit'],
    title: 'flattened include out of date',
    fix: 'Run mailrec plan --resolve and apply: the provider sends from ranges the published record no longer lists, so that mail fails SPF.',
  },

  // --- DMARC (RFC 9989, reports RFC 9990) ----------------------------------------------
  'dmarc.missing': {
    severity: 'error', category: 'dmarc', rfc: 'RFC 9989 §4.10', penalty: 100, stages: ['audit'],
    title: 'no DMARC record',
    fix: 'Publish TXT "v=DMARC1; p=none; rua=mailto:…" at _dmarc.<domain>, then move to p=quarantine or p=reject.',
  },
  'dmarc.walk-unknown': {
    severity: 'info', category: 'dmarc', rfc: 'RFC 9989 §4.10', penalty: 0,
    stages: ['audit'],
    title: 'tree walk above the domain unanswered',
    fix: 'Publish a record at _dmarc.<domain> so that no policy above it decides: a public-suffix policy could apply while the domain has none of its own.',
  },
  'dmarc.inherited': {
    severity: 'info', category: 'dmarc', rfc: 'RFC 9989 §4.10', penalty: 0, stages: ['audit'],
    title: 'policy found higher in the tree',
    fix: 'Nothing to do if intended: the record found by the tree walk applies (its sp= or np=).',
  },
  'dmarc.multiple': {
    severity: 'error', category: 'dmarc', rfc: 'RFC 9989 §4.10', penalty: 100, stages: ['plan', 'audit', 'import'],
    aliases: ['dmarc.multiple-records'],
    title: 'more than one DMARC record',
    fix: 'Keep exactly one v=DMARC1 TXT record at _dmarc.<domain>: receivers discard them all.',
  },
  'dmarc.syntax': {
    severity: 'error', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 50, stages: ['plan', 'audit', 'import'],
    aliases: ['dmarc.invalid-fo', 'dmarc.invalid-pct'],
    title: 'DMARC syntax error',
    fix: 'Correct the tag named in the message (tag=value pairs separated by ";", v=DMARC1 first).',
  },
  'dmarc.not-applied': {
    severity: 'error', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 100, stages: ['audit', 'import'],
    title: 'invalid p and no valid rua: DMARC not applied',
    fix: 'Set p=none|quarantine|reject: with an invalid p and no valid rua the record is ignored.',
  },
  'dmarc.p-invalid': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 50, stages: ['audit', 'import'],
    title: 'p missing or invalid (treated as none)',
    fix: 'Set p=none|quarantine|reject: receivers treat a missing or invalid p as p=none.',
  },
  'dmarc.not-enforcing': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 40, stages: ['audit', 'import'],
    title: 'p=none does not protect',
    fix: 'Move to p=quarantine, then p=reject, once the aggregate reports show legitimate mail aligned.',
  },
  'dmarc.testing': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 30, stages: ['audit', 'import'],
    title: 't=y: testing mode',
    fix: 'Remove t=y when the policy is ready: in testing mode receivers apply one level less than p.',
  },
  'dmarc.subdomain-weaker': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 15, stages: ['audit', 'import'],
    title: 'sp= weaker than p=',
    fix: 'Raise sp= to the strength of p= (or remove it): subdomains are a common spoofing route.',
  },
  'dmarc.np-weaker': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 10, stages: ['audit', 'import'],
    title: 'np= weaker than p=',
    fix: 'Set np=reject (or remove np=): mail from non-existent subdomains is never legitimate.',
  },
  'dmarc.removed-tag': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7, Appendix A', penalty: 5, stages: ['plan', 'audit', 'import'],
    aliases: ['dmarc.pct-removed'],
    title: 'pct, rf or ri (removed in RFC 9989)',
    fix: 'Remove pct=, rf= and ri=: RFC 9989 dropped them (use t=y instead of pct).',
  },
  'dmarc.unknown-tag': {
    severity: 'info', category: 'dmarc', rfc: 'RFC 9989 §4.7', penalty: 0, stages: ['audit', 'import'],
    title: 'unknown tag ignored',
    fix: 'Remove or correct the tag: receivers ignore unknown tags.',
  },
  'dmarc.rua-missing': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9990 §2', penalty: 15, stages: ['audit', 'import'],
    title: 'no aggregate report address',
    fix: 'Add rua=mailto:… so that receivers send aggregate reports before you enforce.',
  },
  'dmarc.uri-not-mailto': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.7, RFC 9990 §2', penalty: 10, stages: ['audit', 'import'],
    title: 'report URI is not mailto:',
    fix: 'Write each rua/ruf address as mailto:address@domain: other schemes are not used for reports.',
  },
  'dmarc.report-unauthorized': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9990 §4', penalty: 15, stages: ['audit'],
    title: 'external report destination not authorized',
    fix: 'Publish TXT "v=DMARC1" at <domain>._report._dmarc.<destination> (or *._report._dmarc.<destination>), or report to an address in your own domain.',
  },
  'dmarc.check-unknown': {
    severity: 'info', category: 'dmarc', rfc: 'RFC 9990 §4', penalty: 0,
    stages: ['audit'],
    title: 'DMARC check not made',
    // Names in `unknownChecks` the codes whose checks could not be made: the category is
    // scored, and those penalties count as not covered (score.ts, docs/score.md).
    fix: 'Make the names in the message answerable (they are outside the zone repo, or their servers failed): the check they decide is neither passed nor failed.',
  },
  'dmarc.unknown': {
    severity: 'warning', category: 'dmarc', rfc: 'RFC 9989 §4.10', penalty: 0, stages: ['audit'],
    title: 'DMARC lookups failed',
    fix: 'Retry the audit, or check the name servers named in the evidence: a failed lookup is not a missing record.',
  },
  // Raised by plan only.
  'dmarc.no-mail-reject': {
    severity: 'info', category: 'dmarc', penalty: 0, stages: ['plan'],
    title: 'no-mail domain published with p=reject',
    fix: 'Nothing to do: a domain that sends no mail (mail: none) always gets p=reject.',
  },
  'dmarc.external-rua-unauthorized': {
    severity: 'info', category: 'dmarc', rfc: 'RFC 7489 §7.1', penalty: 0, stages: ['plan'],
    title: 'report destination outside the policy must authorize reports',
    fix: 'Ask the destination to publish TXT "v=DMARC1" at <domain>._report._dmarc.<destination>, or report to an address in your own zones.',
  },

  // --- DKIM (RFC 6376, RFC 8301, RFC 8463) ----------------------------------------------
  'dkim.missing': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.2', penalty: 100, stages: ['audit'],
    title: 'declared selector has no key',
    fix: 'Publish the selector\'s TXT "v=DKIM1; k=…; p=…" at <selector>._domainkey.<domain>.',
  },
  'dkim.next-missing': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 6376 §3.6.2', penalty: 20, stages: ['audit'],
    title: 'pre-rotation selector not published',
    fix: 'Publish the next key now so that it is in caches before signing switches to it.',
  },
  'dkim.multiple': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.2.2', penalty: 100, stages: ['plan', 'audit', 'import'],
    aliases: ['dkim.multiple-records'],
    title: 'more than one key record at a selector',
    fix: 'Keep one TXT record at the selector: verifiers may pick either and fail.',
  },
  'dkim.syntax': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.2, §3.6.1', penalty: 100, stages: ['audit', 'import'],
    title: 'DKIM key record syntax error',
    fix: 'Write the key record as tag=value pairs separated by ";" with a p= tag.',
  },
  'dkim.version-invalid': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 100, stages: ['audit', 'import'],
    title: 'v= not first or not DKIM1',
    fix: 'Start the record with "v=DKIM1;" or leave v= out.',
  },
  'dkim.key-invalid': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1, RFC 8463 §4.2', penalty: 100, stages: ['audit', 'import'],
    title: 'p= is not a usable public key',
    fix: 'Publish p= as the base64 SubjectPublicKeyInfo (RSA) or the raw 32-byte key (Ed25519).',
  },
  'dkim.key-type-mismatch': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1, RFC 8463 §4.2', penalty: 100, stages: ['audit', 'import'],
    title: 'k= does not match the key',
    fix: 'Set k= to the key\'s type (k=rsa or k=ed25519) or publish the matching key.',
  },
  'dkim.key-type-unknown': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1, RFC 8463 §4.2', penalty: 100, stages: ['audit', 'import'],
    title: 'unknown k= key type',
    fix: 'Use k=rsa or k=ed25519.',
  },
  'dkim.rsa-too-short': {
    severity: 'error', category: 'dkim', rfc: 'RFC 8301 §3.2', penalty: 100, stages: ['plan', 'audit', 'import'],
    aliases: ['dkim.key-too-small'],
    title: 'RSA key under 1024 bits',
    fix: 'Rotate to an RSA key of 2048 bits (or Ed25519 beside RSA): verifiers reject keys under 1024 bits.',
  },
  'dkim.rsa-weak': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 8301 §3.2', penalty: 20, stages: ['plan', 'audit', 'import'],
    aliases: ['dkim.key-small'],
    title: 'RSA key under 2048 bits',
    fix: 'Rotate to an RSA key of 2048 bits.',
  },
  'dkim.sha1-only': {
    severity: 'error', category: 'dkim', rfc: 'RFC 8301 §3.1', penalty: 100, stages: ['audit', 'import'],
    title: 'h= allows only sha1',
    fix: 'Remove h= or include sha256: verifiers no longer accept rsa-sha1 signatures.',
  },
  'dkim.service-type': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 100, stages: ['audit', 'import'],
    title: 's= excludes email',
    fix: 'Remove s= or set s=email (or s=*): verifiers ignore a key that is not for email.',
  },
  'dkim.revoked': {
    severity: 'info', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 0, stages: ['audit', 'import'],
    title: 'key revoked (empty p=)',
    fix: 'Nothing to do for a retired key; remove the record once no signed mail can be in transit.',
  },
  'dkim.active-revoked': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 100, stages: ['audit'],
    title: 'active key is revoked (empty p=)',
    fix: 'Publish the public key at the selector, or switch signing to a selector with a key.',
  },
  'dkim.retired-not-revoked': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 10, stages: ['audit'],
    title: 'retired key still published',
    fix: 'Publish the retired selector with an empty p= (revocation) so that old signatures stop verifying.',
  },
  'dkim.rotation': {
    severity: 'info', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 0, stages: ['plan'],
    title: 'next step of a DKIM key rotation',
    fix: 'Run mailrec dkim rotate <domain> when the step is possible (a daily CI schedule does it), then mailrec apply.',
  },
  'dkim.rotation-stuck': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 0, stages: ['plan'],
    title: 'DKIM key rotation cannot go on',
    fix: 'Fix the selector states the message names in the policy (one active key, at most one published next key).',
  },
  'dkim.signer-unsafe-path': {
    severity: 'error', category: 'dkim', penalty: 0, stages: ['plan'],
    title: 'key directory a signer config cannot name',
    fix: 'Give dkim_keys.dir (or the signer key_dir) a path without quotes, braces, semicolons or white space.',
  },
  'dkim.signer-key-missing': {
    severity: 'warning', category: 'dkim', penalty: 0, stages: ['plan'],
    title: 'signer would sign with a private key that is not in the repo',
    fix: 'Create the key with mailrec dkim keygen, or set the signer key_dir to where the signer host keeps its keys.',
  },
  'dkim.signer-opendkim-ed25519': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 8463', penalty: 0, stages: ['plan'],
    title: 'OpenDKIM may not sign with an Ed25519 key',
    fix: 'Sign with rspamd, or add an RSA key beside the Ed25519 one.',
  },
  'dkim.key-old': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 6376 §3.1; M3AAWG DKIM Key Rotation BCP', penalty: 10, stages: ['audit'],
    title: 'active key older than dkim_keys.max_age',
    fix: 'Rotate the key: mailrec dkim rotate <domain> publishes the next one, then activates it once every authoritative server serves it (run it daily from CI).',
  },
  'dkim.key-mismatch': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 50, stages: ['audit'],
    title: 'private key does not match the published key',
    fix: 'Publish the public key of the private key the signer reads (mailrec plan && mailrec apply), or put back the private key whose public key the record holds: signatures made with the other key fail.',
  },
  'dkim.testing': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 10, stages: ['audit', 'import'],
    title: 't=y: testing mode',
    fix: 'Remove t=y once signing works: verifiers may treat the signatures as unsigned.',
  },
  'dkim.unknown': {
    severity: 'warning', category: 'dkim', rfc: 'RFC 6376 §6.1.2', penalty: 0, stages: ['audit'],
    title: 'DKIM lookups failed',
    fix: 'Retry the audit, or check the name servers named in the evidence: a failed lookup is not a missing record.',
  },
  // Raised by plan only.
  'dkim.duplicate-selector': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.2.1', penalty: 0, stages: ['plan'],
    title: 'selector declared twice',
    fix: 'Declare each selector once per domain: a selector names one key record.',
  },
  'dkim.key-unreadable': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 0, stages: ['plan'],
    title: 'key file is no readable PEM key',
    fix: 'Point key: at a PEM public key or an unencrypted private key (openssl pkey -in key.pem -pubout).',
  },
  'dkim.unsupported-key': {
    severity: 'error', category: 'dkim', rfc: 'RFC 6376 §3.6.1', penalty: 0, stages: ['plan'],
    title: 'key type DKIM does not define',
    fix: 'Use an RSA (2048 bits) or an Ed25519 key.',
  },
  'dkim.provider-hint': {
    severity: 'info', category: 'dkim', penalty: 0, stages: ['plan'],
    title: 'sender provider signs with DKIM',
    fix: 'Publish the DKIM records the provider asks for, under dkim: or raw:.',
  },

  // --- MX and routing (RFC 5321, RFC 7505, RFC 6186, RFC 8314) --------------------------
  'mx.missing': {
    severity: 'error', category: 'mx', rfc: 'RFC 5321 §5.1', penalty: 100, stages: ['audit'],
    title: 'no MX records',
    fix: 'Publish the MX records the policy declares.',
  },
  'mx.none-declared': {
    severity: 'warning', category: 'mx', rfc: 'RFC 5321 §5.1, RFC 7505 §3', penalty: 30, stages: ['audit'],
    title: 'neither MX nor null MX',
    fix: 'Publish MX records, or "MX 0 ." (null MX) if the domain receives no mail.',
  },
  'mx.null-not-alone': {
    severity: 'error', category: 'mx', rfc: 'RFC 7505 §3', penalty: 100, stages: ['plan', 'audit', 'import'],
    title: 'null MX beside other MX records',
    fix: 'Keep "MX 0 ." alone, or remove it: a null MX must be the only MX record.',
  },
  'mx.target-cname': {
    severity: 'error', category: 'mx', rfc: 'RFC 5321 §5.1, RFC 2181 §10.3', penalty: 40, stages: ['plan', 'audit'],
    title: 'MX target is a CNAME',
    fix: 'Point the MX at the host\'s canonical name (the CNAME target) instead.',
  },
  'mx.target-ip-literal': {
    severity: 'error', category: 'mx', rfc: 'RFC 5321 §5.1, RFC 7505 §3', penalty: 60, stages: ['plan', 'audit', 'import'],
    aliases: ['mx.ip-literal'],
    title: 'MX target is an IP address',
    fix: 'Point the MX at a host name with A/AAAA records, not at an address.',
  },
  'mx.target-no-address': {
    severity: 'error', category: 'mx', rfc: 'RFC 5321 §5.1', penalty: 60, stages: ['audit'],
    title: 'MX target has no A/AAAA',
    fix: 'Give the MX host A and/or AAAA records, or point the MX at a host that has them.',
  },
  'mx.fcrdns-missing': {
    severity: 'warning', category: 'mx', rfc: 'RFC 1912 §2.1, RFC 8601 §3', penalty: 20, stages: ['audit'],
    title: 'sending address without PTR',
    fix: 'Ask the address owner for a PTR record naming the sending host (with a matching A/AAAA).',
  },
  'mx.fcrdns-mismatch': {
    severity: 'warning', category: 'mx', rfc: 'RFC 1912 §2.1, RFC 8601 §3', penalty: 20, stages: ['audit'],
    title: 'PTR name does not resolve back',
    fix: 'Give the PTR name an A/AAAA record with the sending address (forward-confirmed reverse DNS).',
  },
  'srv.submission-465': {
    severity: 'error', category: 'mx', rfc: 'RFC 8314 §3.3, RFC 6186 §3.1', penalty: 30, stages: ['plan', 'audit', 'import'],
    title: '_submission._tcp on port 465',
    fix: 'Publish port 465 under _submissions._tcp (implicit TLS); _submission._tcp is STARTTLS on 587.',
  },
  'srv.target-unresolvable': {
    severity: 'error', category: 'mx', rfc: 'RFC 2782, RFC 6186 §3', penalty: 20, stages: ['audit'],
    title: 'SRV target has no A/AAAA',
    fix: 'Give the SRV target A/AAAA records, or use target "." to say the service is not offered.',
  },
  'dns.cname-and-other-data': {
    severity: 'error', category: 'mx', rfc: 'RFC 1034 §3.6.2, RFC 2181 §10.1', penalty: 50, stages: ['plan', 'audit'],
    aliases: ['cname.conflict'],
    title: 'CNAME beside other data',
    fix: 'Remove the CNAME or the other records at the name: a CNAME owner holds nothing else.',
  },
  'mx.check-unknown': {
    severity: 'info', category: 'mx', rfc: 'RFC 5321 §5.1', penalty: 0,
    stages: ['audit'],
    title: 'MX host checks not made',
    // Names in `unknownChecks` the codes whose checks could not be made: the category is
    // scored, and those penalties count as not covered (score.ts, docs/score.md).
    fix: 'Make the names in the message answerable (they are outside the zone repo, or their servers failed): the host checks they decide are neither passed nor failed.',
  },
  'mx.unknown': {
    severity: 'warning', category: 'mx', rfc: 'RFC 5321 §5.1', penalty: 0, stages: ['audit'],
    title: 'MX lookups failed',
    fix: 'Retry the audit, or check the name servers named in the evidence: a failed lookup is not a missing record.',
  },
  // Raised by plan only.
  'mx.invalid-preference': {
    severity: 'error', category: 'mx', rfc: 'RFC 1035 §3.3.9', penalty: 0, stages: ['plan'],
    title: 'MX preference out of range',
    fix: 'Give each MX host a preference from 0 to 65535.',
  },
  'srv.invalid-field': {
    severity: 'error', category: 'mx', rfc: 'RFC 2782', penalty: 0, stages: ['plan'],
    title: 'SRV priority, weight or port out of range',
    fix: 'Give priority, weight and port as integers from 0 to 65535.',
  },
  'srv.ip-literal': {
    severity: 'error', category: 'mx', rfc: 'RFC 2782', penalty: 0, stages: ['plan'],
    title: 'SRV target is an IP address',
    fix: 'Point the SRV record at a host name with A/AAAA records.',
  },
  'srv.nonstandard-port': {
    severity: 'info', category: 'mx', rfc: 'RFC 6186 §3', penalty: 0, stages: ['plan'],
    title: 'service on a non-standard port',
    fix: 'Nothing to do if intended: clients that guess ports use the standard one.',
  },
  'srv.target-cname': {
    severity: 'error', category: 'mx', rfc: 'RFC 2782', penalty: 0, stages: ['plan'],
    title: 'SRV target is a CNAME',
    fix: "Point the SRV record at the host's canonical name (the CNAME target) instead.",
  },

  // --- Transport security (RFC 7672, RFC 8461, RFC 8460) --------------------------------
  'transport.none': {
    severity: 'warning', category: 'transport', rfc: 'RFC 8461 §1, RFC 7672 §1.3', penalty: 70, stages: ['audit'],
    title: 'neither MTA-STS nor DANE',
    fix: 'Publish an MTA-STS policy (_mta-sts TXT + https policy) or TLSA records under DNSSEC, so that senders require TLS.',
  },
  'tlsa.no-dnssec': {
    severity: 'warning', category: 'transport', rfc: 'RFC 7672 §2.2', penalty: 50, stages: ['audit'],
    title: 'TLSA without DNSSEC',
    fix: 'Sign the zone with DNSSEC: senders ignore TLSA records that do not validate.',
  },
  'tlsa.bad-usage': {
    severity: 'error', category: 'transport', rfc: 'RFC 7672 §3.1.3', penalty: 50, stages: ['plan', 'audit', 'import'],
    aliases: ['tlsa.smtp-usage'],
    title: 'TLSA usage 0 or 1 for SMTP',
    fix: 'Use usage 3 (DANE-EE) or 2 (DANE-TA) on port 25: SMTP clients treat 0 and 1 as unusable.',
  },
  'tlsa.invalid': {
    severity: 'error', category: 'transport', rfc: 'RFC 6698 §2.1', penalty: 50, stages: ['plan', 'audit', 'import'],
    aliases: ['tlsa.invalid-data', 'tlsa.invalid-parameters'],
    title: 'malformed TLSA record',
    fix: 'Correct the selector, matching type or data length (3 1 1 = 32-byte SHA-256 of the public key).',
  },
  'tlsa.no-rollover': {
    severity: 'info', category: 'transport', rfc: 'RFC 7671 §8.1', penalty: 0, stages: ['audit'],
    title: 'no rollover TLSA record',
    fix: 'Publish the next key\'s "3 1 1" (or a "2 x x" for the issuing CA) beside the current one before rotating.',
  },
  'mta-sts.syntax': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.1', penalty: 50, stages: ['audit', 'import'],
    title: 'MTA-STS TXT syntax error',
    fix: 'Publish TXT "v=STSv1; id=<1-32 letters or digits>" at _mta-sts.<domain>.',
  },
  'mta-sts.multiple': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.1', penalty: 50, stages: ['plan', 'audit', 'import'],
    aliases: ['mta-sts.multiple-records'],
    title: 'more than one MTA-STS TXT record',
    fix: 'Keep one v=STSv1 TXT record at _mta-sts.<domain>: senders ignore the policy otherwise.',
  },
  'tls-rpt.missing': {
    severity: 'warning', category: 'transport', rfc: 'RFC 8460 §3', penalty: 30, stages: ['audit'],
    title: 'no TLS-RPT record',
    fix: 'Publish TXT "v=TLSRPTv1; rua=mailto:…" at _smtp._tls.<domain> to hear about TLS failures.',
  },
  'tls-rpt.syntax': {
    severity: 'error', category: 'transport', rfc: 'RFC 8460 §3', penalty: 30, stages: ['plan', 'audit', 'import'],
    title: 'TLS-RPT TXT syntax error',
    fix: 'Publish TXT "v=TLSRPTv1; rua=mailto:…" (or https:) at _smtp._tls.<domain>.',
  },
  'tls-rpt.multiple': {
    severity: 'error', category: 'transport', rfc: 'RFC 8460 §3', penalty: 30, stages: ['plan', 'audit', 'import'],
    aliases: ['tls-rpt.multiple-records'],
    title: 'more than one TLS-RPT record',
    fix: 'Keep one v=TLSRPTv1 TXT record at _smtp._tls.<domain>.',
  },
  // Live probes of the MX hosts and the MTA-STS policy host (src/audit/probe/).
  'transport.no-starttls': {
    severity: 'error', category: 'transport', rfc: 'RFC 3207 §4, RFC 7672 §2.2', penalty: 60, stages: ['audit'],
    title: 'MX does not offer STARTTLS',
    fix: 'Enable STARTTLS on the MX (Postfix: smtpd_tls_security_level=may with a certificate): without it mail travels in clear, and DANE or MTA-STS senders defer it.',
  },
  'transport.tls-failed': {
    severity: 'error', category: 'transport', rfc: 'RFC 3207 §4, RFC 7672 §2.2', penalty: 60, stages: ['audit'],
    title: 'STARTTLS handshake fails',
    fix: 'Fix the MX TLS setup (certificate, key, protocol versions) named in the message: senders that require TLS defer mail.',
  },
  'transport.smtp-protocol': {
    severity: 'warning', category: 'transport', rfc: 'RFC 5321 §4.5.3.1, §4.2', penalty: 20, stages: ['audit'],
    title: 'MX breaks SMTP or size limits',
    fix: 'Correct the greeting, EHLO reply or certificate chain named in the message: senders give up on a server that exceeds protocol limits.',
  },
  'transport.probe-failed': {
    severity: 'warning', category: 'transport', rfc: 'RFC 5321 §4.5.3.2', penalty: 0, stages: ['audit'],
    title: 'MX could not be probed',
    fix: 'Check that the MX accepts connections on port 25 from where the audit runs (firewall, timeouts): STARTTLS, certificate and TLSA match are unknown.',
  },
  'transport.cert-expired': {
    severity: 'error', category: 'transport', rfc: 'RFC 5280 §4.1.2.5, RFC 8461 §4.2', penalty: 40, stages: ['audit'],
    title: 'MX certificate expired',
    fix: 'Renew the MX certificate (publish the new key\'s TLSA first when DANE is used): MTA-STS senders defer mail to a host with an expired certificate.',
  },
  'transport.cert-expiring': {
    severity: 'warning', category: 'transport', rfc: 'RFC 5280 §4.1.2.5', penalty: 10, stages: ['audit'],
    title: 'MX certificate expires within 14 days',
    fix: 'Renew the MX certificate now; with DANE, publish the next key\'s TLSA record two TTLs before switching.',
  },
  'transport.cert-name-mismatch': {
    severity: 'warning', category: 'transport', rfc: 'RFC 8461 §4.2, RFC 7672 §3.2', penalty: 20, stages: ['audit'],
    title: 'MX certificate does not name the MX host',
    fix: 'Serve a certificate whose subjectAltName holds the MX host name: MTA-STS (and DANE-TA) senders check it; DANE-EE alone does not.',
  },
  'tlsa.match': {
    severity: 'info', category: 'transport', rfc: 'RFC 7672 §3.1', penalty: 0, stages: ['audit'],
    title: 'a TLSA record matches the served certificate',
    fix: 'Nothing to do; keep the next key\'s record published beside it before any certificate change.',
  },
  'tlsa.no-match': {
    severity: 'error', category: 'transport', rfc: 'RFC 7672 §3.1, §2.2', penalty: 100, stages: ['audit'],
    title: 'no TLSA record matches the served certificate',
    fix: 'Publish the TLSA record of the key the MX serves now (mailrec plan / apply), or switch the MX back to the key the records name: DANE senders defer mail meanwhile.',
  },
  'tlsa.not-validated': {
    severity: 'warning', category: 'transport', rfc: 'RFC 7672 §2.2, RFC 4035 §3.2.3', penalty: 0, stages: ['audit'],
    title: 'TLSA DNSSEC status not known',
    fix: 'Audit through a validating resolver (one that sets the AD bit, e.g. unbound) to learn whether senders can use the TLSA records.',
  },
  'mta-sts.policy-unreachable': {
    severity: 'warning', category: 'transport', rfc: 'RFC 8461 §3.3', penalty: 0, stages: ['audit'],
    title: 'MTA-STS policy host could not be reached',
    fix: 'Check that https://mta-sts.<domain>/ answers from where the audit runs: the policy could not be checked.',
  },
  'mta-sts.policy-fetch-failed': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.3', penalty: 60, stages: ['audit'],
    title: 'MTA-STS policy not served correctly',
    fix: 'Serve the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt with status 200, no redirect, and a certificate valid for mta-sts.<domain>.',
  },
  'mta-sts.policy-syntax': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.2', penalty: 60, stages: ['audit'],
    title: 'MTA-STS policy invalid',
    fix: 'Serve "version: STSv1", "mode: enforce|testing|none", one "mx:" line per MX pattern and "max_age:" of at most 31557600, one per line.',
  },
  'mta-sts.policy-content-type': {
    severity: 'warning', category: 'transport', rfc: 'RFC 8461 §3.2', penalty: 5, stages: ['audit'],
    title: 'MTA-STS policy not served as text/plain',
    fix: 'Serve the policy file with Content-Type: text/plain.',
  },
  'mta-sts.mx-not-covered': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §4.1', penalty: 60, stages: ['plan', 'audit'],
    title: 'an MX matches no mx: pattern (enforce)',
    fix: 'Add the MX host (or a "*." pattern for it) to the policy\'s mx: lines and change the _mta-sts id: enforcing senders do not deliver to it.',
  },
  'mta-sts.mx-not-covered-testing': {
    severity: 'warning', category: 'transport', rfc: 'RFC 8461 §4.1, §5', penalty: 10, stages: ['audit'],
    title: 'an MX matches no mx: pattern (testing)',
    fix: 'Add the MX host to the policy\'s mx: lines before moving to mode enforce.',
  },
  'mta-sts.policy-drift': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.2', penalty: 0, stages: ['audit'],
    title: 'served MTA-STS policy differs from the policy',
    fix: 'Publish the policy file mailrec generated (mta-sts/<domain>/.well-known/mta-sts.txt) on the policy host, with its _mta-sts id.',
  },
  'mta-sts.id-unchanged': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.1, §5.1', penalty: 30, stages: ['audit'],
    title: 'policy changed but the _mta-sts id did not',
    fix: 'Change the id= of the _mta-sts TXT record whenever the policy changes: senders refetch the policy only when the id changes.',
  },
  'tls-rpt.rua-invalid': {
    severity: 'error', category: 'transport', rfc: 'RFC 8460 §3', penalty: 30, stages: ['plan', 'audit', 'import'],
    aliases: ['tls-rpt.invalid-rua'],
    title: 'TLS-RPT rua URI invalid',
    fix: 'Write each rua entry as mailto:address@domain or an https:// URL with a host, separated by commas.',
  },
  'transport.check-unknown': {
    severity: 'info', category: 'transport', rfc: 'RFC 7672 §2.2', penalty: 0,
    stages: ['audit'],
    title: 'DANE checks of MX hosts not made',
    // Names in `unknownChecks` the codes whose checks could not be made: the category is
    // scored, and those penalties count as not covered (score.ts, docs/score.md).
    fix: 'Make the names in the message answerable (they are outside the zone repo, or their servers failed): the checks they decide are neither passed nor failed.',
  },
  'transport.unknown': {
    severity: 'warning', category: 'transport', rfc: 'RFC 7672 §2.2', penalty: 0, stages: ['audit'],
    title: 'transport lookups failed',
    fix: 'Retry the audit, or check the name servers named in the evidence: a failed lookup is not a missing record.',
  },
  // Raised by plan only.
  'tlsa.cert-unreadable': {
    severity: 'error', category: 'transport', rfc: 'RFC 6698 §2.1', penalty: 0, stages: ['plan'],
    title: 'certificate file unreadable',
    fix: 'Point cert: at a PEM X.509 certificate (the first one of a bundle is used).',
  },
  'tlsa.key-unreadable': {
    severity: 'error', category: 'transport', rfc: 'RFC 6698 §2.1', penalty: 0, stages: ['plan'],
    title: 'key file unreadable',
    fix: 'Point pubkey: at a PEM public key or an unencrypted private key.',
  },
  'tlsa.selector-needs-cert': {
    severity: 'error', category: 'transport', rfc: 'RFC 6698 §2.1', penalty: 0, stages: ['plan'],
    title: 'selector 0 needs a certificate',
    fix: 'Use selector 1 with a key file, or give the certificate for selector 0.',
  },
  'mta-sts.invalid-max-age': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.2', penalty: 0, stages: ['plan'],
    title: 'max_age out of range',
    fix: 'Set max_age to an integer from 0 to 31557600 seconds.',
  },
  'mta-sts.no-mx': {
    severity: 'error', category: 'transport', rfc: 'RFC 8461 §3.2', penalty: 0, stages: ['plan'],
    title: 'MTA-STS policy without mx patterns',
    fix: "Declare the domain's MX hosts, or list the patterns under mta_sts.mx.",
  },

  // --- Drift against the policy (added by the plan engine through auditDomain) ----------
  'drift.missing': {
    severity: 'error', category: 'drift', rfc: 'mailrec policy', penalty: 0, stages: ['audit'],
    title: 'declared record missing',
    fix: 'Run mailrec plan and mailrec apply.',
  },
  'drift.unexpected': {
    severity: 'warning', category: 'drift', rfc: 'mailrec policy', penalty: 0, stages: ['audit'],
    title: 'record not in the policy',
    fix: 'Declare the record in the policy, or run mailrec apply to remove it.',
  },
  'drift.changed': {
    severity: 'error', category: 'drift', rfc: 'mailrec policy', penalty: 0, stages: ['audit'],
    title: 'record differs from the policy',
    fix: 'Run mailrec plan and mailrec apply.',
  },
  'drift.signer': {
    severity: 'error', category: 'drift', rfc: 'mailrec policy', penalty: 0, stages: ['audit'],
    title: 'signer config differs from the policy',
    fix: 'Run mailrec apply: it writes the signer configs (signers:) with the active selector of each domain; then reload the signer.',
  },
  'drift.foreign': {
    severity: 'info', category: 'drift', rfc: 'mailrec policy', penalty: 0, stages: ['audit'],
    title: 'record owned by another tool',
    // Foreign: at a name where the policy declares records, a record mailrec never owns
    // (DESIGN.md "Ownership"): a TXT without mailrec's tag, or a CNAME someone else set.
    fix: 'Nothing to do for a TXT without a v=spf1/DMARC1/DKIM1/STSv1/TLSRPTv1 tag (site verifications, other tools): mailrec never touches it. A CNAME hides every record the policy declares at its name: remove the CNAME, or those records from the policy.',
  },

  // --- The zone as a whole (plan) ------------------------------------------------------
  'zone.outside': {
    severity: 'error', category: 'zone', penalty: 0, stages: ['plan'],
    title: "record in none of the policy's zones",
    fix: 'Add the zone that holds the name under zones:, or remove the entry.',
  },
  'zone.conflict': {
    severity: 'error', category: 'zone', penalty: 0, stages: ['plan'],
    title: 'zone file holds a record the fragment owns',
    fix: "Remove the record from the zone file, so that only the fragment's record is published.",
  },
  'zone.record-unwritable': {
    severity: 'error', category: 'zone', rfc: 'RFC 1035 §2.3.4, RFC 1123 §2.1', penalty: 0, stages: ['plan'],
    title: 'record a zone file cannot hold',
    fix: 'Change the entry named in the message: a name over 255 octets, a character a zone file reads as syntax, or an owner BIND wants as a host name (check-names) makes BIND refuse the whole zone.',
  },
  'zone.record-too-long': {
    severity: 'error', category: 'zone', rfc: 'RFC 1035 §3.2.1', penalty: 0, stages: ['plan'],
    title: 'record data over 65,535 octets',
    fix: 'Shorten the value (a report address, a URI, a raw: text): RDATA holds at most 65,535 octets, and BIND refuses the whole zone over one longer record.',
  },
  'zone.txt-too-large': {
    severity: 'error', category: 'zone', rfc: 'RFC 7766 §1', penalty: 0, stages: ['plan'],
    title: 'TXT records over a 1232-octet UDP answer',
    fix: 'Shorten or split the TXT records at the name; or pass --allow-large-txt when every resolver that matters retries over TCP.',
  },
  'zone.include-not-read': {
    severity: 'warning', category: 'zone', penalty: 0, stages: ['plan'],
    title: '$INCLUDE outside the zone repo not read',
    fix: 'Move the included file into the zone repo, or pass --allow-outside with its directory: until then plan cannot check the records it holds.',
  },
  'zone.serial-behind': {
    severity: 'warning', category: 'zone', rfc: 'RFC 1034 §4.3.5', penalty: 0, stages: ['plan'],
    title: 'zone serial behind its fragment',
    fix: 'Run mailrec apply --bump-serial (or raise the SOA serial by hand): a secondary transfers the zone only when the serial grows.',
  },
  'rrset.ttl-mismatch': {
    severity: 'warning', category: 'zone', rfc: 'RFC 2181 §5.2', penalty: 0, stages: ['plan'],
    title: 'records of one RRset with different TTLs',
    fix: 'Give the records of one name and type the same TTL; mailrec publishes the lowest.',
  },

  // --- What became of an imported record (import) --------------------------------------
  'import.raw': {
    severity: 'info', category: 'import', penalty: 0, stages: ['import'],
    title: 'record kept under raw:',
    fix: 'The record is published exactly as written from the raw: list; replace the entry with policy keys when you want mailrec to manage it.',
  },
  'import.rewritten': {
    severity: 'info', category: 'import', penalty: 0, stages: ['import'],
    title: 'record rewritten in canonical form',
    fix: "Nothing to do: the next apply writes the record in mailrec's canonical form, with the same meaning.",
  },
  'import.fixed': {
    severity: 'info', category: 'import', penalty: 0, stages: ['import'],
    title: 'plan adds a missing record',
    fix: 'Review the change in mailrec plan; the next apply publishes it.',
  },
  'import.outside-zone': {
    severity: 'warning', category: 'import', penalty: 0, stages: ['import'],
    title: 'record outside the imported zones',
    fix: 'Import the zone the record belongs to (--zone-file with its --origin), or remove the record.',
  },
  'import.unnameable': {
    severity: 'warning', category: 'import', penalty: 0, stages: ['import'],
    title: 'owner name a policy cannot hold',
    fix: 'Rename the owner in the zone file if it is a mistake: a name with "/" or an escaped dot cannot be a mail domain, and mailrec leaves the record where it is.',
  },
  'import.not-owned': {
    severity: 'info', category: 'import', penalty: 0, stages: ['import'],
    title: 'record mailrec does not manage',
    fix: 'Nothing to do: the record stays where it is; mailrec does not manage it.',
  },
  'import.plan-refused': {
    severity: 'error', category: 'import', penalty: 0, stages: ['import'],
    title: 'plan refuses the estate as read',
    fix: 'Fix the record in the policy (its raw: entry): mailrec plan refuses to publish a record set the RFCs forbid.',
  },
  'import.unreproduced': {
    severity: 'warning', category: 'import', penalty: 0, stages: ['import'],
    title: 'plan differs from the source',
    fix: 'mailrec plan will show this difference; review it before apply.',
  },
} as const satisfies Record<string, CodeEntry>;

export type Code = keyof typeof CODES;

const ENTRIES: Readonly<Record<string, CodeEntry>> = CODES;

/** Former name -> code (the first code that lists it). */
const ALIASES: ReadonlyMap<string, Code> = new Map(
  (Object.entries(ENTRIES) as [Code, CodeEntry][]).flatMap(([code, entry]) => (entry.aliases ?? []).map((alias): [string, Code] => [alias, code])).reverse(),
);

/** The code itself, or the code a former name now goes by; undefined for an unknown code. */
export function canonicalCode(code: string): Code | undefined {
  return code in ENTRIES ? (code as Code) : ALIASES.get(code);
}

/** The code's catalogue entry (a former name finds its code's), or undefined for a code not in the catalogue. */
export function codeEntry(code: string): CodeEntry | undefined {
  const canonical = canonicalCode(code);
  return canonical === undefined ? undefined : ENTRIES[canonical];
}

/** The entry of a code `stage` raises; a code the catalogue does not list for the stage is a bug. */
export function entryFor(code: Code, stage: Stage): CodeEntry {
  const entry = ENTRIES[code];
  if (!entry?.stages.includes(stage)) throw new Error(`${stage} raised ${code}, which the catalogue (src/base/codes.ts) does not list for ${stage}`);
  return entry;
}

/** Whether `stage` raises the code: the stage's filter over what a rule reports. */
export function raisedBy(code: Code, stage: Stage): boolean {
  return ENTRIES[code]?.stages.includes(stage) ?? false;
}

/** The `<category>.unknown` code for a scored category. */
export const UNKNOWN_CODE = {
  spf: 'spf.unknown',
  dmarc: 'dmarc.unknown',
  dkim: 'dkim.unknown',
  mx: 'mx.unknown',
  transport: 'transport.unknown',
} as const satisfies Record<ScoredCategory, Code>;

/** The `<category>.check-unknown` code of the categories whose checks can be unknown one by one. */
export const CHECK_UNKNOWN_CODE = {
  spf: 'spf.check-unknown',
  dmarc: 'dmarc.check-unknown',
  mx: 'mx.check-unknown',
  transport: 'transport.check-unknown',
} as const satisfies Partial<Record<ScoredCategory, Code>>;
