// One problem, one code, one wording: plan, audit and import ask the same protocol rules
// (src/mail/<protocol>/rules.ts), so a record that has a problem is reported alike by all
// the stages that raise the code (src/base/codes.ts). Each case publishes the same text to
// the audit (through a fake zone), to import (in a zone file) and, where plan can build
// it, takes it from plan's own record.

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDkim } from '../../src/audit/checks/dkim.js';
import { checkDmarc } from '../../src/audit/checks/dmarc.js';
import { checkMtaSts } from '../../src/audit/checks/mta-sts.js';
import { checkSpf } from '../../src/audit/checks/spf.js';
import { checkTlsRpt } from '../../src/audit/checks/tls-rpt.js';
import type { Finding } from '../../src/base/finding.js';
import { buildZoneRecords } from '../../src/build/zone-records.js';
import { chunkTxt, txtText } from '../../src/dns-types/rr.js';
import type { DomainPolicy } from '../../src/policy/model.js';
import { makeDomain, makePolicy, pos } from '../build/fixtures.js';
import { createFakeResolver, type FakeZone } from '../helpers/fake-resolver.js';
import { importZones } from '../interop/helpers.js';

const D = 'example.org';

/** The findings import reports for TXT records published at `owner`. */
function importSays(owner: string, texts: string[]): { code: string; message: string }[] {
  const rel = owner === D ? '@' : owner.slice(0, -(D.length + 1));
  const zone = texts.map((t) => `${rel} 3600 IN TXT ${chunkTxt(t).map((s) => JSON.stringify(s)).join(' ')}`).join('\n');
  return importZones([{ apex: D, text: zone }]).findings.map((f) => ({ code: f.code, message: f.message }));
}

/** The notices plan gives for a domain, and the TXT texts it would publish at `owner`. */
function planSays(domain: DomainPolicy, owner: string): { said: { code: string; message: string }[]; texts: string[] } {
  const [zone] = buildZoneRecords(makePolicy([D], [domain]));
  return {
    said: zone!.notices.map((n) => ({ code: n.code, message: n.message })),
    texts: zone!.records.flatMap((rr) => (rr.name === owner && rr.type === 'TXT' ? [txtText(rr)] : [])),
  };
}

function said(findings: Finding[]): { code: string; message: string }[] {
  return findings.map((f) => ({ code: f.code, message: f.message }));
}

function only(list: { code: string; message: string }[], code: string): string[] {
  return list.filter((x) => x.code === code).map((x) => x.message);
}

/** Asserts that every stage reports `code` once, in the same words; returns them. */
function expectSame(code: string, ...stages: { code: string; message: string }[][]): string {
  const messages = stages.map((s) => only(s, code));
  for (const m of messages) expect(m, `${code} in ${JSON.stringify(stages)}`).toHaveLength(1);
  for (const m of messages.slice(1)) expect(m).toEqual(messages[0]);
  return messages[0]![0]!;
}

const zoneOf = (sets: FakeZone): ReturnType<typeof createFakeResolver> => createFakeResolver(sets);

describe('SPF: the same code and words in plan, audit and import', () => {
  it('spf.too-long: the record plan builds, as the audit and import read it', async () => {
    const senders = Array.from({ length: 30 }, (_, i) => ({ kind: 'ip4' as const, cidr: `192.0.2.${i}` }));
    const plan = planSays(makeDomain(D, { senders }), D);
    expect(plan.texts).toHaveLength(1);
    const audit = said(await checkSpf(D, zoneOf({ [D]: { TXT: plan.texts } })));
    expect(expectSame('spf.too-long', plan.said, audit, importSays(D, plan.texts))).toMatch(/^the SPF record is \d+ octets \(over 450\)$/);
  });

  it('spf.multiple: a raw: SPF beside the senders (plan), two records (audit, import)', async () => {
    const raw = [{ name: D, rdata: { type: 'TXT' as const, strings: ['v=spf1 -all'] }, position: pos }];
    const plan = planSays(makeDomain(D, { senders: [{ kind: 'mx' }], raw }), D);
    const texts = ['v=spf1 mx ~all', 'v=spf1 -all'];
    const audit = said(await checkSpf(D, zoneOf({ [D]: { TXT: texts } })));
    expect(expectSame('spf.multiple', plan.said, audit, importSays(D, texts))).toBe(`2 SPF records at ${D}: receivers return permerror`);
  });

  it.each([
    ['spf.pass-all', 'v=spf1 +all', `"+all" at ${D} authorizes every host on the Internet`],
    ['spf.neutral-all', 'v=spf1 mx ?all', `"?all" at ${D}: unlisted hosts get neutral`],
    ['spf.ptr', 'v=spf1 ptr -all', `"ptr" at ${D}: ptr is slow and unreliable, and some receivers ignore it`],
    ['spf.no-all', 'v=spf1 ip4:192.0.2.1', `the SPF record at ${D} has neither "all" nor redirect=: unlisted hosts get neutral (§4.7)`],
    ['spf.syntax', 'v=spf1 ip4:192.0.2.1/33 -all', `SPF syntax error at ${D} in "ip4:192.0.2.1/33": ip4: CIDR length /33 is over 32`],
  ])('%s: audit and import', async (code, text, words) => {
    const audit = said(await checkSpf(D, zoneOf({ [D]: { TXT: [text] } })));
    expect(expectSame(code, audit, importSays(D, [text]))).toBe(words);
  });
});

describe('DMARC: the same code and words in plan, audit and import', () => {
  const owner = `_dmarc.${D}`;
  const dmarc = { policy: 'reject' as const, testing: false, rua: [`mailto:d@${D}`], ruf: [], position: pos };

  it('dmarc.removed-tag: pct= written on request (plan), read (audit, import)', async () => {
    const plan = planSays(makeDomain(D, { dmarc: { ...dmarc, pct: 50 } }), owner);
    expect(plan.texts).toEqual([`v=DMARC1; p=reject; pct=50; rua=mailto:d@${D}`]);
    const audit = said(await checkDmarc(D, zoneOf({ [owner]: { TXT: plan.texts } })));
    expect(expectSame('dmarc.removed-tag', plan.said, audit, importSays(owner, plan.texts))).toBe(`pct= at ${owner}: removed in RFC 9989 and ignored by its receivers`);
  });

  it.each([
    ['dmarc.not-enforcing', `v=DMARC1; p=none; rua=mailto:d@${D}`],
    ['dmarc.subdomain-weaker', `v=DMARC1; p=reject; sp=none; rua=mailto:d@${D}`],
    ['dmarc.rua-missing', 'v=DMARC1; p=reject'],
    ['dmarc.not-applied', 'v=DMARC1; p=never'],
    ['dmarc.syntax', `v=DMARC1; p=reject; adkim=x; rua=mailto:d@${D}`],
  ])('%s: audit and import', async (code, text) => {
    const audit = said(await checkDmarc(D, zoneOf({ [owner]: { TXT: [text] } })));
    expectSame(code, audit, importSays(owner, [text]));
  });
});

describe('DKIM: the same code and words in plan, audit and import', () => {
  const owner = `s1._domainkey.${D}`;

  it('dkim.rsa-weak: a 1024-bit key (plan builds it, audit and import read it)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const plan = planSays(makeDomain(D, { dkim: [{ selector: 's1', keyPath: 'keys/s1.pem', keyPem, state: 'active', position: pos }] }), owner);
    expect(plan.texts).toHaveLength(1);
    const audit = said(await checkDkim(D, zoneOf({ [owner]: { TXT: plan.texts } }), { selectors: [{ selector: 's1' }] }));
    expect(expectSame('dkim.rsa-weak', plan.said, audit, importSays(owner, plan.texts))).toBe(`the RSA key at ${owner} has 1024 bits`);
  });

  it.each([
    // The hash rule import used to have was "sha1 alone"; the audit's is "no sha256" (RFC 8301 §3.1).
    ['dkim.sha1-only', 'v=DKIM1; h=sha512; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='],
    ['dkim.key-type-mismatch', 'v=DKIM1; k=rsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='],
    ['dkim.testing', 'v=DKIM1; t=y; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='],
    ['dkim.version-invalid', 'k=rsa; v=DKIM1; p=AAAA'],
  ])('%s: audit and import', async (code, text) => {
    const audit = said(await checkDkim(D, zoneOf({ [owner]: { TXT: [text] } }), { selectors: [{ selector: 's1' }] }));
    expectSame(code, audit, importSays(owner, [text]));
  });
});

describe('MTA-STS and TLS-RPT: the same code and words in plan, audit and import', () => {
  it('mta-sts.multiple: a raw: record beside the policy (plan), two records (audit, import)', async () => {
    const owner = `_mta-sts.${D}`;
    const raw = [{ name: owner, rdata: { type: 'TXT' as const, strings: ['v=STSv1; id=1'] }, position: pos }];
    const mx = [{ host: `mx.${D}`, preference: 10 }];
    const plan = planSays(makeDomain(D, { mx, mtaSts: { mode: 'enforce', maxAge: 86400, position: pos }, raw }), owner);
    expect(plan.texts).toHaveLength(2);
    const audit = said(await checkMtaSts(D, zoneOf({ [owner]: { TXT: plan.texts } })));
    expect(expectSame('mta-sts.multiple', plan.said, audit, importSays(owner, plan.texts))).toBe(
      `2 v=STSv1 records at ${owner}: senders treat the domain as having no policy`,
    );
  });

  it('mta-sts.syntax: audit and import', async () => {
    const owner = `_mta-sts.${D}`;
    const text = 'v=STSv1; id=not_an_id!';
    const audit = said(await checkMtaSts(D, zoneOf({ [owner]: { TXT: [text] } })));
    expect(expectSame('mta-sts.syntax', audit, importSays(owner, [text]))).toBe(`MTA-STS record at ${owner}: id=not_an_id! is not 1-32 letters or digits`);
  });

  it('tls-rpt.syntax: a report URI of another scheme (plan, audit, import)', async () => {
    const owner = `_smtp._tls.${D}`;
    const plan = planSays(makeDomain(D, { tlsRpt: { rua: ['ftp://reports.example.net/tls'], position: pos } }), owner);
    const text = 'v=TLSRPTv1; rua=ftp://reports.example.net/tls';
    const audit = said(await checkTlsRpt(D, zoneOf({ [owner]: { TXT: [text] } })));
    expect(expectSame('tls-rpt.syntax', plan.said, audit, importSays(owner, [text]))).toBe(
      `TLS-RPT record at ${owner}: rua entry "ftp://reports.example.net/tls" is not a mailto: or https: URI`,
    );
  });

  it('tls-rpt.multiple: audit and import', async () => {
    const owner = `_smtp._tls.${D}`;
    const texts = [`v=TLSRPTv1; rua=mailto:a@${D}`, `v=TLSRPTv1; rua=mailto:b@${D}`];
    const audit = said(await checkTlsRpt(D, zoneOf({ [owner]: { TXT: texts } })));
    expect(expectSame('tls-rpt.multiple', audit, importSays(owner, texts))).toBe(`2 v=TLSRPTv1 records at ${owner}`);
  });
});
