// Test certificates for the probe tests (made by harness/certs.ts) and TLSA data as openssl computes it.

import { execSync } from 'node:child_process';

export { caAndLeaf, selfSigned, selfSignedForKey, type TestCert } from '../../harness/certs.js';

/** TLSA association data as the DANE documentation computes it with openssl (the oracle). */
export function tlsaDataByOpenssl(dir: string, certPath: string, selector: 0 | 1, matchingType: 0 | 1 | 2): string {
  const der = selector === 0 ? `openssl x509 -in '${certPath}' -outform der` : `openssl x509 -in '${certPath}' -pubkey -noout | openssl pkey -pubin -outform der`;
  const digest = matchingType === 0 ? "od -An -v -tx1 | tr -d ' \\n'" : matchingType === 1 ? "sha256sum | cut -d' ' -f1" : "sha512sum | cut -d' ' -f1";
  return execSync(`${der} | ${digest}`, { cwd: dir, encoding: 'utf8', shell: '/bin/bash' }).trim();
}
