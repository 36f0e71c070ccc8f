// SMTP TLS reports (RFC 8460 §4): the JSON a sending MTA mails to the TLS-RPT rua=
// address, read into per-policy session counts. Pure: bytes in, a report or a
// ReportFormatError out; every list and count is bounded.

import { gunzipSync } from 'node:zlib';
import { ReportFormatError } from '../base/errors.js';
import { formatBytes } from '../base/repo-files.js';
import { type ReadLimits } from './limits.js';

/** RFC 8460 §4.4: the policy the sender applied. */
export type TlsPolicyType = 'sts' | 'tlsa' | 'no-policy-found';

/** RFC 8460 §4.3 result types; a sender may report others, kept as written (lowercase). */
export const TLS_RESULT_TYPES = [
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
] as const;

export interface TlsFailureDetail {
  resultType: string;
  /** receiving-mx-hostname, lowercase without the final dot; undefined when the sender does not say. */
  receivingMx?: string;
  receivingIp?: string;
  sendingMtaIp?: string;
  failedSessions: number;
}

export interface TlsPolicyResult {
  type: TlsPolicyType;
  /** policy-domain: the recipient domain the policy is for. */
  domain: string;
  /** The MTA-STS mode the policy-string states ("mode: enforce"), when it is an sts policy. */
  stsMode?: string;
  /** mx-host (RFC 8460 §4.4: the MX patterns of an sts policy, the hosts of a tlsa one). */
  mxHosts: string[];
  successfulSessions: number;
  failedSessions: number;
  failures: TlsFailureDetail[];
}

export interface TlsReport {
  organization: string;
  reportId: string;
  contact?: string;
  /** Seconds since the epoch. */
  begin: number;
  end: number;
  policies: TlsPolicyResult[];
}

/** Policies in one report and failure details in one policy: far above what senders write. */
export const MAX_TLS_POLICIES = 10_000;
export const MAX_TLS_FAILURE_DETAILS = 100_000;
/** A session count over this is not a day of mail to one domain. */
const MAX_SESSIONS = 1e12;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: Json, field: string, required: boolean): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new ReportFormatError(`no "${field}"`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ReportFormatError(`"${field}" is not a string`);
  if (v.length > 1024) throw new ReportFormatError(`"${field}" is longer than 1024 characters`);
  return v;
}

function count(v: Json, field: string): number {
  // Some senders write counts as strings ("12").
  const n = typeof v === 'string' && /^[0-9]{1,13}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_SESSIONS) throw new ReportFormatError(`"${field}" is not a session count`);
  return n;
}

/** RFC 3339 date-time (RFC 8460 §4.4 date-range) to seconds; refused when it does not parse. */
function dateTime(v: Json, field: string): number {
  const s = text(v, field, true)!;
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(s.trim())) throw new ReportFormatError(`"${field}" is not an RFC 3339 date-time`);
  // A date-time without an offset is read as UTC, as the RFC's examples are.
  const ms = Date.parse(/([Zz]|[+-]\d{2}:?\d{2})$/.test(s.trim()) ? s.trim() : `${s.trim()}Z`);
  if (!Number.isFinite(ms)) throw new ReportFormatError(`"${field}" is not an RFC 3339 date-time`);
  return Math.floor(ms / 1000);
}

function hostName(v: string): string {
  return v.trim().toLowerCase().replace(/\.$/, '');
}

function list(v: Json, field: string, max: number): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ReportFormatError(`"${field}" is not a list`);
  if (v.length > max) throw new ReportFormatError(`more than ${max} entries in "${field}"`);
  return v;
}

function readPolicy(entry: Json, index: number): TlsPolicyResult {
  if (!isObject(entry)) throw new ReportFormatError(`policies[${index}] is not an object`);
  const policy = entry.policy;
  if (!isObject(policy)) throw new ReportFormatError(`policies[${index}] has no "policy" object`);
  const rawType = text(policy['policy-type'], 'policy-type', true)!.trim().toLowerCase();
  if (rawType !== 'sts' && rawType !== 'tlsa' && rawType !== 'no-policy-found') throw new ReportFormatError(`unknown policy-type "${rawType.slice(0, 40)}"`);
  const domain = hostName(text(policy['policy-domain'], 'policy-domain', true)!);
  if (domain === '' || domain.length > 253) throw new ReportFormatError('"policy-domain" is not a domain name');
  // mx-host is a list (RFC 8460 §4.4); some senders write one string.
  const mxRaw = policy['mx-host'];
  const mxHosts = (typeof mxRaw === 'string' ? [mxRaw] : list(mxRaw, 'mx-host', 1000)).map((m) => hostName(text(m, 'mx-host', true)!));
  let stsMode: string | undefined;
  for (const line of list(policy['policy-string'], 'policy-string', 1000)) {
    const m = /^\s*mode\s*:\s*([a-z]+)\s*$/i.exec(text(line, 'policy-string', true)!);
    if (m) stsMode = m[1]!.toLowerCase();
  }
  const summary = entry.summary;
  if (!isObject(summary)) throw new ReportFormatError(`policies[${index}] has no "summary"`);
  const failures: TlsFailureDetail[] = [];
  for (const d of list(entry['failure-details'], 'failure-details', MAX_TLS_FAILURE_DETAILS)) {
    if (!isObject(d)) throw new ReportFormatError('a failure-details entry is not an object');
    const detail: TlsFailureDetail = {
      resultType: text(d['result-type'], 'result-type', true)!.trim().toLowerCase(),
      failedSessions: count(d['failed-session-count'], 'failed-session-count'),
    };
    const mx = text(d['receiving-mx-hostname'], 'receiving-mx-hostname', false);
    if (mx !== undefined && mx.trim() !== '') detail.receivingMx = hostName(mx);
    const ip = text(d['receiving-ip'], 'receiving-ip', false);
    if (ip !== undefined) detail.receivingIp = ip.trim();
    const sending = text(d['sending-mta-ip'], 'sending-mta-ip', false);
    if (sending !== undefined) detail.sendingMtaIp = sending.trim();
    failures.push(detail);
  }
  const out: TlsPolicyResult = {
    type: rawType,
    domain,
    mxHosts,
    successfulSessions: count(summary['total-successful-session-count'], 'total-successful-session-count'),
    failedSessions: count(summary['total-failure-session-count'], 'total-failure-session-count'),
    failures,
  };
  if (stsMode !== undefined) out.stsMode = stsMode;
  return out;
}

/** Parse the JSON of one report (RFC 8460 §4.4). Throws ReportFormatError, never a quote of the input. */
export function parseTlsReport(json: Buffer, limits: Pick<ReadLimits, 'maxXmlBytes'>): TlsReport {
  if (json.length > limits.maxXmlBytes) throw new ReportFormatError(`TLS report larger than ${formatBytes(limits.maxXmlBytes)}`);
  let doc: Json;
  try {
    // RFC 8460 §4: UTF-8 JSON (RFC 8259); a BOM is tolerated.
    doc = JSON.parse(json.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw new ReportFormatError('not a TLS report: not valid JSON');
  }
  if (!isObject(doc)) throw new ReportFormatError('not a TLS report: the JSON is not an object');
  const range = doc['date-range'];
  if (!isObject(range)) throw new ReportFormatError('not a TLS report: no "date-range"');
  const report: TlsReport = {
    organization: text(doc['organization-name'], 'organization-name', true)!.trim(),
    reportId: text(doc['report-id'], 'report-id', true)!.trim(),
    begin: dateTime(range['start-datetime'], 'start-datetime'),
    end: dateTime(range['end-datetime'], 'end-datetime'),
    policies: list(doc.policies, 'policies', MAX_TLS_POLICIES).map(readPolicy),
  };
  const contact = text(doc['contact-info'], 'contact-info', false);
  if (contact !== undefined) report.contact = contact;
  if (report.organization === '') throw new ReportFormatError('"organization-name" is empty');
  return report;
}

/**
 * The JSON of a TLS-RPT attachment: application/tlsrpt+gzip is gzip (RFC 1952), +json is
 * plain. Decompression stops at the XML cap and at the bomb ratio of the DMARC reader.
 */
export function decodeTlsAttachment(data: Buffer, limits: Pick<ReadLimits, 'maxXmlBytes' | 'maxRatio' | 'ratioFloorBytes'>): Buffer {
  if (data[0] !== 0x1f || data[1] !== 0x8b) return data;
  let json: Buffer;
  try {
    json = gunzipSync(data, { maxOutputLength: limits.maxXmlBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
      throw new ReportFormatError(`the gzip data decompresses to more than ${formatBytes(limits.maxXmlBytes)}; refused (decompression bomb?)`);
    throw new ReportFormatError(`corrupt or truncated gzip data (${(err as Error).message})`);
  }
  if (json.length > limits.ratioFloorBytes && json.length > data.length * limits.maxRatio)
    throw new ReportFormatError(`the gzip data decompresses more than ${limits.maxRatio} times its size; refused (decompression bomb?)`);
  return json;
}
