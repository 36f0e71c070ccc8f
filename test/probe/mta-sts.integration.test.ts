// checkMtaStsLive end to end: a node:https policy host on 127.0.0.1 with a test CA, the _mta-sts TXT, MX and TLS-RPT records in a test BIND.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/base/finding.js';
import { fetchMtaStsPolicy } from '../../src/audit/probe/mta-sts-fetch.js';
import { checkMtaStsLive } from '../../src/audit/probe/mta-sts-live.js';
import { createDnsClient, type DnsClient } from '../../src/dns/client.js';
import { compileMtaStsId, renderMtaStsPolicy } from '../../src/mail/mta-sts/record.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { caAndLeaf, selfSigned } from './certs.js';

/** Each test domain's answer from the policy host, chosen by the Host header. */
type Route = { status?: number; headers?: Record<string, string>; body?: string; hang?: boolean; bytes?: number };

const generated = renderMtaStsPolicy('enforce', ['mx-01.sts.test', 'mx-02.sts.test'], 604800);
const missingMx = renderMtaStsPolicy('enforce', ['mx-01.sts.test'], 604800);
const ROUTES: Record<string, Route> = {
  // Every MX covered, equals the generated policy, id of the generated policy.
  'good.sts.test': { body: generated },
  // Lists only mx-01: mx-02 is not covered; the TXT id was not changed either.
  'missing.sts.test': { body: missingMx },
  'testing.sts.test': { body: renderMtaStsPolicy('testing', ['mx-01.sts.test'], 86400) },
  'redirect.sts.test': { status: 301, headers: { Location: 'https://elsewhere.sts.test/' } },
  'notfound.sts.test': { status: 404, body: 'no' },
  'huge.sts.test': { bytes: 1024 * 1024 },
  'hang.sts.test': { hang: true },
  'broken.sts.test': { body: 'version: STSv2\nmode: enforcing\nmx: mx-01.sts.test\nmx: bad_host!\nmax_age: 99999999999\n', headers: { 'Content-Type': 'text/html' } },
  'lf.sts.test': { body: generated.replace(/\r\n/g, '\n') },
};

let dir = '';
let bind: BindServer;
let dns: DnsClient;
let https: Server;
let httpsPort = 0;
let caPem = '';
const sockets = new Set<Socket>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-sts-'));
  const hosts = Object.keys(ROUTES).map((d) => `mta-sts.${d}`);
  const { ca, leaf } = caAndLeaf(dir, 'policy-host', hosts);
  caPem = ca.cert;
  https = createServer({ key: leaf.key, cert: leaf.chain }, (req, res) => {
    const domain = String(req.headers.host ?? '').replace(/^mta-sts\./, '');
    const route = ROUTES[domain];
    if (!route || req.url !== '/.well-known/mta-sts.txt') {
      res.writeHead(404).end();
      return;
    }
    if (route.hang) return;
    if (route.bytes !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < route.bytes! && res.write(chunk)) sent += chunk.length;
        if (sent < route.bytes!) res.once('drain', pump);
        else res.end();
      };
      pump();
      return;
    }
    res.writeHead(route.status ?? 200, { 'Content-Type': 'text/plain; charset=utf-8', ...route.headers });
    res.end(route.body ?? '');
  });
  https.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', () => resolve()));
  const address = https.address();
  httpsPort = typeof address === 'object' && address ? address.port : 0;

  const id = compileMtaStsId(generated);
  const zone = [
    '@ SOA ns.sts.test. hostmaster.sts.test. 1 3600 600 86400 300',
    '@ NS ns',
    'ns A 127.0.0.1',
    ...Object.keys(ROUTES).flatMap((d) => {
      const label = d.replace(/\.sts\.test$/, '');
      return [
        `${label} MX 10 mx-01.sts.test.`,
        `${label} MX 20 mx-02.sts.test.`,
        // missing.sts.test: the policy changed (mx-02 dropped) but the id is still the generated one.
        `_mta-sts.${label} TXT "v=STSv1; id=${id}"`,
      ];
    }),
    '_smtp._tls.good TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,https://reports.sts.test/tlsrpt"',
    // Passes the loose syntax check (https: and something), fails a real URL parse.
    '_smtp._tls.missing TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,https://reports.sts.test:99999/x"',
    'mx-01 A 127.0.0.1',
    'mx-02 A 127.0.0.1',
  ].join('\n');
  bind = await startBind({ zones: [{ name: 'sts.test', text: zone }] });
  dns = createDnsClient({ servers: [{ host: '127.0.0.1', port: bind.port }], recursionDesired: false, cache: false });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (https ? https.close(() => resolve()) : resolve()));
  await bind?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fetchOptions = () => ({ address: '127.0.0.1', port: httpsPort, ca: caPem, timeoutMs: 1500 });
const live = (domain: string, extra: Parameters<typeof checkMtaStsLive>[2] = {}) => checkMtaStsLive(domain, dns, { fetch: fetchOptions(), ...extra });
const summary = (findings: Finding[]): string[] => findings.map((f) => `${f.severity} ${f.code} ${f.name}`).sort();

describe('fetchMtaStsPolicy (RFC 8461 §3.3)', () => {
  it('fetches the policy with the CA bundle, checking the certificate against mta-sts.<domain>', async () => {
    const result = await fetchMtaStsPolicy('good.sts.test', fetchOptions());
    expect(result).toEqual({ status: 'ok', url: 'https://mta-sts.good.sts.test/.well-known/mta-sts.txt', text: generated, contentType: 'text/plain; charset=utf-8' });
  });
  it('refuses a certificate not trusted (no CA bundle) and one for another name', async () => {
    const untrusted = await fetchMtaStsPolicy('good.sts.test', { address: '127.0.0.1', port: httpsPort, timeoutMs: 1500 });
    expect(untrusted).toMatchObject({ status: 'failed', kind: 'tls' });
    const other = selfSigned(dir, 'other', ['mta-sts.good.sts.test']);
    const wrongName = await fetchMtaStsPolicy('unlisted.sts.test', { ...fetchOptions(), ca: [caPem, other.cert] });
    expect(wrongName).toMatchObject({ status: 'failed', kind: 'tls' });
    expect(wrongName.status === 'failed' && wrongName.reason).toMatch(/mta-sts\.unlisted\.sts\.test/);
  });
  it('does not follow a redirect', async () => {
    expect(await fetchMtaStsPolicy('redirect.sts.test', fetchOptions())).toMatchObject({ status: 'failed', kind: 'redirect', httpStatus: 301 });
  });
  it('stops a 1 MiB body at the 64 KiB limit', async () => {
    const t0 = Date.now();
    const result = await fetchMtaStsPolicy('huge.sts.test', fetchOptions());
    expect(result).toMatchObject({ status: 'failed', kind: 'limit', reason: 'the policy is larger than 65536 octets' });
    expect(Date.now() - t0).toBeLessThan(1500);
  });
  it('gives up on a host that never answers, within the timeout', async () => {
    const t0 = Date.now();
    const result = await fetchMtaStsPolicy('hang.sts.test', { ...fetchOptions(), timeoutMs: 500 });
    expect(result).toMatchObject({ status: 'failed', kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1200);
  });
});

describe('checkMtaStsLive', () => {
  it('a served policy equal to the generated one, every MX covered, valid TLS-RPT: no finding', async () => {
    expect(await live('good.sts.test', { expectedPolicy: { text: generated } })).toEqual([]);
  });

  it('a policy missing an MX: mta-sts.mx-not-covered (enforce), drift from the generated policy, id unchanged, bad rua', async () => {
    const findings = await live('missing.sts.test', { expectedPolicy: { text: generated } });
    expect(summary(findings)).toEqual([
      'error mta-sts.id-unchanged mta-sts.missing.sts.test',
      'error mta-sts.mx-not-covered mta-sts.missing.sts.test',
      'error mta-sts.policy-drift mta-sts.missing.sts.test',
      'error tls-rpt.rua-invalid _smtp._tls.missing.sts.test',
    ]);
    const byCode = (code: string) => findings.find((f) => f.code === code)?.message ?? '';
    expect(byCode('mta-sts.mx-not-covered')).toContain('MX mx-02.sts.test matches no mx pattern');
    expect(byCode('mta-sts.policy-drift')).toContain('mx mx-02.sts.test missing');
    expect(byCode('mta-sts.id-unchanged')).toContain(`id=${compileMtaStsId(generated)} is the id of the generated policy`);
    expect(byCode('tls-rpt.rua-invalid')).toContain('https://reports.sts.test:99999/x');
  });

  it('the id rule from a previously seen pair: same id, different policy -> id-unchanged; same policy -> nothing', async () => {
    const id = compileMtaStsId(generated);
    const changed = await live('missing.sts.test', { previous: { id, text: generated } });
    expect(summary(changed)).toContain('error mta-sts.id-unchanged mta-sts.missing.sts.test');
    const same = await live('good.sts.test', { previous: { id, text: generated } });
    expect(same).toEqual([]);
  });

  it('mode testing: an uncovered MX is a warning only', async () => {
    expect(summary(await live('testing.sts.test'))).toEqual(['warning mta-sts.mx-not-covered-testing mta-sts.testing.sts.test']);
  });

  it('LF line endings are accepted (RFC 8461 §3.2), and mean the same as the CRLF policy', async () => {
    expect(await live('lf.sts.test', { expectedPolicy: { text: generated } })).toEqual([]);
  });

  it('an invalid policy: one syntax finding per problem, and the media type', async () => {
    const findings = await live('broken.sts.test');
    expect(summary(findings)).toEqual([
      ...Array(4).fill('error mta-sts.policy-syntax mta-sts.broken.sts.test'),
      'warning mta-sts.policy-content-type mta-sts.broken.sts.test',
    ]);
    const problems = findings.filter((f) => f.code === 'mta-sts.policy-syntax').map((f) => f.message.replace(/^\S+: /, '')).sort();
    expect(problems).toEqual([
      'max_age "99999999999" is not 1 to 10 digits',
      'mode is "enforcing", not enforce, testing or none',
      'mx "bad_host!" is not a host name or "*." and a host name',
      'version is "STSv2", not STSv1',
    ]);
  });

  it('redirect and 404: mta-sts.policy-fetch-failed; a hanging host: policy-unreachable (unknown), bounded', async () => {
    expect(summary(await live('redirect.sts.test'))).toEqual(['error mta-sts.policy-fetch-failed mta-sts.redirect.sts.test']);
    expect(summary(await live('notfound.sts.test'))).toEqual(['error mta-sts.policy-fetch-failed mta-sts.notfound.sts.test']);
    const t0 = Date.now();
    const hang = await checkMtaStsLive('hang.sts.test', dns, { fetch: { ...fetchOptions(), timeoutMs: 400 } });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(summary(hang)).toEqual(['warning mta-sts.policy-unreachable mta-sts.hang.sts.test']);
  });

  it('no _mta-sts record and no expected policy: nothing is fetched', async () => {
    let fetched = 0;
    const findings = await checkMtaStsLive('nothing.sts.test', dns, {
      fetchPolicy: async () => {
        fetched++;
        return { status: 'failed', url: '', kind: 'refused', reason: 'x' };
      },
    });
    expect(fetched).toBe(0);
    expect(findings).toEqual([]);
  });
});
