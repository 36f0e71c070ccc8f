// The Resolver seam: everything that looks names up takes one of these, so that
// tests inject a fake zone and the CLI wires the real client at the edge.

import type { RR, RRType } from '../dns-types/rr.js';

/**
 * The outcome of one question. An auditor must never report "missing" when it
 * means "could not ask", so failure is its own case (RFC 8020, RFC 2308).
 */
export type Answer =
  | { status: 'ok'; records: RR[]; authenticated: boolean }
  | { status: 'nxdomain'; authenticated: boolean }
  | { status: 'nodata'; authenticated: boolean }
  | { status: 'error'; reason: string };

export interface Resolver {
  resolve(name: string, type: RRType): Promise<Answer>;
}
