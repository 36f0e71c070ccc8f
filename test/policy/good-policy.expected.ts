// The normalized Policy that test/fixtures/policy/good/ must load into, written out by
// hand: read it next to the two fixture files. PEM texts are the key files' contents.

import type { SourcePosition } from '../../src/base/errors.js';
import type { Policy } from '../../src/policy/model.js';
import { DEFAULT_DKIM_KEYS } from '../../src/policy/vocabulary.js';

const ORG = 'policy/good/10-example-org.yaml';
const NET = 'policy/good/20-example-net.yml';
const at = (file: string, line: number, column: number): SourcePosition => ({ file, line, column });

export function expectedGoodPolicy(pem: (path: string) => string): Policy {
  return {
    version: 1,
    files: [ORG, NET],
    defaults: { ttl: 3600, spfAll: 'fail' },
    // Sorted by apex; fragments default to zones/<apex>.mail.zone.
    zones: [
      { apex: 'example.net', fragment: 'zones/example.net.mail.zone' },
      { apex: 'example.org', fragment: 'zones/example.org.mail.zone', zoneFile: 'zones/example.org.zone' },
      { apex: 'sub.example.net', fragment: 'zones/sub.example.net.mail.zone' },
    ],
    // Sorted by name.
    domains: [
      {
        name: 'example.net',
        zone: 'example.net',
        ttl: 3600,
        noMail: false,
        senders: [],
        spfAll: 'fail', // from defaults
        mx: 'none',
        dkim: [],
        dmarc: {
          policy: 'reject',
          testing: false,
          rua: ['mailto:dmarc@example.net'],
          ruf: [],
          position: at(NET, 7, 5),
        },
        srv: [],
        tlsa: [],
        position: at(NET, 4, 3),
      },
      {
        name: 'example.org', // written "Example.ORG."
        zone: 'example.org',
        ttl: 300,
        noMail: false,
        senders: [
          { kind: 'host', host: 'submit-01.example.org' },
          { kind: 'self' },
          { kind: 'mx' },
          { kind: 'ip4', cidr: '192.0.2.0/24' },
          { kind: 'ip4', cidr: '198.51.100.7' },
          { kind: 'ip6', cidr: '2001:db8::/32' },
          { kind: 'include', domain: '_spf.example.com' },
          { kind: 'provider', name: 'google' },
        ],
        spfAll: 'softfail',
        mx: [
          { host: 'mx-01.example.org', preference: 10 },
          { host: 'mx-02.example.org', preference: 20 },
        ],
        dkim: [
          {
            selector: '2026a',
            keyPath: 'keys/TEST-ONLY-dkim-rsa2048.private.pem',
            keyPem: pem('keys/TEST-ONLY-dkim-rsa2048.private.pem'),
            state: 'active',
            position: at(ORG, 30, 19),
          },
          {
            selector: '2026b',
            keyPath: 'keys/TEST-ONLY-dkim-ed25519.public.pem',
            keyPem: pem('keys/TEST-ONLY-dkim-ed25519.public.pem'),
            state: 'published',
            position: at(ORG, 32, 19),
          },
          // selector: 2025 is a YAML number, kept as its text; retired without a key file.
          { selector: '2025', keyPath: '', keyPem: '', state: 'retired', position: at(ORG, 35, 19) },
        ],
        dmarc: {
          policy: 'quarantine',
          subdomainPolicy: 'reject',
          nonexistentPolicy: 'reject',
          testing: true,
          psd: 'n',
          rua: ['mailto:postmaster@example.org', 'mailto:dmarc@reports.example.net'],
          ruf: ['mailto:forensic@example.org'],
          adkim: 'strict',
          aspf: 'relaxed',
          fo: '1',
          pct: 50,
          position: at(ORG, 37, 5),
        },
        srv: [
          {
            service: 'submissions',
            protocol: 'tcp',
            target: 'mail.example.org',
            port: 465,
            priority: 0,
            weight: 1,
            position: at(ORG, 50, 9),
          },
          {
            service: 'submission', // written "_submission"
            protocol: 'tcp',
            target: 'mail.example.org',
            port: 587,
            priority: 10,
            weight: 0,
            position: at(ORG, 51, 9),
          },
          { service: 'imaps', protocol: 'tcp', target: 'mail.example.org', port: 993, priority: 0, weight: 1, position: at(ORG, 52, 9) },
          // target "." : the service is not offered (RFC 6186 §4), "SRV 0 0 0 ."
          { service: 'pop3', protocol: 'tcp', target: '', port: 0, priority: 0, weight: 0, position: at(ORG, 53, 9) },
          {
            service: 'autodiscover',
            protocol: 'tcp',
            target: 'autodiscover.example.org',
            port: 443,
            priority: 0,
            weight: 1,
            position: at(ORG, 54, 9),
          },
        ],
        tlsa: [
          {
            port: 25,
            protocol: 'tcp',
            host: 'mx-01.example.org',
            usage: 3,
            selector: 1,
            matchingType: 1,
            source: { kind: 'cert', path: 'keys/TEST-ONLY-mx-01.cert.pem', pem: pem('keys/TEST-ONLY-mx-01.cert.pem') },
            position: at(ORG, 56, 9),
          },
          {
            port: 25,
            protocol: 'tcp',
            host: 'mx-01.example.org',
            usage: 3, // DANE-EE
            selector: 1, // SPKI
            matchingType: 2, // SHA2-512
            source: { kind: 'pubkey', path: 'keys/TEST-ONLY-mx-01.public.pem', pem: pem('keys/TEST-ONLY-mx-01.public.pem') },
            position: at(ORG, 57, 9),
          },
          {
            port: 465,
            protocol: 'tcp',
            host: 'mail.example.org',
            usage: 2,
            selector: 0,
            matchingType: 1,
            source: { kind: 'data', hex: 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789' },
            position: at(ORG, 63, 9),
          },
        ],
        mtaSts: { mode: 'testing', maxAge: 86400, mx: ['mx-01.example.org', '*.example.org'], position: at(ORG, 65, 5) },
        tlsRpt: { rua: ['mailto:tlsrpt@example.org', 'https://reports.example.org/tls-rpt'], position: at(ORG, 66, 5) },
        position: at(ORG, 14, 3),
      },
      {
        // mail: none is spelled out: null MX, "v=spf1 -all", DMARC p=reject.
        name: 'no-mail.example.org',
        zone: 'example.org',
        ttl: 3600,
        noMail: true,
        senders: [],
        spfAll: 'fail',
        mx: 'none',
        dkim: [],
        dmarc: { policy: 'reject', testing: false, rua: [], ruf: [], position: at(ORG, 67, 3) },
        srv: [],
        tlsa: [],
        position: at(ORG, 67, 3),
      },
      {
        name: 'parked.example.net',
        zone: 'example.net',
        ttl: 3600,
        noMail: true,
        senders: [],
        spfAll: 'fail',
        mx: 'none',
        // Retired, and its file is gone: published with an empty p=.
        dkim: [{ selector: 'old', keyPath: 'keys/TEST-ONLY-gone.pem', keyPem: '', state: 'retired', position: at(NET, 15, 21) }],
        dmarc: { policy: 'reject', testing: false, rua: ['mailto:dmarc@example.net'], ruf: [], position: at(NET, 16, 5) },
        srv: [],
        tlsa: [],
        position: at(NET, 12, 3),
      },
      {
        name: 'shop.sub.example.net',
        zone: 'sub.example.net', // the longest matching apex
        ttl: 3600,
        noMail: false,
        senders: [{ kind: 'provider', name: 'sendgrid' }],
        spfAll: 'fail',
        dkim: [
          {
            selector: 's1',
            keyPath: 'keys/TEST-ONLY-dkim-rsa2048.public.pem',
            keyPem: pem('keys/TEST-ONLY-dkim-rsa2048.public.pem'),
            state: 'active',
            position: at(NET, 11, 21),
          },
        ],
        srv: [],
        tlsa: [],
        position: at(NET, 8, 3),
      },
    ],
    targets: [
      {
        type: 'rfc2136',
        server: '[2001:db8::53]:5353',
        zones: ['example.net', 'sub.example.net'],
        key: { name: 'mailrec-key', algorithm: 'hmac-sha256', secretEnv: 'MAILREC_TSIG' },
        position: at(NET, 18, 5),
      },
      {
        type: 'rfc2136',
        server: 'ns1.example.org',
        zones: ['example.org'],
        key: { name: 'mailrec', algorithm: 'hmac-sha512', secretFile: 'keys/tsig.secret' },
        position: at(NET, 22, 5),
      },
    ],
    reports: {
      archive: 'reports',
      retentionSeconds: 56 * 604_800,
      mailboxes: [
        {
          type: 'imap',
          host: 'imap.example.net',
          port: 993,
          tls: 'implicit',
          user: 'dmarc-reports@example.net',
          password: { env: 'MAILREC_IMAP_PASSWORD' },
          folder: 'INBOX',
          after: 'move',
          moveTo: 'Archive/DMARC',
          position: at(NET, 30, 7),
        },
        {
          type: 'imap',
          host: 'imap.example.org',
          port: 143,
          tls: 'starttls',
          user: 'tlsrpt',
          password: { file: 'keys/imap.password' },
          folder: 'TLS',
          after: 'leave',
          caFile: 'certs/imap-ca.pem',
          position: at(NET, 36, 7),
        },
        { type: 'maildir', path: 'mail/dmarc', after: 'seen', position: at(NET, 37, 7) },
      ],
      position: at(NET, 26, 1),
    },
    dkimKeys: { ...DEFAULT_DKIM_KEYS },
    signers: {},
  };
}
