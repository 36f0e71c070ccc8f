// `mailrec audit` with its live probes on: the CLI connects to the MX named in DNS (a
// local smtp-server on a high port), and its DANE verdict follows the served certificate.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBind, type BindServer } from '../helpers/bind.js';
import { runCli } from '../helpers/cli.js';
import { selfSigned, tlsaDataByOpenssl, type TestCert } from './certs.js';
import { startSmtp, type Peer } from './peers.js';

interface AuditDoc {
  domains: Array<{ domain: string; findings: Array<{ code: string; severity: string; name: string }> }>;
}

let bind: BindServer;
let current: TestCert;
let other: TestCert;
const dir = mkdtempSync(join(tmpdir(), 'mailrec-probe-cli-'));

beforeAll(async () => {
  current = selfSigned(dir, 'current', ['mx.probe.test']);
  other = selfSigned(dir, 'other', ['mx.probe.test']);
  const tlsa = tlsaDataByOpenssl(dir, current.certPath, 1, 1);
  bind = await startBind({
    zones: [
      {
        name: 'probe.test',
        text: [
          '@ 300 IN SOA ns.probe.test. hostmaster.probe.test. 1 3600 600 86400 300',
          '@ 300 IN NS ns.probe.test.',
          'ns 300 IN A 127.0.0.1',
          '@ 300 IN MX 10 mx.probe.test.',
          'mx 300 IN A 127.0.0.1',
          `_25._tcp.mx 300 IN TLSA 3 1 1 ${tlsa}`,
          '@ 300 IN TXT "v=spf1 mx -all"',
          '_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@probe.test"',
          '',
        ].join('\n'),
      },
    ],
  });
});

afterAll(async () => {
  await bind?.stop();
});

async function auditWith(peer: Peer, extra: string[] = []): Promise<{ code: number; doc: AuditDoc; stderr: string }> {
  const run = await runCli(
    ['audit', '--resolver', `127.0.0.1:${bind.port}`, '--probe-smtp-port', String(peer.port), '--probe-timeout', '3000', '--format', 'json', ...extra, 'probe.test'],
    { cwd: dir },
  );
  return { code: run.code, doc: JSON.parse(run.stdout) as AuditDoc, stderr: run.stderr };
}

const codes = (doc: AuditDoc) => doc.domains[0]!.findings.map((f) => `${f.code} ${f.severity}`);

describe('mailrec audit probes the MX', () => {
  it('a served certificate that matches the TLSA record', async () => {
    const peer = await startSmtp({ key: current.key, chain: current.chain });
    try {
      const { doc } = await auditWith(peer);
      expect(codes(doc)).toContain('tlsa.match info');
      expect(codes(doc).some((c) => c.startsWith('tlsa.no-match'))).toBe(false);
    } finally {
      await peer.close();
    }
  });

  it('a certificate changed without its TLSA record is an error, and --fail-on error exits 2', async () => {
    const peer = await startSmtp({ key: other.key, chain: other.chain });
    try {
      const { doc, code } = await auditWith(peer, ['--fail-on', 'error']);
      expect(codes(doc)).toContain('tlsa.no-match error');
      expect(code).toBe(2);
    } finally {
      await peer.close();
    }
  });

  it('--no-probe connects to nothing', async () => {
    const peer = await startSmtp({ key: other.key, chain: other.chain });
    try {
      const { doc } = await auditWith(peer, ['--no-probe']);
      expect(codes(doc).some((c) => c.startsWith('tlsa.match') || c.startsWith('tlsa.no-match'))).toBe(false);
    } finally {
      await peer.close();
    }
  });
});
