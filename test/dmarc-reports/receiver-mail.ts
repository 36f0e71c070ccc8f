// Report mail as receivers send it, for the fetch tests and the benchmark: DMARC aggregate
// reports (RFC 7489 §7.2.1.1 naming, "receiver!domain!begin!end") as a zip (Google), a gzip
// (Microsoft), plain XML (smaller receivers), one inside nested multiparts; TLS reports
// (RFC 8460 §5.3: multipart/report; report-type="tlsrpt", application/tlsrpt+gzip); a message
// that is no report; and hostile ones (a gzip bomb, MIME nested past the cap).

import { gzipSync } from 'node:zlib';
import { reportXml, type ReportSpec } from './build-report.js';
import { zip } from './containers.js';

export const DAY = 86_400;

/** 00:00 UTC of the day `daysAgo` days before today. */
export function dayStart(daysAgo: number, now = Date.now()): number {
  return Math.floor(now / 1000 / DAY) * DAY - daysAgo * DAY;
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export interface Part {
  contentType: string;
  filename?: string;
  data: Buffer;
}

interface Envelope {
  from: string;
  subject: string;
  date: number;
  extraHeaders?: string[];
}

function leaf(part: Part): string[] {
  const name = part.filename ? `; name="${part.filename}"` : '';
  return [
    `Content-Type: ${part.contentType}${name}`,
    'Content-Transfer-Encoding: base64',
    ...(part.filename ? [`Content-Disposition: attachment; filename="${part.filename}"`] : []),
    '',
    base64Lines(part.data),
  ];
}

let counter = 0;

/** A multipart/mixed message: a text part, then the parts. */
export function message(env: Envelope, parts: Part[], options: { type?: string; nested?: boolean } = {}): string {
  const b = `=_mailrec_${++counter}_${env.date}`;
  const inner = `=_inner_${counter}`;
  const lines = [
    `Return-Path: <${env.from}>`,
    `From: ${env.from}`,
    'To: dmarc-reports@example.org',
    `Subject: ${env.subject}`,
    `Date: ${new Date(env.date * 1000).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${counter}.${env.date}@${env.from.split('@')[1]}>`,
    ...(env.extraHeaders ?? []),
    'MIME-Version: 1.0',
    `Content-Type: ${options.type ?? 'multipart/mixed'}; boundary="${b}"`,
    '',
    'This is a multi-part message in MIME format.',
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `This is an aggregate report from ${env.from.split('@')[1]}.`,
    '',
  ];
  if (options.nested) {
    // Some gateways wrap the attachment once more: multipart/mixed inside multipart/mixed.
    lines.push(`--${b}`, `Content-Type: multipart/mixed; boundary="${inner}"`, '', `--${inner}`, 'Content-Type: text/plain', '', 'forwarded report', '');
    for (const p of parts) lines.push(`--${inner}`, ...leaf(p), '');
    lines.push(`--${inner}--`, '');
  } else {
    for (const p of parts) lines.push(`--${b}`, ...leaf(p), '');
  }
  lines.push(`--${b}--`, '');
  return lines.join('\r\n');
}

function fileName(spec: ReportSpec, ext: string): string {
  return `${spec.org}!${spec.domain}!${spec.begin}!${spec.end}${ext}`;
}

export type DmarcContainer = 'zip' | 'gz' | 'xml' | 'nested';

/** A DMARC aggregate report mail in the container one receiver uses. */
export function dmarcMail(spec: ReportSpec, container: DmarcContainer): { mail: string; attachment: Part } {
  const xml = Buffer.from(reportXml(spec), 'utf8');
  const attachment: Part =
    container === 'zip'
      ? { contentType: 'application/zip', filename: fileName(spec, '.zip'), data: zip([{ name: fileName(spec, '.xml'), data: xml }]) }
      : container === 'xml'
        ? { contentType: 'text/xml', filename: fileName(spec, '.xml'), data: xml }
        : { contentType: 'application/gzip', filename: fileName(spec, '.xml.gz'), data: gzipSync(xml) };
  const env: Envelope = {
    from: `noreply-dmarc@${spec.org}`,
    subject: `Report Domain: ${spec.domain} Submitter: ${spec.org} Report-ID: <${spec.id}>`,
    date: (spec.end ?? 0) + 3600,
  };
  return { mail: message(env, [attachment], { nested: container === 'nested' }), attachment };
}

export interface TlsFailureSpec {
  resultType: string;
  mx: string;
  count: number;
}

export interface TlsPolicySpec {
  type: 'sts' | 'tlsa' | 'no-policy-found';
  domain: string;
  mode?: string;
  mx?: string[];
  success: number;
  failure: number;
  failures?: TlsFailureSpec[];
}

export interface TlsSpec {
  org: string;
  id: string;
  begin: number;
  end: number;
  policies: TlsPolicySpec[];
}

/** RFC 8460 §4.4 JSON. */
export function tlsJson(spec: TlsSpec): string {
  const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  return JSON.stringify(
    {
      'organization-name': spec.org,
      'date-range': { 'start-datetime': iso(spec.begin), 'end-datetime': iso(spec.end) },
      'contact-info': `smtp-tls-reporting@${spec.org}`,
      'report-id': spec.id,
      policies: spec.policies.map((p) => ({
        policy: {
          'policy-type': p.type,
          ...(p.type === 'sts' ? { 'policy-string': ['version: STSv1', `mode: ${p.mode ?? 'testing'}`, ...(p.mx ?? []).map((m) => `mx: ${m}`), 'max_age: 86400'] } : {}),
          'policy-domain': p.domain,
          ...(p.mx ? { 'mx-host': p.mx } : {}),
        },
        summary: { 'total-successful-session-count': p.success, 'total-failure-session-count': p.failure },
        ...(p.failures
          ? {
              'failure-details': p.failures.map((f) => ({
                'result-type': f.resultType,
                'sending-mta-ip': '192.0.2.25',
                'receiving-mx-hostname': f.mx,
                'receiving-ip': '198.51.100.10',
                'failed-session-count': f.count,
              })),
            }
          : {}),
      })),
    },
    null,
    2,
  );
}

/** A TLS report mail (RFC 8460 §5.3): multipart/report; report-type="tlsrpt", the JSON gzipped. */
export function tlsMail(spec: TlsSpec, encoding: 'gzip' | 'json' = 'gzip'): { mail: string; attachment: Part } {
  const json = Buffer.from(tlsJson(spec), 'utf8');
  const domain = spec.policies[0]?.domain ?? 'example.org';
  const name = `${spec.org}!${domain}!${spec.begin}!${spec.end}!${spec.id}.json${encoding === 'gzip' ? '.gz' : ''}`;
  const attachment: Part = { contentType: `application/tlsrpt+${encoding}`, filename: name, data: encoding === 'gzip' ? gzipSync(json) : json };
  const env: Envelope = {
    from: `noreply-smtp-tls-reporting@${spec.org}`,
    subject: `Report Domain: ${domain} Submitter: ${spec.org} Report-ID: <${spec.id}>`,
    date: spec.end + 3600,
    extraHeaders: [`TLS-Report-Domain: ${domain}`, `TLS-Report-Submitter: ${spec.org}`],
  };
  return { mail: message(env, [attachment], { type: 'multipart/report; report-type="tlsrpt"' }), attachment };
}

/** A message with no report: an auto-reply that landed in the rua mailbox. */
export function notAReport(date: number): string {
  return [
    'From: Out of Office <someone@partner.example>',
    'To: dmarc-reports@example.org',
    'Subject: Automatic reply: your message',
    `Date: ${new Date(date * 1000).toUTCString()}`,
    'Message-ID: <ooo-1@partner.example>',
    'Auto-Submitted: auto-replied',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'I am out of the office until Monday.',
    '',
  ].join('\r\n');
}

let bombData: Buffer | undefined;

/** A gzip bomb posing as a report: an XML element with 100 MiB of spaces, in about 100 KiB. */
export function gzipBombMail(date: number): string {
  bombData ??= gzipSync(Buffer.concat([Buffer.from('<?xml version="1.0"?>\n<feedback>'), Buffer.alloc(100 << 20, 0x20), Buffer.from('</feedback>')]), { level: 9 });
  const bomb = bombData;
  return message({ from: 'noreply-dmarc@bomb.example', subject: 'Report Domain: example.org Submitter: bomb.example', date }, [
    { contentType: 'application/gzip', filename: 'bomb.example!example.org!1!2.xml.gz', data: bomb },
  ]);
}

/** MIME multiparts nested 20 deep, past the reader's cap of 8. */
export function deepMimeMail(date: number): string {
  const lines = ['From: x@deep.example', 'To: dmarc-reports@example.org', 'Subject: deep', `Date: ${new Date(date * 1000).toUTCString()}`, 'MIME-Version: 1.0'];
  for (let i = 0; i < 20; i++) lines.push(`Content-Type: multipart/mixed; boundary="d${i}"`, '', `--d${i}`);
  lines.push('Content-Type: text/plain', '', 'deep', '');
  for (let i = 19; i >= 0; i--) lines.push(`--d${i}--`);
  return lines.join('\r\n');
}
