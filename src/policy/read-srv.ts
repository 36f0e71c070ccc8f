// Reads a domain's SRV records for mail client autoconfiguration (RFC 6186, RFC 8314):
// default ports by service, and the implicit-TLS / STARTTLS port mix-ups refused.

import type { SrvRecord } from './model.js';
import { readUniqueList, type ReadContext } from './read-context.js';
import { checkHostName, checkServiceName } from './values.js';
import { SRV_STANDARD_PORTS } from '../mail/srv/record.js';
import { LIMITS, POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field } from './yaml-reader.js';

/** RFC 8314: a service name says whether TLS starts at once or by STARTTLS; its port must agree. */
const TLS_PORT_MISMATCH: Readonly<Record<string, { port: number; message: string; hint: string }>> = {
  submission: {
    port: 465,
    message: '_submission on port 465 is refused: 465 is implicit TLS, not STARTTLS submission (RFC 8314 §3.3)',
    hint: 'use service: submissions for port 465, or port 587 for _submission',
  },
  submissions: {
    port: 587,
    message: '_submissions on port 587 is refused: 587 is STARTTLS submission, not implicit TLS (RFC 8314 §3.3)',
    hint: 'use service: submission for port 587, or port 465 for _submissions',
  },
  imap: {
    port: 993,
    message: '_imap on port 993 is refused: 993 is implicit TLS (RFC 8314 §3)',
    hint: 'use service: imaps for port 993, or port 143 for _imap',
  },
  imaps: {
    port: 143,
    message: '_imaps on port 143 is refused: 143 is IMAP with STARTTLS, not implicit TLS (RFC 8314 §3)',
    hint: 'use service: imap for port 143, or port 993 for _imaps',
  },
  pop3: {
    port: 995,
    message: '_pop3 on port 995 is refused: 995 is implicit TLS (RFC 8314 §3)',
    hint: 'use service: pop3s for port 995, or port 110 for _pop3',
  },
  pop3s: {
    port: 110,
    message: '_pop3s on port 110 is refused: 110 is POP3 with STARTTLS, not implicit TLS (RFC 8314 §3)',
    hint: 'use service: pop3 for port 110, or port 995 for _pop3s',
  },
};

function readSrvRecord(ctx: ReadContext, field: Field): SrvRecord | undefined {
  const { r } = ctx;
  const map = r.mapping(field, POLICY_KEYS.srv, { what: 'a map { service, target, ... }' });
  if (!map) return undefined;
  const serviceField = r.need(map, 'service', field);
  const serviceText = serviceField && r.string(serviceField);
  const service = serviceField && serviceText !== undefined ? r.take(serviceField, checkServiceName(serviceText)) : undefined;
  const protocolField = map.get('protocol');
  const protocol = protocolField ? r.oneOf(protocolField, POLICY_ENUMS.srv_protocol) : 'tcp';
  const targetField = r.need(map, 'target', field);
  const targetText = targetField && r.string(targetField);
  // RFC 2782 / RFC 6186 §4: target "." says the service is not offered here.
  const unavailable = targetText === '.';
  const target =
    targetField && targetText !== undefined
      ? unavailable
        ? ''
        : r.take(targetField, checkHostName(targetText, 'target', 'RFC 2782: an SRV target is a host name with an address record'))
      : undefined;
  const portField = map.get('port');
  let port: number | undefined;
  if (portField) {
    port = r.integer(portField, unavailable ? 0 : 1, LIMITS.portMax);
    const mismatch = service === undefined ? undefined : TLS_PORT_MISMATCH[service];
    if (port !== undefined && mismatch && mismatch.port === port) {
      r.refuse(portField, mismatch.message, mismatch.hint);
      port = undefined;
    }
  } else if (unavailable) {
    port = 0;
  } else if (service !== undefined) {
    port = SRV_STANDARD_PORTS[service];
    if (port === undefined) {
      const known = Object.entries(SRV_STANDARD_PORTS).map(([s, p]) => `${s} ${p}`).join(', ');
      r.report(field.at, field.path, `missing key 'port' in ${field.path}: service '${service}' has no default port`, `defaults: ${known}`);
    }
  }
  const priorityField = map.get('priority');
  const priority = priorityField ? r.integer(priorityField, 0, LIMITS.u16Max) : 0;
  const weightField = map.get('weight');
  const weight = weightField ? r.integer(weightField, 0, LIMITS.u16Max) : unavailable ? 0 : 1;
  if (
    service === undefined ||
    protocol === undefined ||
    target === undefined ||
    port === undefined ||
    priority === undefined ||
    weight === undefined
  ) {
    return undefined;
  }
  return { service, protocol, target, port, priority, weight, position: field.at };
}

export function readSrv(ctx: ReadContext, field: Field): SrvRecord[] | undefined {
  return readUniqueList(ctx, field, 'SRV record', readSrvRecord, (srv) => ({
    key: `${srv.service}/${srv.protocol}/${srv.target}/${srv.port}`,
    label: `_${srv.service}._${srv.protocol} ${srv.port} ${srv.target || '.'}`,
  }));
}
