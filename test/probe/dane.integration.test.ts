// checkDane end to end: smtp-server peers with STARTTLS on 127.0.0.1, TLSA and MX in a BIND zone signed with dnssec-policy, a validating unbound for the AD bit; every TLSA verdict cross-checked with openssl s_client -dane_tlsa_rrdata.

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/base/finding.js';
import { matchTlsa, type TlsaData } from '../../src/audit/probe/dane-match.js';
import { checkDane, checkResolverValidates } from '../../src/audit/probe/dane.js';
import { checkLiveTransport } from '../../src/audit/probe/live.js';
import { probeMx, type SmtpProbeResult } from '../../src/audit/probe/smtp-tls.js';
import { createDnsClient, type DnsClient } from '../../src/dns/client.js';
import { compileTlsaData } from '../../src/build/tlsa.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { startUnbound, trustAnchorsFromDig, type UnboundServer } from '../helpers/unbound.js';
import { caAndLeaf, selfSigned, selfSignedForKey, tlsaDataByOpenssl, type TestCert } from './certs.js';
import { startSilent, startSmtp, type Peer } from './peers.js';

const SIGNED = 'dane.test';
const UNSIGNED = 'plain.test';

let dir = '';
let signedBind: BindServer;
let unsignedBind: BindServer;
let unbound: UnboundServer;
let validating: DnsClient;
let nonValidating: DnsClient;
const peers: Peer[] = [];

// Certificates: the one served now (current), an old one no longer served (stale), the next
// key (exists first only as a private key file), a CA-issued leaf for DANE-TA.
let current: TestCert;
let stale: TestCert;
let next: TestCert;
let ta: { ca: TestCert; leaf: TestCert };
let nextKeyHash = '';

/** Which peer answers for which MX host. */
const portOf = new Map<string, number>();

const tlsa = (owner: string, usage: number, selector: number, matchingType: number, hex: string): string => `${owner} TLSA ${usage} ${selector} ${matchingType} ${hex}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-dane-'));
  const names = [`*.${SIGNED}`, `mx.${SIGNED}`];
  current = selfSigned(dir, 'current', names);
  stale = selfSigned(dir, 'stale', names);
  // The next key: a private key file only, as the policy would name it (pubkey: keys/next.pem).
  execFileSyncQuiet('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'next.pem')]);
  const fromKeyFile = compileTlsaData({ kind: 'pubkey', path: 'keys/next.pem', pem: readFileSync(join(dir, 'next.pem'), 'utf8') }, 1, 1);
  if (!fromKeyFile.ok) throw new Error(fromKeyFile.reason);
  nextKeyHash = fromKeyFile.hex;
  next = selfSignedForKey(dir, 'next', join(dir, 'next.pem'), names);
  ta = caAndLeaf(dir, 'ta', names);

  const cur311 = tlsaDataByOpenssl(dir, current.certPath, 1, 1);
  const signedZone = [
    '@ SOA ns.dane.test. hostmaster.dane.test. 1 3600 600 86400 300',
    '@ NS ns',
    'ns A 127.0.0.1',
    '@ MX 10 mx-match',
    ...['mx-match', 'mx-stale', 'mx-roll', 'mx-rolled', 'mx-ta', 'mx-notls', 'mx-hang', 'mx-none'].map((h) => `${h} A 127.0.0.1`),
    tlsa('_25._tcp.mx-match', 3, 1, 1, cur311),
    // Stale: the record names the old certificate; the server was switched without a rollover.
    tlsa('_25._tcp.mx-stale', 3, 1, 1, tlsaDataByOpenssl(dir, stale.certPath, 1, 1)),
    // Rollover: current and next published; one host still serves current, the other already next.
    tlsa('_25._tcp.mx-roll', 3, 1, 1, cur311),
    tlsa('_25._tcp.mx-roll', 3, 1, 1, nextKeyHash),
    tlsa('_25._tcp.mx-rolled', 3, 1, 1, cur311),
    tlsa('_25._tcp.mx-rolled', 3, 1, 1, nextKeyHash),
    // DANE-TA: the issuing CA by full certificate, and by SPKI with SHA-512; a 3 0 2 of the stale leaf.
    tlsa('_25._tcp.mx-ta', 2, 0, 1, tlsaDataByOpenssl(dir, ta.ca.certPath, 0, 1)),
    tlsa('_25._tcp.mx-ta', 2, 1, 2, tlsaDataByOpenssl(dir, ta.ca.certPath, 1, 2)),
    tlsa('_25._tcp.mx-ta', 3, 0, 2, tlsaDataByOpenssl(dir, stale.certPath, 0, 2)),
    tlsa('_25._tcp.mx-notls', 3, 1, 1, cur311),
    tlsa('_25._tcp.mx-hang', 3, 1, 1, cur311),
  ].join('\n');
  const unsignedZone = [
    '@ SOA ns.plain.test. hostmaster.plain.test. 1 3600 600 86400 300',
    '@ NS ns',
    'ns A 127.0.0.1',
    '@ MX 10 mx',
    'mx A 127.0.0.1',
    tlsa('_25._tcp.mx', 3, 1, 1, cur311),
    // Exact match of the full certificate (matching type 0), to cover it.
    tlsa('_25._tcp.mx', 3, 0, 0, tlsaDataByOpenssl(dir, current.certPath, 0, 0)),
    // DANE-TA needs the leaf to name the host (RFC 7672 §3.2.2): this leaf names *.dane.test only.
    'mx-ta A 127.0.0.1',
    tlsa('_25._tcp.mx-ta', 2, 0, 1, tlsaDataByOpenssl(dir, ta.ca.certPath, 0, 1)),
    // A usage 2 record naming the leaf itself: a trust anchor sits above the leaf.
    tlsa('_25._tcp.mx-ta', 2, 0, 1, tlsaDataByOpenssl(dir, ta.leaf.certPath, 0, 1)),
  ].join('\n');
  [signedBind, unsignedBind] = await Promise.all([
    startBind({ zones: [{ name: SIGNED, text: signedZone }], dnssec: true }),
    startBind({ zones: [{ name: UNSIGNED, text: unsignedZone }] }),
  ]);
  const dnskeys = await signedBind.dig(['+norec', SIGNED, 'DNSKEY']);
  const anchors = trustAnchorsFromDig(dnskeys.stdout);
  expect(anchors.length).toBeGreaterThan(0);
  unbound = await startUnbound([
    { zone: SIGNED, port: signedBind.port, trustAnchors: anchors },
    { zone: UNSIGNED, port: unsignedBind.port },
  ]);
  validating = createDnsClient({ servers: [{ host: '127.0.0.1', port: unbound.port }], dnssecOk: true, cache: false, timeoutMs: 2000 });
  // The signed zone's own server: authoritative, never sets AD.
  nonValidating = createDnsClient({ servers: [{ host: '127.0.0.1', port: signedBind.port }], dnssecOk: true, cache: false, recursionDesired: false });

  const start = async (host: string, p: Promise<Peer>): Promise<void> => {
    const peer = await p;
    peers.push(peer);
    portOf.set(host, peer.port);
  };
  const servingCurrent = startSmtp({ key: current.key, chain: current.chain });
  const shared = await servingCurrent;
  peers.push(shared);
  for (const h of [`mx-match.${SIGNED}`, `mx-stale.${SIGNED}`, `mx-roll.${SIGNED}`, `mx.${UNSIGNED}`]) portOf.set(h, shared.port);
  await Promise.all([
    start(`mx-rolled.${SIGNED}`, startSmtp({ key: next.key, chain: next.chain })),
    start(`mx-ta.${SIGNED}`, startSmtp({ key: ta.leaf.key, chain: ta.leaf.chain })).then(() => {
      portOf.set(`mx-ta.${UNSIGNED}`, portOf.get(`mx-ta.${SIGNED}`)!);
    }),
    start(`mx-notls.${SIGNED}`, startSmtp('no-starttls')),
    start(`mx-hang.${SIGNED}`, startSilent()),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await unbound?.stop();
  await Promise.all([signedBind?.stop(), unsignedBind?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function execFileSyncQuiet(file: string, args: string[]): void {
  execFileSync(file, args, { stdio: 'ignore' });
}

const probe = (host: string): Promise<SmtpProbeResult> => probeMx(host, { port: portOf.get(host) ?? 1, address: '127.0.0.1', timeoutMs: 1000, totalTimeoutMs: 4000 });

const summary = (findings: Finding[]): string[] => findings.map((f) => `${f.severity} ${f.code} ${f.name}`).sort();

/**
 * openssl's verdict for a TLSA RRset against the live peer: true for "Verification: OK".
 * -dane_ee_no_namechecks is RFC 7672 §3.1.1 for SMTP (no name checks with DANE-EE), as
 * Postfix sets it; DANE-TA matches still need the name.
 */
function opensslVerdict(host: string, records: TlsaData[]): Promise<{ ok: boolean; output: string }> {
  const args = ['s_client', '-connect', `127.0.0.1:${portOf.get(host)}`, '-starttls', 'smtp', '-servername', host, '-dane_tlsa_domain', host, '-dane_ee_no_namechecks'];
  for (const r of records) args.push('-dane_tlsa_rrdata', `${r.usage} ${r.selector} ${r.matchingType} ${r.certificate}`);
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (_error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      resolve({ ok: /^Verification: OK$/m.test(output), output });
    });
    child.stdin?.end('QUIT\r\n');
  });
}

async function tlsaOf(host: string): Promise<TlsaData[]> {
  const answer = await validating.resolve(`_25._tcp.${host}`, 'TLSA');
  return answer.status === 'ok' ? answer.records.flatMap((r) => (r.type === 'TLSA' ? [r] : [])) : [];
}

/** Our verdict per record and for the set must equal openssl's, record by record. */
async function crossCheck(host: string): Promise<{ ours: boolean[]; openssl: boolean[] }> {
  const records = await tlsaOf(host);
  const result = await probe(host);
  expect(result.outcome).toBe('tls');
  const ours = matchTlsa(records, result.chain ?? [], host, new Date()).map((v) => v.matched);
  const theirs: boolean[] = [];
  for (const r of records) theirs.push((await opensslVerdict(host, [r])).ok);
  // The whole RRset: OK when any record matches.
  const all = await opensslVerdict(host, records);
  expect(all.ok, all.output).toBe(ours.some(Boolean));
  return { ours, openssl: theirs };
}

describe('the validating resolver', () => {
  it('sets AD for the signed zone and not for the unsigned one; the authoritative server never does', async () => {
    expect(await checkResolverValidates(validating, SIGNED)).toMatchObject({ validates: true });
    const signed = await validating.resolve(`_25._tcp.mx-match.${SIGNED}`, 'TLSA');
    const unsigned = await validating.resolve(`_25._tcp.mx.${UNSIGNED}`, 'TLSA');
    expect(signed.status === 'ok' && signed.authenticated).toBe(true);
    expect(unsigned.status === 'ok' && !unsigned.authenticated).toBe(true);
    expect(await checkResolverValidates(nonValidating, SIGNED)).toMatchObject({ validates: false });
  });
});

describe('checkDane against live peers', () => {
  const dane = (host: string, resolver: DnsClient = validating, now?: Date) =>
    checkDane(host.split('.').slice(1).join('.'), [host], resolver, probe, { knownSignedName: SIGNED, ...(now ? { now } : {}) });

  it('matching TLSA: tlsa.match, DNSSEC-validated, no error', async () => {
    const findings = await dane(`mx-match.${SIGNED}`);
    expect(summary(findings)).toEqual([`info tlsa.match _25._tcp.mx-match.${SIGNED}`]);
    expect(findings[0]?.message).toMatch(/\(DNSSEC-validated\): 3 1 1 [0-9a-f]{16}… matches the served leaf public key$/);
  });

  it('stale TLSA after a certificate change: tlsa.no-match error, DANE senders will defer', async () => {
    const findings = await dane(`mx-stale.${SIGNED}`);
    expect(summary(findings)).toEqual([`error tlsa.no-match _25._tcp.mx-stale.${SIGNED}`]);
    expect(findings[0]?.message).toContain('DANE senders will defer mail');
    expect(findings[0]?.evidence.seen?.some((s) => s === `served leaf: 3 1 1 ${tlsaDataByOpenssl(dir, current.certPath, 1, 1)}`)).toBe(true);
  });

  it('rollover with current and next published: matches before the switch (current) and after it (next)', async () => {
    const before = await dane(`mx-roll.${SIGNED}`);
    const after = await dane(`mx-rolled.${SIGNED}`);
    expect(summary(before)).toEqual([`info tlsa.match _25._tcp.mx-roll.${SIGNED}`]);
    expect(summary(after)).toEqual([`info tlsa.match _25._tcp.mx-rolled.${SIGNED}`]);
    const cur = tlsaDataByOpenssl(dir, current.certPath, 1, 1).slice(0, 16);
    expect(before[0]?.message).toContain(`3 1 1 ${cur}… matches the served leaf`);
    expect(after[0]?.message).toContain(`3 1 1 ${nextKeyHash.slice(0, 16)}… matches the served leaf`);
    expect(after[0]?.message).toContain(`also published: 3 1 1 ${cur}…`);
  });

  it('DANE-TA: the CA in the served chain matches (2 0 1 and 2 1 2); the stale 3 0 2 does not', async () => {
    const findings = await dane(`mx-ta.${SIGNED}`);
    expect(summary(findings)).toEqual([`info tlsa.match _25._tcp.mx-ta.${SIGNED}`]);
    expect(findings[0]?.message).toMatch(/2 0 1 [0-9a-f]{16}… matches the trust anchor at depth 1/);
    expect(findings[0]?.message).toMatch(/2 1 2 [0-9a-f]{16}… matches the trust anchor at depth 1/);
    expect(findings[0]?.message).toMatch(/3 0 2 [0-9a-f]{16}… \(does not match the served leaf certificate\)/);
  });

  it('no STARTTLS while TLSA is published: transport.no-starttls error naming DANE', async () => {
    const findings = await dane(`mx-notls.${SIGNED}`);
    expect(summary(findings)).toEqual([`error transport.no-starttls mx-notls.${SIGNED}`]);
    expect(findings[0]?.message).toContain('DANE senders will defer mail');
  });

  it('DANE-TA with a leaf that does not name the host: no match, the reason says so', async () => {
    const findings = await dane(`mx-ta.${UNSIGNED}`);
    expect(summary(findings)).toEqual([
      `error tlsa.no-match _25._tcp.mx-ta.${UNSIGNED}`,
      `warning tlsa.no-dnssec _25._tcp.mx-ta.${UNSIGNED}`,
      `warning transport.cert-name-mismatch mx-ta.${UNSIGNED}`,
    ]);
    const message = findings.find((f) => f.code === 'tlsa.no-match')?.message ?? '';
    expect(message).toContain('senders ignore unsigned TLSA today');
    expect(message).toContain(`matches trust anchor at depth 1, but the leaf does not name mx-ta.${UNSIGNED}`);
    expect(message).toContain('matches no certificate above the leaf');
  });

  it('unsigned zone: TLSA not validated by DNSSEC (insecure), name mismatch as its own finding', async () => {
    const findings = await dane(`mx.${UNSIGNED}`);
    expect(summary(findings)).toEqual([
      `info tlsa.match _25._tcp.mx.${UNSIGNED}`,
      `warning tlsa.no-dnssec _25._tcp.mx.${UNSIGNED}`,
      `warning transport.cert-name-mismatch mx.${UNSIGNED}`,
    ]);
    expect(findings.find((f) => f.code === 'tlsa.match')?.message).toContain('(not signed)');
    expect(findings.find((f) => f.code === 'transport.cert-name-mismatch')?.message).toContain(`it names *.${SIGNED}, mx.${SIGNED}`);
  });

  it('a resolver that does not validate: "not validated (resolver does not validate)", never "insecure"', async () => {
    const findings = await dane(`mx-match.${SIGNED}`, nonValidating);
    expect(summary(findings)).toEqual([`info tlsa.match _25._tcp.mx-match.${SIGNED}`, `warning tlsa.not-validated _25._tcp.mx-match.${SIGNED}`]);
    expect(findings.find((f) => f.code === 'tlsa.not-validated')?.message).toContain('not validated (resolver does not validate)');
  });

  it('a hanging peer: transport.probe-failed (unknown) with the reason, within the step timeout', async () => {
    const t0 = Date.now();
    const findings = await dane(`mx-hang.${SIGNED}`);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(summary(findings)).toEqual([`warning transport.probe-failed mx-hang.${SIGNED}`]);
    expect(findings[0]?.message).toContain('no answer within 1000 ms at banner');
  });

  it('certificate dates: a warning under 14 days, an error once expired (clock moved forward)', async () => {
    const soon = await dane(`mx-match.${SIGNED}`, validating, new Date(Date.now() + 20 * 86_400_000));
    expect(summary(soon)).toContain(`warning transport.cert-expiring mx-match.${SIGNED}`);
    const late = await dane(`mx-match.${SIGNED}`, validating, new Date(Date.now() + 40 * 86_400_000));
    expect(summary(late)).toContain(`error transport.cert-expired mx-match.${SIGNED}`);
    // DANE-EE ignores dates (RFC 7672 §3.1.1): the record still matches.
    expect(summary(late)).toContain(`info tlsa.match _25._tcp.mx-match.${SIGNED}`);
  });
});

describe('checkLiveTransport, the call the audit makes', () => {
  it('finds the MX address through the audit resolver (A 127.0.0.1 in the signed zone) and reports the match', async () => {
    const findings = await checkLiveTransport(SIGNED, validating, {
      mxHosts: [`mx-match.${SIGNED}`],
      smtp: { port: portOf.get(`mx-match.${SIGNED}`)!, timeoutMs: 1000 },
      knownSignedName: SIGNED,
    });
    expect(summary(findings)).toEqual([`info tlsa.match _25._tcp.mx-match.${SIGNED}`]);
    expect(findings[0]?.evidence.seen).toContain(`probe mx-match.${SIGNED} port ${portOf.get(`mx-match.${SIGNED}`)} (127.0.0.1): tls`);
  });
});

describe('every TLSA verdict agrees with openssl s_client -dane_tlsa_rrdata', () => {
  it.each([
    [`mx-match.${SIGNED}`, [true]],
    [`mx-stale.${SIGNED}`, [false]],
    [`mx-roll.${SIGNED}`, 'one of two'],
    [`mx-rolled.${SIGNED}`, 'one of two'],
    [`mx-ta.${SIGNED}`, 'ta'],
    [`mx.${UNSIGNED}`, [true, true]],
    [`mx-ta.${UNSIGNED}`, [false, false]],
  ] as const)('%s', async (host, want) => {
    const { ours, openssl } = await crossCheck(host);
    expect(ours).toEqual(openssl);
    if (want === 'one of two') expect(ours.filter(Boolean)).toHaveLength(1);
    else if (want === 'ta') expect([...ours].sort()).toEqual([false, true, true]);
    else expect(ours).toEqual(want);
  });
});
