// The normalized policy: what the loader hands to the record builders.
// Names lowercase and absolute (no trailing dot); file contents already read,
// so that everything downstream is pure. Raw YAML shapes live in the loader.

import type { SourcePosition } from '../base/errors.js';
import type { RData } from '../dns-types/rr.js';
import type { DkimKeyType } from '../mail/dkim/key-material.js';
import type { RotationKey, RotationSettings } from '../mail/dkim/rotation.js';
import type { MtaStsMode } from '../mail/mta-sts/record.js';

export type SpfAll = 'fail' | 'softfail' | 'neutral';

/** How `host:` senders are published: names (a:host, the default) or addresses (ip4:/ip6: read from the zone repo). */
export type SpfOwnHosts = 'names' | 'addresses';

export type Sender =
  | { kind: 'host'; host: string }
  | { kind: 'self' }
  | { kind: 'mx' }
  | { kind: 'ip4'; cidr: string }
  | { kind: 'ip6'; cidr: string }
  /** flatten: publish the include's addresses instead of the include (plan --resolve refreshes them). */
  | { kind: 'include'; domain: string; flatten?: true }
  | { kind: 'provider'; name: string };

export interface MxHost {
  host: string;
  preference: number;
}

/** removed: the record is gone; the entry stays so that the selector is never used again. */
export type DkimState = 'active' | 'published' | 'retired' | 'removed';

/** One DKIM key; the rotation instants (ms, RotationKey) are set only when the policy records them. */
export interface DkimKey extends RotationKey {
  selector: string;
  /** Path as written in the policy, relative to the repo root; "" when none (retired, removed). */
  keyPath: string;
  /** The PEM text read from keyPath (public or private key). Empty when retired or removed. */
  keyPem: string;
  state: DkimState;
  position: SourcePosition;
}

/** `dkim_keys:` how mailrec makes, keeps and rotates DKIM keys. Durations in seconds. */
export interface DkimKeySettings extends RotationSettings {
  /** The private key directory, relative to the repo root: git-ignored, never world-readable. */
  dir: string;
  /** A group (name or number) that may read the private keys (mode 0640): the signer's. */
  group?: string;
  /** The key type keygen makes when not told. */
  type: DkimKeyType;
  /** audit: an active key older than this is dkim.key-old. */
  maxAge: number;
  position?: SourcePosition;
}

/** `signers:` the signing configurations apply writes (paths relative to the repo root). */
export interface SignerConfigs {
  rspamd?: { config: string; keyDir?: string; position: SourcePosition };
  opendkim?: { keyTable: string; signingTable: string; keyDir?: string; position: SourcePosition };
}

export type DmarcPolicyValue = 'none' | 'quarantine' | 'reject';
export type Alignment = 'relaxed' | 'strict';

export interface DmarcPolicy {
  policy: DmarcPolicyValue;
  subdomainPolicy?: DmarcPolicyValue; // sp=
  nonexistentPolicy?: DmarcPolicyValue; // np=
  testing: boolean; // t=y
  psd?: 'y' | 'n' | 'u';
  rua: string[]; // mailto: URIs, normalized
  ruf: string[];
  adkim?: Alignment;
  aspf?: Alignment;
  fo?: string;
  /** Legacy pct=, only when the policy asks for it explicitly. */
  pct?: number;
  position: SourcePosition;
}

export type SrvService = 'submission' | 'submissions' | 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'autodiscover';

export interface SrvRecord {
  service: string; // without the leading underscore, e.g. "submissions"
  protocol: 'tcp' | 'udp';
  target: string; // "" for "service not available" (RFC 2782 target ".")
  port: number;
  priority: number;
  weight: number;
  position: SourcePosition;
}

export interface TlsaRecord {
  port: number;
  protocol: 'tcp';
  host: string;
  usage: number;
  selector: number;
  matchingType: number;
  /** One of: a certificate PEM, a public key PEM, or explicit association data (hex). */
  source:
    | { kind: 'cert'; path: string; pem: string }
    | { kind: 'pubkey'; path: string; pem: string }
    | { kind: 'data'; hex: string };
  position: SourcePosition;
}

export interface MtaStsPolicy {
  mode: MtaStsMode;
  maxAge: number;
  /** mx: patterns; default the domain's MX hosts. */
  mx?: string[];
  position: SourcePosition;
}

export interface TlsRptPolicy {
  rua: string[]; // mailto: or https: URIs
  position: SourcePosition;
}

/**
 * The escape hatch: a mail record published exactly as written (`raw:` in the policy),
 * for what the model cannot say (an SPF macro, a DKIM key with t=y, a DMARC tag
 * mailrec does not know). `mailrec import` puts there what it cannot model.
 */
export interface RawRecord {
  /** Absolute owner name, lowercase, no trailing dot. */
  name: string;
  /** undefined: the domain's TTL. */
  ttl?: number;
  /** TXT strings are kept as the character-strings given. */
  rdata: RData;
  position: SourcePosition;
}

export interface DomainPolicy {
  name: string;
  /** The apex of the zone this domain belongs to (longest match). */
  zone: string;
  ttl: number;
  /** mail: none — null MX, "v=spf1 -all", DMARC p=reject. */
  noMail: boolean;
  /** undefined: the policy says nothing about SPF for this name. */
  senders?: Sender[];
  spfAll: SpfAll;
  /** `spf: { own_hosts }`; undefined: names. */
  spfOwnHosts?: SpfOwnHosts;
  /** undefined: no MX declared; 'none': RFC 7505 null MX. */
  mx?: MxHost[] | 'none';
  dkim: DkimKey[];
  dmarc?: DmarcPolicy;
  srv: SrvRecord[];
  tlsa: TlsaRecord[];
  mtaSts?: MtaStsPolicy;
  tlsRpt?: TlsRptPolicy;
  /** Records published verbatim (`raw:`); undefined or empty when none. */
  raw?: RawRecord[];
  position: SourcePosition;
}

export interface ZoneConfig {
  apex: string;
  /** Fragment path relative to the repo root. */
  fragment: string;
  /** The zone file that $INCLUDEs the fragment, when known (SOA bump, checkzone). */
  zoneFile?: string;
  /** The authoritative servers to ask (host[:port]); default: the zone's NS RRset. */
  nameservers?: string[];
}

export interface TsigKeyRef {
  name: string;
  algorithm: 'hmac-sha256' | 'hmac-sha512' | 'hmac-sha1';
  secretFile?: string;
  secretEnv?: string;
}

export interface Rfc2136Target {
  type: 'rfc2136';
  server: string; // host[:port]
  key?: TsigKeyRef;
  /** Zones this target manages; default all zones of the policy. */
  zones?: string[];
  position: SourcePosition;
}

export type Target = Rfc2136Target;

/** What `reports fetch` does with a message whose reports are all archived. */
export type MailboxAfter = 'leave' | 'seen' | 'move';

/** Where a secret lives: a file or an environment variable, never the policy itself. */
export interface SecretRef {
  file?: string;
  env?: string;
}

/** An IMAP mailbox the `rua` reports arrive in (RFC 9051 / RFC 3501). */
export interface ImapMailbox {
  type: 'imap';
  host: string;
  port: number;
  /** implicit: TLS from the first byte (RFC 8314 §3.3, port 993); starttls: upgraded, and required (RFC 3501 §6.2.1). */
  tls: 'implicit' | 'starttls';
  user: string;
  password: SecretRef;
  folder: string;
  after: MailboxAfter;
  moveTo?: string;
  /** PEM CA certificate for a server whose certificate a private CA issued (repo path). */
  caFile?: string;
  position: SourcePosition;
}

/** Reports delivered to files: a Maildir, an mbox, or a directory of report files and messages. */
export interface LocalMailbox {
  type: 'maildir' | 'mbox' | 'directory';
  /** Repo path. */
  path: string;
  after: MailboxAfter;
  moveTo?: string;
  position: SourcePosition;
}

export type MailboxConfig = ImapMailbox | LocalMailbox;

/** `reports:`: where aggregate and TLS reports are collected from and archived. */
export interface ReportsConfig {
  /** Archive directory, relative to the repo root (default "reports"). */
  archive: string;
  /** Seconds: reports whose period ended longer ago are pruned by `reports fetch`; undefined keeps them all. */
  retentionSeconds?: number;
  mailboxes: MailboxConfig[];
  position: SourcePosition;
}

export interface Policy {
  version: 1;
  /** Files the policy was read from, in load order. */
  files: string[];
  defaults: { ttl: number; spfAll: SpfAll };
  zones: ZoneConfig[];
  domains: DomainPolicy[];
  targets: Target[];
  /** The `reports:` section, when the policy has one. */
  reports?: ReportsConfig;
  dkimKeys: DkimKeySettings;
  signers: SignerConfigs;
}
