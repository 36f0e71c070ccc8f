// The pure verdicts, table-driven: TLSA matching per usage, selector and matching type (against openssl's data), served-certificate dates and names, MTA-STS policy reading, TLS-RPT URIs.

import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServedCertificate, matchTlsa, type TlsaData } from '../../src/audit/probe/dane-match.js';
import { dnssecStatusOf } from '../../src/audit/probe/dane.js';
import { diffMtaStsPolicies, idUnchangedAfterPolicyChange, parseMtaStsPolicy, uncoveredMxHosts } from '../../src/mail/mta-sts/policy.js';
import { tlsRptUriProblem } from '../../src/mail/tls-rpt/record.js';
import { caAndLeaf, selfSigned, tlsaDataByOpenssl, type TestCert } from './certs.js';

let dir = '';
let leaf: TestCert;
let chain: { ca: TestCert; leaf: TestCert };
const der = (pem: string): Buffer => new X509Certificate(pem).raw;
// Read the clock per test: the certificates are made in beforeAll, after this module loads.
const now = (): Date => new Date();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-verdicts-'));
  leaf = selfSigned(dir, 'leaf', ['mx.example.test', '*.wild.example.test']);
  chain = caAndLeaf(dir, 'chain', ['mx.example.test']);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('matchTlsa', () => {
  const combos = ([0, 1] as const).flatMap((selector) => ([0, 1, 2] as const).map((matchingType) => [selector, matchingType] as const));

  it.each(combos)('usage 3, selector %s, matching %s: the leaf matches, with openssl computing the data', (selector, matchingType) => {
    const record: TlsaData = { usage: 3, selector, matchingType, certificate: tlsaDataByOpenssl(dir, leaf.certPath, selector, matchingType) };
    const [verdict] = matchTlsa([record], [der(leaf.cert)], 'mx.example.test', now());
    expect(verdict).toMatchObject({ matched: true, depth: 0 });
  });

  it.each(combos)('usage 2, selector %s, matching %s: the CA above the leaf matches; the leaf itself does not', (selector, matchingType) => {
    const served = [der(chain.leaf.cert), der(chain.ca.cert)];
    const ta: TlsaData = { usage: 2, selector, matchingType, certificate: tlsaDataByOpenssl(dir, chain.ca.certPath, selector, matchingType) };
    const self: TlsaData = { usage: 2, selector, matchingType, certificate: tlsaDataByOpenssl(dir, chain.leaf.certPath, selector, matchingType) };
    const [a, b] = matchTlsa([ta, self], served, 'mx.example.test', now());
    expect(a).toMatchObject({ matched: true, depth: 1 });
    expect(b?.matched).toBe(false);
  });

  it('usage 2 needs the anchor in the served chain, the leaf to chain to it, and the name', () => {
    const ta: TlsaData = { usage: 2, selector: 0, matchingType: 1, certificate: tlsaDataByOpenssl(dir, chain.ca.certPath, 0, 1) };
    expect(matchTlsa([ta], [der(chain.leaf.cert)], 'mx.example.test', now())[0]?.reason).toMatch(/only the leaf was served/);
    // A chain whose second element did not issue the leaf.
    expect(matchTlsa([{ ...ta, certificate: tlsaDataByOpenssl(dir, leaf.certPath, 0, 1) }], [der(chain.leaf.cert), der(leaf.cert)], 'mx.example.test', now())[0]?.reason).toMatch(/does not chain to it/);
    expect(matchTlsa([ta], [der(chain.leaf.cert), der(chain.ca.cert)], 'other.example.test', now())[0]?.reason).toMatch(/does not name other\.example\.test/);
    // 20 days of leaf validity: 30 days later the path is out of date.
    expect(matchTlsa([ta], [der(chain.leaf.cert), der(chain.ca.cert)], 'mx.example.test', new Date(Date.now() + 30 * 86_400_000))[0]?.reason).toMatch(/outside its validity dates/);
  });

  it('usages 0 and 1 never match for SMTP; wrong data does not match; uppercase data does', () => {
    const data = tlsaDataByOpenssl(dir, leaf.certPath, 1, 1);
    const verdicts = matchTlsa(
      [
        { usage: 1, selector: 1, matchingType: 1, certificate: data },
        { usage: 0, selector: 1, matchingType: 1, certificate: data },
        { usage: 3, selector: 1, matchingType: 1, certificate: data.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
        { usage: 3, selector: 1, matchingType: 1, certificate: data.toUpperCase() },
      ],
      [der(leaf.cert)],
      'mx.example.test',
      now(),
    );
    expect(verdicts.map((v) => v.matched)).toEqual([false, false, false, true]);
    expect(verdicts[0]?.reason).toBe('usage 1 is not used by SMTP (RFC 7672 §3.1.3)');
  });

  it('an unreadable chain matches nothing, with a reason', () => {
    expect(matchTlsa([{ usage: 3, selector: 1, matchingType: 1, certificate: 'ab'.repeat(32) }], [Buffer.from('junk')], 'mx.example.test', now())[0]?.reason).toBe('no readable certificate was served');
  });
});

describe('checkServedCertificate', () => {
  it.each([
    [0, { expired: false, expiring: false }],
    [17, { expired: false, expiring: true }],
    [31, { expired: true, expiring: false }],
  ])('%s days from now', (days, want) => {
    const verdict = checkServedCertificate(der(leaf.cert), 'mx.example.test', new Date(Date.now() + days * 86_400_000));
    expect(verdict).toMatchObject(want);
  });
  it.each([
    ['mx.example.test', true],
    ['MX.Example.Test.', true],
    ['a.wild.example.test', true],
    ['a.b.wild.example.test', false],
    ['other.example.test', false],
  ])('names %s: %s', (host, want) => {
    expect(checkServedCertificate(der(leaf.cert), host, now())?.nameMatches).toBe(want);
  });
});

describe('dnssecStatusOf', () => {
  const ok = (authenticated: boolean) => ({ status: 'ok' as const, records: [], authenticated });
  it.each([
    [ok(true), true, 'secure'],
    [ok(true), false, 'secure'],
    [ok(false), true, 'insecure'],
    [ok(false), false, 'not-validated'],
    [ok(false), 'unknown', 'not-validated'],
    [{ status: 'error' as const, reason: 'timeout' }, true, 'unknown'],
  ] as const)('%j with validates=%s -> %s', (answer, validates, want) => {
    expect(dnssecStatusOf(answer, { validates, reason: '' })).toBe(want);
  });
});

describe('parseMtaStsPolicy (RFC 8461 §3.2)', () => {
  const ok = 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n';
  it('reads a valid CRLF policy', () => {
    expect(parseMtaStsPolicy(ok)).toEqual({
      policy: { version: 'STSv1', mode: 'enforce', maxAge: 604800, mx: ['mail.example.com', '*.example.net'], extensions: [], lineEndings: 'crlf' },
      problems: [],
    });
  });
  it.each([
    [ok.replace(/\r\n/g, '\n'), []],
    [ok.replace('604800', '31557600'), []],
    [ok.replace('604800', '31557601'), ['max_age 31557601 is over 31557600 (about a year)']],
    ['version: STSv1\nmode: none\nmax_age: 86400\n', []],
    ['version: STSv1\nmode: testing\nmax_age: 86400\n', ['no mx field (required unless mode is none)']],
    ['mode: enforce\nmx: a.example\nmax_age: 1\n', ['no version field']],
    [`${ok}mode: testing\r\n`, ['mode appears more than once']],
    [`${ok}ext_field: x\r\n`, []],
    [ok.replace('mx: *.example.net', 'mx: *.*.example.net'), ['mx "*.*.example.net" is not a host name or "*." and a host name']],
    [ok.replace('mode: enforce\r\n', 'mode enforce\r\n'), ['line 2 "mode enforce" is not "key: value"', 'no mode field']],
    ['version: STSv1\rmode: enforce\r', ['a bare CR is not a line ending (CRLF or LF)', 'version is "STSv1?mode: enforce", not STSv1', 'no mode field', 'no max_age field', 'no mx field (required unless mode is none)']],
  ])('%j -> %j', (text, problems) => {
    expect(parseMtaStsPolicy(text).problems).toEqual(problems);
  });
  it('MX coverage (RFC 8461 §4.1): "*." matches one label only', () => {
    const { policy } = parseMtaStsPolicy(ok);
    expect(uncoveredMxHosts(policy, ['mail.example.com.', 'a.example.net', 'a.b.example.net', 'example.net'])).toEqual(['a.b.example.net', 'example.net']);
  });
  it('comparison ignores formatting and mx order; the id rule needs a change in meaning', () => {
    const reordered = 'mx: *.example.net\nmx: mail.example.com\nversion: STSv1\nmax_age: 604800\nmode: enforce\n';
    expect(diffMtaStsPolicies(parseMtaStsPolicy(ok).policy, parseMtaStsPolicy(reordered).policy)).toEqual([]);
    expect(idUnchangedAfterPolicyChange({ id: 'a1', text: ok }, { id: 'a1', text: reordered })).toBe(false);
    const testing = ok.replace('enforce', 'testing');
    expect(diffMtaStsPolicies(parseMtaStsPolicy(ok).policy, parseMtaStsPolicy(testing).policy)).toEqual(['mode testing instead of enforce']);
    expect(idUnchangedAfterPolicyChange({ id: 'a1', text: ok }, { id: 'a1', text: testing })).toBe(true);
    expect(idUnchangedAfterPolicyChange({ id: 'a1', text: ok }, { id: 'a2', text: testing })).toBe(false);
  });
});

describe('tlsRptUriProblem (RFC 8460 §3)', () => {
  it.each([
    ['mailto:tlsrpt@example.org', undefined],
    ['mailto:tls%2Brpt@example.org', undefined],
    ['https://reports.example.org/tlsrpt', undefined],
    ['mailto:nobody', '"mailto:nobody" is not mailto: and one address'],
    ['https://', '"https://" is not a valid https URL'],
    ['https://localhost/x', '"https://localhost/x" has no host name'],
    ['http://reports.example.org/', '"http://reports.example.org/" is neither mailto: nor https:'],
    ['tlsrpt@example.org', '"tlsrpt@example.org" is neither mailto: nor https:'],
  ])('%s', (uri, problem) => {
    expect(tlsRptUriProblem(uri)).toBe(problem);
  });
});

it('the certificate helper writes what openssl reads', () => {
  expect(readFileSync(leaf.certPath, 'utf8')).toContain('BEGIN CERTIFICATE');
});
