// Test certificates made with openssl: self-signed leaves, and a CA with a leaf it signs. Used by the probe tests and the Dovecot harness.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { findTool } from './processes.js';

export interface TestCert {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
  /** Certificate (and chain) served: the leaf, then the issuers. */
  chain: string;
}

function openssl(dir: string, args: string[]): void {
  const tool = findTool('openssl', 'the tests make their certificates with openssl (apt-get install -y --no-install-recommends openssl)');
  execFileSync(tool, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string, name: string, chainTail = ''): TestCert {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const cert = readFileSync(certPath, 'utf8');
  return { keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert, chain: cert + chainTail };
}

/** subjectAltName for host names and IP addresses (a client checks an IP against IP entries only, RFC 6125 §1.7.2). */
function subjectAltName(names: string[]): string {
  return `subjectAltName=${names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`;
}

/** A self-signed P-256 certificate with the given names (DNS names or IP addresses), valid `days` from now. */
export function selfSigned(dir: string, name: string, names: string[], days = 30): TestCert {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${names[0]}`, '-days', String(days),
    '-addext', subjectAltName(names),
  ]);
  return read(dir, name);
}

/** A self-signed certificate for an existing key (the "next" key once the ACME renewal used it). */
export function selfSignedForKey(dir: string, name: string, keyPath: string, names: string[], days = 30): TestCert {
  openssl(dir, [
    'req', '-x509', '-new', '-key', keyPath, '-out', `${name}.crt`, '-subj', `/CN=${names[0]}`, '-days', String(days),
    '-addext', subjectAltName(names),
  ]);
  writeFileSync(join(dir, `${name}.key`), readFileSync(keyPath));
  return read(dir, name);
}

/** A CA (basicConstraints CA:true) and a leaf it signs for `names`; the leaf's chain includes the CA. */
export function caAndLeaf(dir: string, name: string, names: string[]): { ca: TestCert; leaf: TestCert } {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}-ca.key`, '-out', `${name}-ca.crt`, '-subj', `/CN=${name} test CA`, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${names[0]}`]);
  writeFileSync(join(dir, `${name}.ext`), `${subjectAltName(names)}\nbasicConstraints=CA:FALSE\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${name}-ca.crt`, '-CAkey', `${name}-ca.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '20', '-extfile', `${name}.ext`]);
  const ca = read(dir, `${name}-ca`);
  return { ca, leaf: read(dir, name, ca.cert) };
}
