// The policy file's vocabulary: the keys each mapping accepts and the values each enum allows.
// The validator reads these tables; a test holds the JSON Schema to the same tables.

import { MAX_TTL } from '../dns-types/ttl.js';
import { MTA_STS_MAX_AGE_LIMIT } from '../mail/mta-sts/limits.js';

/** Keys accepted by each kind of mapping in a policy file, in the order the docs list them. */
export const POLICY_KEYS = {
  policy: ['version', 'defaults', 'zones', 'domains', 'targets', 'dkim_keys', 'signers', 'reports'],
  defaults: ['ttl', 'spf'],
  spf: ['all', 'own_hosts'],
  zone: ['fragment', 'zone_file', 'nameservers'],
  domain: ['mail', 'senders', 'spf', 'ttl', 'mx', 'dkim', 'dmarc', 'srv', 'tlsa', 'mta_sts', 'tls_rpt', 'raw'],
  sender: ['host', 'ip4', 'ip6', 'include', 'provider', 'flatten'],
  mx: ['host', 'preference'],
  dkim: ['selector', 'key', 'state', 'created', 'published_since', 'active_since', 'active_until', 'retired_since'],
  dmarc: [
    'policy',
    'subdomain_policy',
    'nonexistent_policy',
    'testing',
    'psd',
    'rua',
    'ruf',
    'adkim',
    'aspf',
    'fo',
    'pct',
  ],
  srv: ['service', 'protocol', 'target', 'port', 'priority', 'weight'],
  tlsa: ['port', 'host', 'protocol', 'cert', 'pubkey', 'data', 'usage', 'selector', 'matching_type'],
  mta_sts: ['mode', 'max_age', 'mx'],
  tls_rpt: ['rua'],
  raw: ['name', 'type', 'value', 'ttl'],
  target: ['type', 'server', 'zones', 'key'],
  target_key: ['name', 'algorithm', 'secret_file', 'secret_env'],
  reports: ['archive', 'retention', 'mailbox'],
  mailbox: ['type', 'server', 'tls', 'user', 'password_file', 'password_env', 'folder', 'after', 'move_to', 'ca_file', 'path'],
  dkim_keys: ['dir', 'group', 'type', 'rotate_after', 'max_age', 'margin', 'grace', 'remove_after'],
  signers: ['rspamd', 'opendkim'],
  signer_rspamd: ['config', 'key_dir'],
  signer_opendkim: ['key_table', 'signing_table', 'key_dir'],
} as const satisfies Record<string, readonly string[]>;

export type KeyGroup = keyof typeof POLICY_KEYS;

/**
 * Words people reach for that are not our keys but name one: DMARC tag names,
 * the wire field names of MX. Used only to suggest the right key.
 */
export const KEY_ALIASES: Partial<Record<KeyGroup, Readonly<Record<string, string>>>> = {
  dmarc: { p: 'policy', sp: 'subdomain_policy', np: 'nonexistent_policy', t: 'testing' },
  mx: { exchange: 'host', priority: 'preference', pref: 'preference' },
  mta_sts: { maxage: 'max_age' },
  domain: { sender: 'senders', tlsrpt: 'tls_rpt', mtasts: 'mta_sts', dkim_keys: 'dkim' },
  mailbox: { host: 'server', username: 'user', login: 'user', mailbox: 'folder', starttls: 'tls', ssl: 'tls', cafile: 'ca_file' },
};

/** Values each enum allows. `spf_all` leaves out `pass`, which is refused with its reason. */
export const POLICY_ENUMS = {
  spf_all: ['fail', 'softfail', 'neutral'],
  spf_own_hosts: ['names', 'addresses'],
  mail: ['none'],
  sender_word: ['self', 'mx'],
  dkim_state: ['active', 'published', 'retired', 'removed'],
  dkim_key_type: ['ed25519', 'rsa2048', 'rsa3072'],
  dmarc_policy: ['none', 'quarantine', 'reject'],
  alignment: ['relaxed', 'strict'],
  psd: ['y', 'n', 'u'],
  srv_protocol: ['tcp', 'udp'],
  tlsa_protocol: ['tcp'],
  mta_sts_mode: ['enforce', 'testing', 'none'],
  target_type: ['rfc2136'],
  tsig_algorithm: ['hmac-sha256', 'hmac-sha512', 'hmac-sha1'],
  mailbox_type: ['imap', 'maildir', 'mbox', 'directory'],
  mailbox_tls: ['implicit', 'starttls'],
  mailbox_after: ['leave', 'seen', 'move'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Types a `raw:` record may have: those mailrec owns (DESIGN.md "Ownership"). Not an
 * enum of POLICY_ENUMS: the reader checks it, with the reason, like the other rules of raw.
 */
export const RAW_RECORD_TYPES = ['TXT', 'MX', 'SRV', 'TLSA', 'CNAME'] as const;

/** TLSA field mnemonics (RFC 7218 §2), accepted in place of the numbers. */
export const TLSA_MNEMONICS = {
  usage: { 'pkix-ta': 0, 'pkix-ee': 1, 'dane-ta': 2, 'dane-ee': 3 },
  selector: { cert: 0, spki: 1 },
  matching_type: { full: 0, 'sha2-256': 1, 'sha2-512': 2 },
} as const satisfies Record<string, Readonly<Record<string, number>>>;

/** Number limits shared by the validator and the schema (the RFC ones from their protocol's module). */
export const LIMITS = {
  /** RFC 2181 §8: a TTL is an unsigned 31-bit number. */
  ttlMax: MAX_TTL,
  portMax: 65535,
  u16Max: 65535,
  /** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
  mtaStsMaxAge: MTA_STS_MAX_AGE_LIMIT,
  pctMax: 100,
} as const;

export const DEFAULT_TTL = 3600;
export const DEFAULT_SPF_ALL = 'softfail';
export const DEFAULT_MTA_STS_MAX_AGE = 604800;
export const DEFAULT_REPORTS_ARCHIVE = 'reports';
/** RFC 8314 §3.3 (IMAP over implicit TLS) and RFC 3501 §2.1 (IMAP, upgraded with STARTTLS). */
export const IMAPS_PORT = 993;
export const IMAP_PORT = 143;

/**
 * `dkim_keys:` defaults. max_age 180 days: M3AAWG's DKIM key rotation practice (2019) asks
 * for a new key at least every six months; rotate starts 30 days earlier so that the
 * publish / activate / retire steps end before the key counts as old.
 */
export const DEFAULT_DKIM_KEYS = {
  dir: 'keys/private',
  type: 'rsa2048',
  rotateAfter: 150 * 86_400,
  maxAge: 180 * 86_400,
  margin: 3600,
  grace: 7 * 86_400,
  removeAfter: 30 * 86_400,
} as const;

/** The policy's names of the rotation instants, by the model's. */
export const DKIM_TIME_KEYS = {
  created: 'created',
  publishedSince: 'published_since',
  activeSince: 'active_since',
  activeUntil: 'active_until',
  retiredSince: 'retired_since',
} as const;

/** Where a zone's fragment goes when the policy does not say. */
export function defaultFragmentPath(apex: string): string {
  return `zones/${apex}.mail.zone`;
}
