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
  | { status: 'error'; reason: string; cause?: FailureCause };

/**
 * Why a lookup failed, when that says more than "it may work next time": the audit then
 * gives advice that fits (a name outside the zone repo will never answer offline; a
 * non-recursive server will never answer for names outside its zones).
 */
export type FailureCause =
  /** `--zones`: the name is in no zone of the repo, or below a delegation away from it. */
  | 'outside-zone-repo'
  /** REFUSED with RA clear (RFC 1035 §4.1.1): the server answers only for its own zones. */
  | 'not-recursive';

export interface Resolver {
  resolve(name: string, type: RRType): Promise<Answer>;
}
