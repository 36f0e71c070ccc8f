// RFC 8460 §4 reports: the RFC's own example shape, what real senders vary (counts as text,
// mx-host as one string, a BOM, date-times without seconds), and what is refused (bounded,
// never quoting the input); sums by policy, result type and MX.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/dmarc-reports/limits.js';
import { decodeTlsAttachment, parseTlsReport } from '../../src/dmarc-reports/tls-rpt.js';
import { summarizeTls } from '../../src/dmarc-reports/tls-summary.js';
import { tlsJson } from './receiver-mail.js';

/** The example report of RFC 8460 §4.4 (written out here, with its numbers). */
const RFC_EXAMPLE = {
  'organization-name': 'Company-X',
  'date-range': { 'start-datetime': '2016-04-01T00:00:00Z', 'end-datetime': '2016-04-01T23:59:59Z' },
  'contact-info': 'sts-reporting@company-x.example',
  'report-id': '5065427c-23d3-47ca-b6e0-946ea0e8c4be',
  policies: [
    {
      policy: {
        'policy-type': 'sts',
        'policy-string': ['version: STSv1', 'mode: testing', 'mx: *.mail.company-y.example', 'max_age: 86400'],
        'policy-domain': 'company-y.example',
        'mx-host': ['*.mail.company-y.example'],
      },
      summary: { 'total-successful-session-count': 5326, 'total-failure-session-count': 303 },
      'failure-details': [
        { 'result-type': 'certificate-expired', 'sending-mta-ip': '2001:db8:abcd:0012::1', 'receiving-mx-hostname': 'mx1.mail.company-y.example', 'failed-session-count': 100 },
        { 'result-type': 'starttls-not-supported', 'sending-mta-ip': '2001:db8:abcd:0013::1', 'receiving-mx-hostname': 'mx2.mail.company-y.example', 'receiving-ip': '203.0.113.56', 'failed-session-count': 200, 'additional-information': 'https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported' },
        { 'result-type': 'validation-failure', 'sending-mta-ip': '198.51.100.62', 'receiving-ip': '203.0.113.58', 'receiving-mx-hostname': 'mx-backup.mail.company-y.example', 'failed-session-count': 3, 'failure-reason-code': 'X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED' },
      ],
    },
  ],
};

const parse = (value: unknown) => parseTlsReport(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), DEFAULT_LIMITS);

describe('parseTlsReport', () => {
  it('reads the RFC 8460 §4.4 example', () => {
    const r = parse(RFC_EXAMPLE);
    expect(r).toMatchObject({ organization: 'Company-X', reportId: '5065427c-23d3-47ca-b6e0-946ea0e8c4be', begin: 1459468800, end: 1459555199, contact: 'sts-reporting@company-x.example' });
    expect(r.policies).toEqual([
      {
        type: 'sts',
        domain: 'company-y.example',
        stsMode: 'testing',
        mxHosts: ['*.mail.company-y.example'],
        successfulSessions: 5326,
        failedSessions: 303,
        failures: [
          { resultType: 'certificate-expired', receivingMx: 'mx1.mail.company-y.example', sendingMtaIp: '2001:db8:abcd:0012::1', failedSessions: 100 },
          { resultType: 'starttls-not-supported', receivingMx: 'mx2.mail.company-y.example', receivingIp: '203.0.113.56', sendingMtaIp: '2001:db8:abcd:0013::1', failedSessions: 200 },
          { resultType: 'validation-failure', receivingMx: 'mx-backup.mail.company-y.example', receivingIp: '203.0.113.58', sendingMtaIp: '198.51.100.62', failedSessions: 3 },
        ],
      },
    ]);
  });

  it('takes what senders vary: counts as text, one mx-host string, a BOM, no seconds, upper-case names with a dot', () => {
    const text = `\uFEFF${JSON.stringify({
      ...RFC_EXAMPLE,
      'date-range': { 'start-datetime': '2016-04-01T00:00Z', 'end-datetime': '2016-04-01T23:59:59+00:00' },
      policies: [
        {
          policy: { 'policy-type': 'TLSA', 'policy-domain': 'Company-Y.Example.', 'mx-host': 'MX1.mail.company-y.example.' },
          summary: { 'total-successful-session-count': '12', 'total-failure-session-count': 0 },
        },
      ],
    })}`;
    const r = parse(text);
    expect(r.begin).toBe(1459468800);
    expect(r.policies[0]).toEqual({ type: 'tlsa', domain: 'company-y.example', mxHosts: ['mx1.mail.company-y.example'], successfulSessions: 12, failedSessions: 0, failures: [] });
  });

  it.each([
    ['not JSON', '{"organization-name": ', 'not a TLS report: not valid JSON'],
    ['an array', '[]', 'not a TLS report: the JSON is not an object'],
    ['no date range', { ...RFC_EXAMPLE, 'date-range': undefined }, 'not a TLS report: no "date-range"'],
    ['a bad date', { ...RFC_EXAMPLE, 'date-range': { 'start-datetime': 'yesterday', 'end-datetime': '2016-04-01T23:59:59Z' } }, '"start-datetime" is not an RFC 3339 date-time'],
    ['an unknown policy type', { ...RFC_EXAMPLE, policies: [{ ...RFC_EXAMPLE.policies[0], policy: { 'policy-type': 'x'.repeat(500), 'policy-domain': 'a.example' } }] }, `unknown policy-type "${'x'.repeat(40)}"`],
    ['a negative count', { ...RFC_EXAMPLE, policies: [{ ...RFC_EXAMPLE.policies[0], summary: { 'total-successful-session-count': -1, 'total-failure-session-count': 0 } }] }, '"total-successful-session-count" is not a session count'],
    ['an absurd count', { ...RFC_EXAMPLE, policies: [{ ...RFC_EXAMPLE.policies[0], summary: { 'total-successful-session-count': 1e15, 'total-failure-session-count': 0 } }] }, '"total-successful-session-count" is not a session count'],
    ['a huge organization name', { ...RFC_EXAMPLE, 'organization-name': 'o'.repeat(2000) }, '"organization-name" is longer than 1024 characters'],
  ])('refuses %s, without quoting it', (_name, input, message) => {
    expect(() => parse(input)).toThrow(message);
  });

  it('refuses too many policies before reading them', () => {
    const many = { ...RFC_EXAMPLE, policies: Array.from({ length: 10_001 }, () => RFC_EXAMPLE.policies[0]) };
    expect(() => parse(many)).toThrow('more than 10000 entries in "policies"');
  });
});

describe('decodeTlsAttachment', () => {
  it('gunzips application/tlsrpt+gzip and passes +json through', () => {
    const json = Buffer.from(JSON.stringify(RFC_EXAMPLE));
    expect(decodeTlsAttachment(gzipSync(json), DEFAULT_LIMITS).equals(json)).toBe(true);
    expect(decodeTlsAttachment(json, DEFAULT_LIMITS)).toBe(json);
  });

  it('stops a gzip bomb at the cap and at the ratio, and names a corrupt stream', () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20, 0x20));
    expect(() => decodeTlsAttachment(bomb, { ...DEFAULT_LIMITS, maxXmlBytes: 1 << 20 })).toThrow('the gzip data decompresses to more than 1 MiB; refused (decompression bomb?)');
    expect(() => decodeTlsAttachment(bomb, DEFAULT_LIMITS)).toThrow('decompresses more than 200 times its size');
    expect(() => decodeTlsAttachment(gzipSync(Buffer.from('{}')).subarray(0, 12), DEFAULT_LIMITS)).toThrow(/^corrupt or truncated gzip data/);
  });
});

describe('summarizeTls', () => {
  it('adds sessions per policy domain and type, failures by result and by MX, and what the details leave out', () => {
    const day = 1796000000;
    const a = parse(tlsJson({ org: 'google.com', id: 'a', begin: day, end: day + 86399, policies: [{ type: 'sts', domain: 'example.org', mode: 'enforce', success: 90, failure: 10, failures: [{ resultType: 'certificate-expired', mx: 'mx-01.example.org', count: 6 }, { resultType: 'validation-failure', mx: 'mx-02.example.org', count: 3 }] }] }));
    const b = parse(tlsJson({ org: 'microsoft.com', id: 'b', begin: day, end: day + 86399, policies: [{ type: 'sts', domain: 'example.org', mode: 'testing', success: 50, failure: 2, failures: [{ resultType: 'certificate-expired', mx: 'mx-01.example.org', count: 2 }] }, { type: 'tlsa', domain: 'example.org', success: 7, failure: 0 }] }));
    const s = summarizeTls([a, b]);
    expect(s.reports).toBe(2);
    expect(s.receivers).toEqual(['google.com', 'microsoft.com']);
    expect(s.policies).toEqual([
      {
        domain: 'example.org',
        type: 'sts',
        modes: ['enforce', 'testing'],
        reports: 2,
        receivers: ['google.com', 'microsoft.com'],
        successful: 140,
        failed: 12,
        byResult: { 'certificate-expired': 8, 'validation-failure': 3 },
        byMx: [
          { mx: 'mx-01.example.org', failed: 8, byResult: { 'certificate-expired': 8 } },
          { mx: 'mx-02.example.org', failed: 3, byResult: { 'validation-failure': 3 } },
        ],
        unattributed: 1,
      },
      { domain: 'example.org', type: 'tlsa', modes: [], reports: 1, receivers: ['microsoft.com'], successful: 7, failed: 0, byResult: {}, byMx: [], unattributed: 0 },
    ]);
  });
});
