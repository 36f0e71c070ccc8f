// Typed DNS exchange failures, so that the client can tell "no answer" from "bad answer" (RFC 8020 spirit).

import { DnsError } from '../base/errors.js';

/** No acceptable answer arrived in time. */
export class DnsTimeoutError extends DnsError {}

/** The socket failed: connection refused or reset, unreachable network. */
export class DnsNetworkError extends DnsError {}
