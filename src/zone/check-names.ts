// The host-name rules BIND's check-names applies when it loads a primary zone
// (RFC 952, RFC 1123 §2.1): a fragment that breaks them does not load.

import { RecordError } from '../base/errors.js';
import { typeOf, type RR } from '../dns-types/rr.js';

// Letters, digits and inner hyphens; a label may start with a digit (RFC 1123 §2.1).
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

function isHostname(name: string, allowWildcard: boolean): boolean {
  const labels = name.split('.');
  return labels.every((label, index) => HOST_LABEL.test(label) || (allowWildcard && index === 0 && label === '*'));
}

function refuse(rr: RR, field: string, name: string): never {
  throw new RecordError(
    `${typeOf(rr)} record at ${JSON.stringify(rr.name)}: ${field} ${JSON.stringify(name)} is not a host name`,
    undefined,
    'a host name has letters, digits and inner hyphens only (RFC 952, RFC 1123 §2.1); BIND refuses the zone otherwise',
  );
}

/**
 * Check the names BIND requires to be host names: the owners of A, AAAA and MX records
 * (a leftmost "*" allowed) and the targets of MX, NS, SRV and SOA. The root is allowed
 * as an MX exchange (null MX, RFC 7505) and an SRV target ("no service", RFC 2782).
 */
export function checkHostnames(rr: RR): void {
  if ((rr.type === 'A' || rr.type === 'AAAA' || rr.type === 'MX') && rr.name !== '' && !isHostname(rr.name, true)) {
    refuse(rr, 'owner', rr.name);
  }
  const target = (field: string, name: string, allowRoot: boolean): void => {
    if (name === '' ? !allowRoot : !isHostname(name, false)) refuse(rr, field, name);
  };
  if (rr.type === 'MX') target('exchange', rr.exchange, true);
  if (rr.type === 'SRV') target('target', rr.target, true);
  if (rr.type === 'NS') target('host', rr.host, false);
  if (rr.type === 'SOA') target('mname', rr.mname, false);
}
