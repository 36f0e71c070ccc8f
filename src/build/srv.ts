// SRV (RFC 2782, RFC 6186, RFC 8314): mail client autoconfiguration records "_<service>._<proto>.<domain>".

import type { DomainPolicy, SrvRecord } from '../policy/model.js';
import { isIpLiteral } from '../dns-types/ip.js';
import { type BuildResult, type Notice, collectRecords, makeNotice } from './notice.js';
import { type RR, normalizeName } from '../dns-types/rr.js';
import { SRV_STANDARD_PORTS } from '../mail/srv/record.js';
import { checkSubmissionPort } from '../mail/srv/rules.js';

function isUint16(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535;
}

function compileSrv(domain: DomainPolicy, srv: SrvRecord): { record?: RR; notices: Notice[] } {
  const service = srv.service.replace(/^_/, '').toLowerCase();
  const owner = `_${service}._${srv.protocol}.${domain.name}`;
  const position = srv.position;
  const notices: Notice[] = [];
  // RFC 2782: target "." means the service is decidedly not available here.
  const target = normalizeName(srv.target.trim() === '.' ? '' : srv.target.trim());

  if (![srv.priority, srv.weight, srv.port].every(isUint16)) {
    notices.push(makeNotice('srv.invalid-field', owner, 'SRV priority, weight and port must be integers from 0 to 65535', position));
    return { notices };
  }
  if (target !== '' && isIpLiteral(target)) {
    notices.push(makeNotice('srv.ip-literal', owner, `SRV target "${srv.target}" is an IP address; name a host`, position));
    return { notices };
  }
  const port = checkSubmissionPort(owner, srv.port, target);
  if (port) return { notices: [makeNotice(port.code, port.name, port.message, position)] };
  const standard = SRV_STANDARD_PORTS[service];
  if (target !== '' && standard !== undefined && srv.port !== standard) {
    notices.push(makeNotice('srv.nonstandard-port', owner, `_${service} on port ${srv.port}; the standard port is ${standard}`, position));
  }
  const record: RR = { name: owner, ttl: domain.ttl, type: 'SRV', priority: srv.priority, weight: srv.weight, port: srv.port, target };
  return { record, notices };
}

/** The SRV records of one domain, sorted by owner, priority, weight, port, target. */
export function buildSrv(domain: DomainPolicy): BuildResult {
  return collectRecords(domain.srv, (srv) => compileSrv(domain, srv));
}
