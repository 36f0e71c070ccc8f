// The JSON Schema (draft 2020-12) of the policy file, printed by `mailrec schema` for editors.
// Written out by hand for its descriptions; a test holds it to the validator's vocabulary.

/** The subset of JSON Schema this file uses (the test's checker knows exactly these keywords). */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'null';
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: string[];
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  enum?: (string | number | boolean)[];
  const?: string | number | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  not?: JsonSchema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  examples?: unknown[];
}

const NAME_PATTERN = '^(\\*\\.)?[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?$';
const DOMAIN_PATTERN = '^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)+\\.?$';
/** Zone apexes and their domains: one label is enough, as for BIND (values.ts APEX). */
const APEX_PATTERN = '^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?$';
/** Relative, no "..", none of the characters a zone file or shell reads as syntax. */
const PATH_PATTERN = '^(?!/)(?!~)(?!.*(^|/)\\.\\.(/|$))[^\\s"\'`;$()\\\\]+$';

const domainName = (description: string, pattern = DOMAIN_PATTERN): JsonSchema => ({
  type: 'string',
  description,
  pattern,
  maxLength: 254,
});
const repoPath = (description: string): JsonSchema => ({ type: 'string', description, pattern: PATH_PATTERN });
const int = (minimum: number, maximum: number, description: string, dflt?: number): JsonSchema => ({
  type: 'integer',
  minimum,
  maximum,
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const ttl = int(0, 2147483647, 'TTL in seconds (RFC 2181 §8: 0..2147483647).');
const INSTANT_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$';
const instant = (description: string): JsonSchema => ({ type: 'string', description, pattern: INSTANT_PATTERN, examples: ['2026-05-03T12:00:00Z'] });
const duration = (description: string, dflt: string): JsonSchema => ({
  description,
  default: dflt,
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^[0-9]+\\s*[smhdw]?$' },
  ],
});
const signerKeyDir: JsonSchema = {
  type: 'string',
  description: "Where the signer reads the private keys, as its host sees it (absolute). Default: the repo's dkim_keys.dir as an absolute path, right when mailrec runs on the signing host.",
  pattern: '^/[^\\s"\'\\\\$:#;{}\\[\\]]*$',
};
const dmarcPolicy = (description: string): JsonSchema => ({ enum: ['none', 'quarantine', 'reject'], description });
const reportUris = (description: string): JsonSchema => ({
  description,
  anyOf: [
    { type: 'string', pattern: '^[^\\s,;]+$' },
    { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s,;]+$' } },
  ],
});
const tlsaNumber = (maximum: number, mnemonics: string[], description: string, dflt: number): JsonSchema => ({
  description,
  default: dflt,
  anyOf: [
    { type: 'integer', minimum: 0, maximum },
    { type: 'string', enum: mnemonics },
  ],
});
const oneKey = (key: string, value: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { [key]: value },
  required: [key],
  additionalProperties: false,
});
const spf: JsonSchema = {
  type: 'object',
  description: 'SPF settings.',
  properties: {
    all: {
      enum: ['fail', 'softfail', 'neutral'],
      description: 'The final all term: fail (-all), softfail (~all) or neutral (?all). pass (+all) is refused: it lets anyone send (RFC 7208 §5.1).',
    },
    own_hosts: {
      enum: ['names', 'addresses'],
      description: 'How host: senders are published: names (a:host, default) or addresses (ip4:/ip6: read from the zone repo in the same plan). A domain setting, not a default.',
    },
  },
  anyOf: [{ required: ['all'] }, { required: ['own_hosts'] }],
  additionalProperties: false,
};

export const POLICY_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:mailrec:policy:1',
  title: 'mailrec policy',
  description:
    'Who sends and receives mail for each domain; mailrec turns it into SPF, DKIM, DMARC, MX, SRV, TLSA, MTA-STS and TLS-RPT records. Paths are relative to the zone repo root. Unknown keys are errors.',
  type: 'object',
  properties: {
    version: { const: 1, description: 'Format version; this mailrec reads version 1.' },
    defaults: { $ref: '#/$defs/defaults' },
    zones: {
      type: 'object',
      description: 'Zone apexes. Each domain belongs to its longest matching zone. With no zones, only two-label domains are taken as zones.',
      propertyNames: domainName('Zone apex.', APEX_PATTERN),
      additionalProperties: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/zone' }] },
    },
    domains: {
      type: 'object',
      description: 'Mail domains and what they publish.',
      propertyNames: domainName('Domain name.', APEX_PATTERN),
      additionalProperties: { $ref: '#/$defs/domain' },
    },
    targets: {
      type: 'array',
      description: 'Where apply goes besides zone fragments: RFC 2136 dynamic updates. A zone is managed as files or by updates, not both.',
      items: { $ref: '#/$defs/target' },
    },
    reports: { $ref: '#/$defs/reports' },
    dkim_keys: { $ref: '#/$defs/dkim_keys' },
    signers: { $ref: '#/$defs/signers' },
  },
  required: ['version'],
  additionalProperties: false,
  $defs: {
    defaults: {
      type: 'object',
      description: 'Values every domain gets unless it sets its own.',
      properties: {
        ttl: { ...ttl, default: 3600 },
        spf: { ...spf, description: 'Default SPF settings (all: softfail when not given).' },
      },
      additionalProperties: false,
    },
    spf,
    zone: {
      type: 'object',
      description: 'A zone apex and where its records go.',
      properties: {
        fragment: repoPath('The BIND fragment mailrec writes; default zones/<apex>.mail.zone.'),
        zone_file: repoPath('The zone file that $INCLUDEs the fragment (for the SOA serial and named-checkzone).'),
        nameservers: {
          type: 'array',
          minItems: 1,
          description: "The zone's authoritative servers (host[:port]) that dkim rotate asks before it activates a key; default: the zone's NS RRset and their addresses.",
          items: { type: 'string', examples: ['192.0.2.53', '[2001:db8::53]:53'] },
        },
      },
      additionalProperties: false,
    },
    domain: {
      type: 'object',
      description: 'One mail domain.',
      properties: {
        mail: {
          enum: ['none'],
          description: 'none: the domain sends and receives no mail: null MX, "v=spf1 -all", DMARC p=reject. Contradicts senders, mx, dkim (unless retired), srv, tlsa, mta_sts, tls_rpt.',
        },
        senders: {
          type: 'array',
          description: 'Who may send as this domain; becomes the SPF record. An empty list publishes the all term alone.',
          items: { $ref: '#/$defs/sender' },
        },
        spf: { $ref: '#/$defs/spf' },
        ttl,
        mx: {
          description: 'MX hosts, or none for a null MX (RFC 7505).',
          anyOf: [{ const: 'none' }, { type: 'array', minItems: 1, items: { $ref: '#/$defs/mx' } }],
        },
        dkim: { type: 'array', description: 'DKIM keys by selector (RFC 6376, RFC 8463).', items: { $ref: '#/$defs/dkim' } },
        dmarc: { $ref: '#/$defs/dmarc' },
        srv: {
          type: 'array',
          description: 'Client autoconfiguration SRV records (RFC 6186, RFC 8314).',
          items: { $ref: '#/$defs/srv' },
        },
        tlsa: { type: 'array', description: 'DANE TLSA records (RFC 6698, RFC 7672).', items: { $ref: '#/$defs/tlsa' } },
        mta_sts: { $ref: '#/$defs/mta_sts' },
        tls_rpt: { $ref: '#/$defs/tls_rpt' },
        raw: {
          type: 'array',
          description:
            'Mail records published exactly as written, for what the other keys cannot say (an SPF macro, a DKIM key with t=y, an unknown DMARC tag). mailrec import puts here what it cannot model. Owned like mailrec\'s other records.',
          items: { $ref: '#/$defs/raw' },
        },
      },
      additionalProperties: false,
    },
    sender: {
      description: 'self (a), mx (mx), or a map with exactly one of host, ip4, ip6, include, provider.',
      oneOf: [
        { enum: ['self', 'mx'] },
        oneKey('host', domainName('A host whose addresses may send (a:host).')),
        oneKey('ip4', { type: 'string', description: 'IPv4 address or CIDR (ip4:). /0 is refused.', pattern: '^[0-9.]+(/[0-9]{1,2})?$' }),
        oneKey('ip6', { type: 'string', description: 'IPv6 address or CIDR (ip6:). /0 is refused.', pattern: '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$' }),
        oneKey('include', domainName('A domain whose SPF record is included (include:).')),
        {
          type: 'object',
          properties: {
            include: domainName('A domain whose SPF record is flattened into ip4:/ip6: terms.'),
            flatten: { type: 'boolean', description: 'true: publish the addresses the include passes (plan --resolve refreshes them; audit reports spf.flatten-stale).' },
          },
          required: ['include', 'flatten'],
          additionalProperties: false,
        },
        oneKey('provider', {
          type: 'string',
          description: 'A sender from the built-in catalogue (its SPF include and DKIM hints).',
          examples: ['google', 'microsoft365', 'amazonses', 'sendgrid', 'mailchimp', 'postmark'],
        }),
      ],
    },
    mx: {
      type: 'object',
      description: 'One MX host.',
      properties: {
        host: domainName('Host name (never an IP address, RFC 5321 §5.1).'),
        preference: int(0, 65535, 'MX preference; lower is tried first.'),
      },
      required: ['host', 'preference'],
      additionalProperties: false,
    },
    dkim: {
      type: 'object',
      description: 'One DKIM key.',
      properties: {
        selector: {
          description: 'Selector: <selector>._domainkey.<domain>.',
          anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }, { type: 'integer', minimum: 0 }],
        },
        key: repoPath('PEM public or private key (only the public part is published). Optional when retired or removed.'),
        state: {
          enum: ['active', 'published', 'retired', 'removed'],
          default: 'active',
          description:
            'active: signing (the signer configs name it); published: in DNS, not signing (the next key, or the previous one in its grace period); retired: published with an empty p= (revoked); removed: no record, kept so that the selector is never used again.',
        },
        created: instant('When the key was generated (dkim keygen writes it); its age for rotate and dkim.key-old.'),
        published_since: instant('Since when every authoritative server serves the key (dkim rotate records it).'),
        active_since: instant('When the signers switched to the key.'),
        active_until: instant('When a newer key took over: the key is in its grace period.'),
        retired_since: instant('When the key was revoked (empty p=).'),
      },
      required: ['selector'],
      additionalProperties: false,
    },
    dmarc: {
      type: 'object',
      description: 'DMARC record (RFC 9989).',
      properties: {
        policy: dmarcPolicy('p=: what receivers do with failing mail.'),
        subdomain_policy: dmarcPolicy('sp=: policy for subdomains.'),
        nonexistent_policy: dmarcPolicy('np=: policy for non-existent subdomains.'),
        testing: { type: 'boolean', default: false, description: 't=y: the policy is being tested (replaces pct).' },
        psd: { enum: ['y', 'n', 'u'], description: 'psd=: public suffix domain flag.' },
        rua: reportUris('Aggregate report addresses; mailto: is added when missing. "," and ";" must be percent-encoded.'),
        ruf: reportUris('Failure report addresses; mailto: is added when missing.'),
        adkim: { enum: ['relaxed', 'strict'], description: 'DKIM alignment.' },
        aspf: { enum: ['relaxed', 'strict'], description: 'SPF alignment.' },
        fo: {
          description: 'Failure reporting options: 0, 1, d, s joined by colons.',
          anyOf: [{ type: 'string', pattern: '^[01ds](:[01ds])*$' }, { type: 'integer', minimum: 0, maximum: 1 }],
        },
        pct: int(0, 100, 'Legacy pct= (gone since RFC 9989); emitted only when given, with a warning.'),
      },
      required: ['policy'],
      additionalProperties: false,
    },
    srv: {
      type: 'object',
      description: 'One SRV record _<service>._<protocol>.<domain>.',
      properties: {
        service: {
          type: 'string',
          description: 'Service name without the underscore: submission (587, STARTTLS), submissions (465, implicit TLS), imap, imaps, pop3, pop3s, ...',
          pattern: '^_?[A-Za-z0-9]([A-Za-z0-9-]{0,13}[A-Za-z0-9])?$',
        },
        protocol: { enum: ['tcp', 'udp'], default: 'tcp', description: 'Transport.' },
        target: {
          type: 'string',
          description: 'Host name, or "." when the service is not offered (RFC 6186 §4).',
          anyOf: [{ const: '.' }, { pattern: DOMAIN_PATTERN }],
        },
        port: int(0, 65535, 'Port; defaults: submission 587, submissions 465, imap 143, imaps 993, pop3 110, pop3s 995. 0 only with target ".".'),
        priority: int(0, 65535, 'Priority; lower is tried first.', 0),
        weight: int(0, 65535, 'Weight among equal priorities.', 1),
      },
      required: ['service', 'target'],
      additionalProperties: false,
    },
    tlsa: {
      type: 'object',
      description: 'One TLSA record _<port>._tcp.<host>, from exactly one of cert, pubkey, data. Default 3 1 1.',
      properties: {
        port: int(1, 65535, 'Port (25 for SMTP).'),
        host: domainName('The host clients connect to.'),
        protocol: { enum: ['tcp'], default: 'tcp', description: 'Transport.' },
        cert: repoPath('PEM certificate to compute the association from.'),
        pubkey: repoPath('PEM public key to compute the association from (selector 1).'),
        data: { type: 'string', description: 'Association data in hex.', pattern: '^[0-9A-Fa-f:\\s]+$' },
        usage: tlsaNumber(3, ['PKIX-TA', 'PKIX-EE', 'DANE-TA', 'DANE-EE'], 'Certificate usage; SMTP uses 2 or 3 only (RFC 7672).', 3),
        selector: tlsaNumber(1, ['Cert', 'SPKI'], 'Selector: 0 whole certificate, 1 public key.', 1),
        matching_type: tlsaNumber(2, ['Full', 'SHA2-256', 'SHA2-512'], 'Matching type: 0 full, 1 SHA-256, 2 SHA-512.', 1),
      },
      required: ['port', 'host'],
      oneOf: [{ required: ['cert'] }, { required: ['pubkey'] }, { required: ['data'] }],
      additionalProperties: false,
    },
    mta_sts: {
      type: 'object',
      description: 'MTA-STS policy (RFC 8461).',
      properties: {
        mode: { enum: ['enforce', 'testing', 'none'], description: 'Policy mode.' },
        max_age: int(0, 31557600, 'Seconds senders cache the policy (RFC 8461 §3.2: at most 31557600).', 604800),
        mx: {
          type: 'array',
          minItems: 1,
          description: "MX patterns (a leading *. matches one label); default the domain's MX hosts.",
          items: { type: 'string', pattern: NAME_PATTERN },
        },
      },
      required: ['mode'],
      additionalProperties: false,
    },
    tls_rpt: {
      type: 'object',
      description: 'SMTP TLS reporting (RFC 8460).',
      properties: {
        rua: reportUris('Report destinations: addresses or mailto: / https: URIs.'),
      },
      required: ['rua'],
      additionalProperties: false,
    },
    raw: {
      type: 'object',
      description: 'One record published verbatim.',
      properties: {
        name: {
          type: 'string',
          description: '@ for the domain itself, a name relative to the domain (_dmarc, s1._domainkey), or an absolute name ending in a dot.',
          minLength: 1,
        },
        type: {
          enum: ['TXT', 'MX', 'SRV', 'TLSA', 'CNAME', 'txt', 'mx', 'srv', 'tlsa', 'cname'],
          description: 'A type mailrec owns. A TXT must be a mail record (v=spf1, v=DMARC1, v=DKIM1, v=STSv1, v=TLSRPTv1).',
        },
        value: {
          description:
            'TXT: the text (split at 255 octets by mailrec), or a list of the exact character-strings. Other types: the data as in a zone file, names relative to the domain unless they end in a dot.',
          anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string', maxLength: 255 } }],
        },
        ttl: { ...ttl, description: "TTL in seconds; default the domain's." },
      },
      required: ['name', 'type', 'value'],
      additionalProperties: false,
    },
    dkim_keys: {
      type: 'object',
      description: 'How mailrec makes, keeps and rotates DKIM keys (mailrec dkim keygen, mailrec dkim rotate).',
      properties: {
        dir: repoPath('The private key directory: git-ignored, never readable by others. Default keys/private.'),
        group: {
          description: "A group that may read the private keys (mode 0640, e.g. _rspamd): the signer's. Default: none (mode 0600).",
          anyOf: [{ type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,31}\\$?$' }, { type: 'integer', minimum: 0 }],
        },
        type: { enum: ['ed25519', 'rsa2048', 'rsa3072'], default: 'rsa2048', description: 'The key type keygen makes when not told.' },
        rotate_after: duration('rotate publishes the next key once the active key is this old (seconds, or with s, m, h, d, w).', '150d'),
        max_age: duration('audit reports an active key older than this (dkim.key-old).', '180d'),
        margin: duration('Waited on top of the TTL before the next key is activated.', '1h'),
        grace: duration('How long the previous key stays published after the switch.', '7d'),
        remove_after: duration("How long a retired key's empty p= stays published before the record goes.", '30d'),
      },
      additionalProperties: false,
    },
    signers: {
      type: 'object',
      description: 'The DKIM signer configurations apply writes: the active selector of each domain.',
      properties: {
        rspamd: { $ref: '#/$defs/signer_rspamd' },
        opendkim: { $ref: '#/$defs/signer_opendkim' },
      },
      additionalProperties: false,
    },
    signer_rspamd: {
      type: 'object',
      description: "rspamd's dkim_signing module configuration (include it as local.d/dkim_signing.conf).",
      properties: {
        config: repoPath('Where apply writes dkim_signing.conf.'),
        key_dir: signerKeyDir,
      },
      required: ['config'],
      additionalProperties: false,
    },
    signer_opendkim: {
      type: 'object',
      description: "OpenDKIM's KeyTable and SigningTable (KeyTable file:..., SigningTable file:...).",
      properties: {
        key_table: repoPath('Where apply writes the KeyTable.'),
        signing_table: repoPath('Where apply writes the SigningTable.'),
        key_dir: signerKeyDir,
      },
      required: ['key_table', 'signing_table'],
      additionalProperties: false,
    },
    target: {
      type: 'object',
      description: 'A primary server updated with RFC 2136 dynamic updates.',
      properties: {
        type: { enum: ['rfc2136'], description: 'Target kind.' },
        server: { type: 'string', description: 'host[:port], IPv4[:port] or [IPv6]:port.', examples: ['192.0.2.53:53'] },
        zones: { type: 'array', minItems: 1, description: 'Zones it updates; default all zones.', items: domainName('Zone apex.', APEX_PATTERN) },
        key: { $ref: '#/$defs/target_key' },
      },
      required: ['type', 'server'],
      additionalProperties: false,
    },
    target_key: {
      type: 'object',
      description: 'TSIG key (RFC 8945): a reference to the secret, never the secret.',
      properties: {
        name: { type: 'string', description: 'Key name.', pattern: NAME_PATTERN },
        algorithm: { enum: ['hmac-sha256', 'hmac-sha512', 'hmac-sha1'], default: 'hmac-sha256', description: 'HMAC algorithm.' },
        secret_file: repoPath('File holding the base64 secret.'),
        secret_env: { type: 'string', description: 'Environment variable holding the base64 secret.', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      },
      required: ['name'],
      oneOf: [{ required: ['secret_file'] }, { required: ['secret_env'] }],
      additionalProperties: false,
    },
    reports: {
      type: 'object',
      description: 'DMARC aggregate and TLS-RPT reports: the mailboxes mailrec reports fetch collects them from, and the archive it keeps them in.',
      properties: {
        archive: repoPath('Archive directory (content-addressed report files and their index); default reports. Outside the repo: reports fetch --archive DIR.'),
        retention: {
          description: 'Reports whose period ended longer ago than this are pruned by reports fetch: seconds, or a number with s, m, h, d, w (at least a day), e.g. 400d. Default: kept.',
          anyOf: [
            { type: 'integer', minimum: 86400 },
            { type: 'string', pattern: '^[0-9]+\\s*[smhdw]?$' },
          ],
        },
        mailbox: {
          description: 'Where reports arrive (the rua= and TLS-RPT rua= address): one mailbox or a list.',
          anyOf: [{ $ref: '#/$defs/mailbox' }, { type: 'array', minItems: 1, items: { $ref: '#/$defs/mailbox' } }],
        },
      },
      additionalProperties: false,
    },
    mailbox: {
      type: 'object',
      description: 'An IMAP mailbox (server, user, password_file | password_env, folder), or a maildir, mbox or directory (path).',
      properties: {
        type: { enum: ['imap', 'maildir', 'mbox', 'directory'], description: 'Kind of mailbox.' },
        server: { type: 'string', description: 'IMAP server host[:port]; port 993 with tls: implicit, 143 with starttls.', examples: ['imap.example.org:993'] },
        tls: { enum: ['implicit', 'starttls'], default: 'implicit', description: 'implicit: TLS from the start (RFC 8314); starttls: upgraded, and required.' },
        user: { type: 'string', description: 'IMAP login name.', minLength: 1 },
        password_file: repoPath('File holding the IMAP password (keep it out of git).'),
        password_env: { type: 'string', description: 'Environment variable holding the IMAP password.', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        folder: { type: 'string', default: 'INBOX', description: 'IMAP folder the reports arrive in.', minLength: 1 },
        after: {
          enum: ['leave', 'seen', 'move'],
          default: 'leave',
          description: 'What to do with a message whose reports are archived: leave it, flag it \\Seen, or move it to move_to (IMAP, maildir).',
        },
        move_to: { type: 'string', description: 'Folder processed messages are moved to (with after: move).', minLength: 1 },
        ca_file: repoPath('PEM CA certificate that issued the IMAP server certificate (a private CA); without it the system CAs decide.'),
        path: repoPath('The maildir, mbox file or directory (in the repo; outside it: reports fetch --maildir/--mbox/--dir).'),
      },
      required: ['type'],
      not: { required: ['password_file', 'password_env'] },
      additionalProperties: false,
    },
  },
};
