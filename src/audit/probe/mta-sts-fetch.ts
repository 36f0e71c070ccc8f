// Fetching https://mta-sts.<domain>/.well-known/mta-sts.txt the way a sender does (RFC 8461 §3.3): certificate checked, no redirects, 200 only, bounded in size and time.
//
// The only module of the MTA-STS probe that opens sockets.

import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { mtaStsPolicyUrl } from '../../mail/mta-sts/record.js';

export interface MtaStsFetchOptions {
  /** Connect here instead of resolving mta-sts.<domain> (tests). The certificate is still checked against mta-sts.<domain>. */
  address?: string;
  /** Default 443. */
  port?: number;
  /** Trusted CAs in PEM instead of Node's bundle (tests). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Whole fetch, connect to last octet. Default 15 s. */
  timeoutMs?: number;
  /** Largest body accepted. Default 64 KiB (a policy is a few hundred octets). */
  maxOctets?: number;
}

export type MtaStsFetchFailureKind = 'timeout' | 'refused' | 'unreachable' | 'closed' | 'tls' | 'http' | 'redirect' | 'limit';

export type MtaStsFetchResult =
  | { status: 'ok'; url: string; text: string; contentType?: string }
  | { status: 'failed'; url: string; kind: MtaStsFetchFailureKind; reason: string; httpStatus?: number };

const TLS_CODES = /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_|HOSTNAME_MISMATCH)/;

function kindOf(error: NodeJS.ErrnoException): MtaStsFetchFailureKind {
  const code = error.code ?? '';
  if (TLS_CODES.test(code)) return 'tls';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') return 'closed';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'unreachable';
}

/** Fetches the policy text; never throws, never follows a redirect, never outlives timeoutMs. */
export function fetchMtaStsPolicy(domain: string, options: MtaStsFetchOptions = {}): Promise<MtaStsFetchResult> {
  const host = `mta-sts.${domain.replace(/\.$/, '')}`;
  const url = mtaStsPolicyUrl(domain);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxOctets = options.maxOctets ?? 64 * 1024;
  return new Promise<MtaStsFetchResult>((resolve) => {
    let done = false;
    const finish = (result: MtaStsFetchResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request({
      host: options.address ?? host,
      port: options.port ?? 443,
      path: '/.well-known/mta-sts.txt',
      method: 'GET',
      // §3.3: the certificate must be valid for mta-sts.<domain>, chained to a trusted root.
      servername: host,
      headers: { Host: host, 'User-Agent': 'mailrec-audit', Accept: 'text/plain' },
      rejectUnauthorized: true,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      agent: false,
    });
    const timer = setTimeout(() => finish({ status: 'failed', url, kind: 'timeout', reason: `no complete answer within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const kind = kindOf(error);
      finish({ status: 'failed', url, kind, reason: kind === 'tls' ? `the certificate of ${host} is not valid: ${error.message}` : `${error.code ?? 'error'}: ${error.message}` });
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        // §3.3: "HTTP 3xx redirects MUST NOT be followed".
        finish({ status: 'failed', url, kind: 'redirect', httpStatus: status, reason: `HTTP ${status} redirect${res.headers.location ? ` to ${String(res.headers.location).slice(0, 200)}` : ''}: senders do not follow redirects` });
        return;
      }
      if (status !== 200) {
        // §3.3: only 200 is a policy.
        finish({ status: 'failed', url, kind: 'http', httpStatus: status, reason: `HTTP ${status} instead of 200` });
        return;
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > maxOctets) {
        finish({ status: 'failed', url, kind: 'limit', httpStatus: status, reason: `the policy is ${declared} octets, over the limit of ${maxOctets}` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxOctets) {
          finish({ status: 'failed', url, kind: 'limit', httpStatus: status, reason: `the policy is larger than ${maxOctets} octets` });
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const contentType = res.headers['content-type'];
        finish({ status: 'ok', url, text: Buffer.concat(chunks).toString('utf8'), ...(contentType !== undefined ? { contentType } : {}) });
      });
      res.on('error', (error: NodeJS.ErrnoException) => finish({ status: 'failed', url, kind: 'closed', httpStatus: status, reason: `the body was cut off: ${error.message}` }));
      res.on('aborted', () => finish({ status: 'failed', url, kind: 'closed', httpStatus: status, reason: 'the body was cut off' }));
    });
    req.end();
  });
}
