// checkLiveTransport, the audit's one call: DANE and MTA-STS together over a fake zone, an injected probe and fetch; the policy's generated MTA-STS file as the expected one.

import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTransport } from '../../src/audit/checks/transport.js';
import { checkLiveTransport, expectedMtaStsPolicy, reconcileDnssecFindings } from '../../src/audit/probe/live.js';
import type { SmtpProbeResult } from '../../src/audit/probe/smtp-tls.js';
import { compileMtaStsId, renderMtaStsPolicy } from '../../src/mail/mta-sts/record.js';
import { createFakeResolver } from '../helpers/fake-resolver.js';
import { makeDomain, pos } from '../build/fixtures.js';
import { selfSigned, tlsaDataByOpenssl, type TestCert } from './certs.js';

let dir = '';
let cert: TestCert;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-live-'));
  cert = selfSigned(dir, 'mx', ['mx-01.example.org']);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const domain = makeDomain('example.org', { mx: [{ host: 'mx-01.example.org', preference: 10 }], mtaSts: { mode: 'enforce', maxAge: 604800, position: pos } });
const generated = renderMtaStsPolicy('enforce', ['mx-01.example.org'], 604800);

function zone(authenticated: boolean) {
  return createFakeResolver(
    {
      'example.org': { MX: [[10, 'mx-01.example.org']] },
      '_mta-sts.example.org': { TXT: [`v=STSv1; id=${compileMtaStsId(generated)}`] },
      '_smtp._tls.example.org': { TXT: ['v=TLSRPTv1; rua=mailto:tlsrpt@example.org'] },
      '_25._tcp.mx-01.example.org': { TLSA: [[3, 1, 1, tlsaDataByOpenssl(dir, cert.certPath, 1, 1)]] },
      '': {},
    },
    { authenticated },
  );
}

const served = (): SmtpProbeResult => ({
  host: 'mx-01.example.org',
  port: 25,
  outcome: 'tls',
  starttls: true,
  extensions: ['STARTTLS'],
  chain: [new X509Certificate(cert.cert).raw],
  tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
  notes: [],
  elapsedMs: 1,
});

describe('checkLiveTransport', () => {
  it('expects the policy file mailrec generates', () => {
    expect(expectedMtaStsPolicy(domain)).toEqual({ text: generated });
    expect(expectedMtaStsPolicy(makeDomain('example.org'))).toBeUndefined();
  });

  it('all well: the TLSA match (validated) and nothing from MTA-STS', async () => {
    const probed: string[] = [];
    const findings = await checkLiveTransport('example.org', zone(true), {
      mxHosts: ['mx-01.example.org'],
      policyDomain: domain,
      probe: async (host) => {
        probed.push(host);
        return served();
      },
      fetchPolicy: async (d) => ({ status: 'ok', url: `https://mta-sts.${d}/.well-known/mta-sts.txt`, text: generated, contentType: 'text/plain' }),
    });
    expect(probed).toEqual(['mx-01.example.org']);
    expect(findings.map((f) => f.code)).toEqual(['tlsa.match']);
  });

  it('served policy drifted and the resolver does not validate: drift, not-validated; the static no-dnssec is reconciled away', async () => {
    const resolver = zone(false);
    const live = await checkLiveTransport('example.org', resolver, {
      mxHosts: ['mx-01.example.org'],
      policyDomain: domain,
      probe: async () => served(),
      fetchPolicy: async (d) => ({ status: 'ok', url: `https://mta-sts.${d}/.well-known/mta-sts.txt`, text: renderMtaStsPolicy('testing', ['mx-01.example.org'], 604800), contentType: 'text/plain' }),
    });
    expect(live.map((f) => f.code).sort()).toEqual(['mta-sts.id-unchanged', 'mta-sts.policy-drift', 'tlsa.match', 'tlsa.not-validated']);
    const staticFindings = await checkTransport('example.org', resolver, { mxHosts: ['mx-01.example.org'] });
    expect(staticFindings.map((f) => f.code)).toContain('tlsa.no-dnssec');
    const merged = reconcileDnssecFindings([...staticFindings, ...live]).map((f) => f.code);
    expect(merged).not.toContain('tlsa.no-dnssec');
    expect(merged).toContain('tlsa.not-validated');
  });

  it('no MX host: no SMTP probe at all', async () => {
    let probes = 0;
    await checkLiveTransport('example.org', zone(true), {
      mxHosts: [],
      probe: async () => {
        probes++;
        return served();
      },
      fetchPolicy: async () => ({ status: 'failed', url: '', kind: 'refused', reason: 'ECONNREFUSED' }),
    });
    expect(probes).toBe(0);
  });
});
