// Test certificates made with openssl for the probe tests: self-signed leaves, a CA and a leaf it signs, TLSA data as openssl computes it.

import { execFileSync, execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
  /** Certificate (and chain) served: the leaf, then the issuers. */
  chain: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string, name: string, chainTail = ''): TestCert {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const cert = readFileSync(certPath, 'utf8');
  return { keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert, chain: cert + chainTail };
}

/** A self-signed P-256 certificate with the given DNS names, valid `days` from now. */
export function selfSigned(dir: string, name: string, dnsNames: string[], days = 30): TestCert {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${dnsNames[0]}`, '-days', String(days),
    '-addext', `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}`,
  ]);
  return read(dir, name);
}

/** A self-signed certificate for an existing key (the "next" key once the ACME renewal used it). */
export function selfSignedForKey(dir: string, name: string, keyPath: string, dnsNames: string[], days = 30): TestCert {
  openssl(dir, [
    'req', '-x509', '-new', '-key', keyPath, '-out', `${name}.crt`, '-subj', `/CN=${dnsNames[0]}`, '-days', String(days),
    '-addext', `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}`,
  ]);
  writeFileSync(join(dir, `${name}.key`), readFileSync(keyPath));
  return read(dir, name);
}

/** A CA (basicConstraints CA:true) and a leaf it signs; the leaf's chain includes the CA. */
export function caAndLeaf(dir: string, name: string, dnsNames: string[]): { ca: TestCert; leaf: TestCert } {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}-ca.key`, '-out', `${name}-ca.crt`, '-subj', `/CN=${name} test CA`, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${dnsNames[0]}`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}\nbasicConstraints=CA:FALSE\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${name}-ca.crt`, '-CAkey', `${name}-ca.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '20', '-extfile', `${name}.ext`]);
  const ca = read(dir, `${name}-ca`);
  return { ca, leaf: read(dir, name, ca.cert) };
}

/** TLSA association data as the DANE documentation computes it with openssl (the oracle). */
export function tlsaDataByOpenssl(dir: string, certPath: string, selector: 0 | 1, matchingType: 0 | 1 | 2): string {
  const der = selector === 0 ? `openssl x509 -in '${certPath}' -outform der` : `openssl x509 -in '${certPath}' -pubkey -noout | openssl pkey -pubin -outform der`;
  const digest = matchingType === 0 ? "od -An -v -tx1 | tr -d ' \\n'" : matchingType === 1 ? "sha256sum | cut -d' ' -f1" : "sha512sum | cut -d' ' -f1";
  return execSync(`${der} | ${digest}`, { cwd: dir, encoding: 'utf8', shell: '/bin/bash' }).trim();
}
