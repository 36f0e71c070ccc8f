import { describe, expect, it } from 'vitest';
import { isAligned, organizationalDomain } from '../../src/dmarc-reports/org-domain.js';
import { readReports } from '../../src/dmarc-reports/read-reports.js';
import { readDispositionPolicy, type DispositionPolicy, type ProposedRecord } from '../../src/dmarc-reports/record.js';
import type { PublishedPolicy, ReportRow } from '../../src/dmarc-reports/report.js';
import { OVERRIDE_REASONS, evaluateRow, inferExistence, simulate, type OutcomeCounts } from '../../src/dmarc-reports/simulate.js';
import { writeEstate } from './estate.js';
import { seededRandom } from '../../harness/processes.js';

function record(text: string): DispositionPolicy {
  const parsed = readDispositionPolicy(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.record;
}

function proposed(text: string, domain = 'example.org'): ProposedRecord[] {
  return [{ domain, text, record: record(text) }];
}

const NONE: PublishedPolicy = { domain: 'example.org', p: 'none', adkim: 'r', aspf: 'r', testing: false };

function row(partial: Partial<ReportRow> & { sourceIp: string; count: number }): ReportRow {
  return { headerFrom: 'example.org', disposition: 'none', reasons: [], dkim: [], spf: [], published: NONE, ...partial };
}

/*
 * The estate (test/dmarc-reports/estate.ts), by hand. Published everywhere: p=none.
 * Proposed: v=DMARC1; p=reject; sp=quarantine; np=reject (adkim, aspf relaxed).
 *
 *  row  source        n   header-from        DKIM                      SPF (MAIL FROM)            DMARC  applies  outcome
 *  R1   192.0.2.10   40   example.org        example.org pass          example.org pass           pass   p        delivered
 *  R2   192.0.2.11   10   example.org        mail.example.org pass     bounce.esp.test fail       pass   p        delivered (relaxed DKIM)
 *  R3   198.51.100.7  8   example.org        esp.test pass (unal.)     bounce.example.org pass    pass   p        delivered (relaxed SPF)
 *  R4   203.0.113.5  12   example.org        esp.test pass (unal.)     esp.test pass (unal.)      fail   p=reject rejected
 *  R5   203.0.113.6   5   example.org        example.org s=old fail    example.org softfail       fail   p=reject rejected
 *  R6   203.0.113.7   6   news.example.org   none                      news.example.org fail      fail   sp=quar. quarantined
 *  R7   203.0.113.8   3   ghost.example.org  -                         ghost.example.org none     fail   np=reject rejected (if known
 *                                                                                                                 not to exist; else sp: quarantined)
 *  R8   203.0.113.9   4   example.org        example.org fail          forwarder.test pass        fail   p=reject overridden (forwarded)
 *  R9   203.0.113.9   2   example.org        example.org fail, lists   lists.test pass            fail   p=reject overridden (mailing_list)
 *  R10  203.0.113.10  4   example.org        -                         esp.test fail              fail   p=reject overridden (1 each: local_policy,
 *                                                                                                                 trusted_forwarder, sampled_out, policy_test_mode)
 *  R11  192.0.2.12    3   example.org        -                         example.org pass, HELO     fail   p=reject rejected (HELO does not count)
 *
 * messages 97 = 40+10+8+12+5+6+3+4+2+4+3; pass 58 = R1+R2+R3; fail 39.
 * proposed, ghost known not to exist: delivered 58, quarantined 6 (R6), rejected 23 (R4 12 + R5 5 + R7 3 + R11 3),
 *   overridden 10 (R8 4 + R9 2 + R10 4): 58+6+23+10 = 97. lost = 6+23 = 29, may lose 10.
 * proposed, existence unknown: R7 under sp -> quarantined 9, rejected 20.
 * published (p=none): delivered 97, pass 58.
 * proposed with t=y: reject -> quarantine, quarantine -> none: R6 delivered (64), quarantined 12+5+3+3 = 23,
 *   rejected 0, overridden 10 (p=reject still asks for quarantine): 64+23+10 = 97.
 * proposed with adkim=s; aspf=s: R2 (d=mail.example.org) and R3 (bounce.example.org) fail too: pass 40,
 *   rejected 23+10+8 = 41, quarantined 6, overridden 10, delivered 40: 40+41+6+10 = 97.
 */
describe('the estate, against the hand computation', () => {
  const P = 'v=DMARC1; p=reject; sp=quarantine; np=reject';
  const counts = (c: Partial<OutcomeCounts>): OutcomeCounts => ({ messages: 97, pass: 58, fail: 39, delivered: 0, quarantined: 0, rejected: 0, overridden: 0, ...c });

  it('published p=none delivers everything; the proposed record rejects 23 and quarantines 6', async () => {
    const dir = writeEstate();
    const { rows } = await readReports([dir]);
    const sim = simulate({ rows, proposed: proposed(P), exists: new Map([['ghost.example.org', false], ['news.example.org', true]]) });
    expect(sim.published).toEqual(counts({ delivered: 97 }));
    expect(sim.proposed).toEqual(counts({ delivered: 58, quarantined: 6, rejected: 23, overridden: 10 }));
    expect(sim.reported).toEqual({ none: 97, quarantine: 0, reject: 0 });
    expect(sim.overrideReasons).toEqual({ forwarded: 4, local_policy: 1, mailing_list: 2, policy_test_mode: 1, sampled_out: 1, trusted_forwarder: 1 });
    expect(sim.domains).toHaveLength(1);
    expect(sim.domains[0]).toMatchObject({ domain: 'example.org', lost: 29, mayLose: 10, published: ['_dmarc.example.org: v=DMARC1; p=none'] });
    // Ranked by the volume lost.
    expect(sim.sources.map((s) => [s.ip, s.lost, s.mayLose])).toEqual([
      ['203.0.113.5', 12, 0],
      ['203.0.113.7', 6, 0],
      ['203.0.113.6', 5, 0],
      ['192.0.2.12', 3, 0],
      ['203.0.113.8', 3, 0],
      ['203.0.113.9', 0, 6],
      ['203.0.113.10', 0, 4],
      ['192.0.2.10', 0, 0],
      ['192.0.2.11', 0, 0],
      ['198.51.100.7', 0, 0],
    ]);
    expect(sim.notes).toEqual(['3 failing messages passed SPF only for the HELO identity, which DMARC does not use (RFC 9989 "SPF-Authenticated Identifiers")']);
  });

  it('without DNS, a subdomain is taken to exist (sp), and the simulation says so', async () => {
    const { rows } = await readReports([writeEstate()]);
    const sim = simulate({ rows, proposed: proposed(P) });
    expect(sim.proposed).toEqual(counts({ delivered: 58, quarantined: 9, rejected: 20, overridden: 10 }));
    expect(sim.notes[0]).toMatch(/^9 failing messages from subdomains were evaluated under sp=, not np=/);
  });

  it('t=y softens each step', async () => {
    const { rows } = await readReports([writeEstate()]);
    const sim = simulate({ rows, proposed: proposed(`${P}; t=y`), exists: new Map([['ghost.example.org', false]]) });
    expect(sim.proposed).toEqual(counts({ delivered: 64, quarantined: 23, rejected: 0, overridden: 10 }));
  });

  it('strict alignment fails the subdomain signature and the subdomain MAIL FROM', async () => {
    const { rows } = await readReports([writeEstate()]);
    const sim = simulate({ rows, proposed: proposed(`${P}; adkim=s; aspf=s`), exists: new Map([['ghost.example.org', false]]) });
    expect(sim.proposed).toEqual(counts({ pass: 40, fail: 57, delivered: 40, quarantined: 6, rejected: 41, overridden: 10 }));
    expect(sim.sources.find((s) => s.ip === '192.0.2.11')!.lost).toBe(10);
  });

  it('--record without --domain replaces each published record; --domain filters', async () => {
    const { rows } = await readReports([writeEstate()]);
    const sim = simulate({ rows, proposed: [], replacePublished: { text: 'v=DMARC1; p=quarantine', record: record('v=DMARC1; p=quarantine') } });
    // Everything failing is quarantined: 39 - 10 overridden.
    expect(sim.proposed).toMatchObject({ delivered: 58, quarantined: 29, rejected: 0, overridden: 10 });
    const sub = simulate({ rows, proposed: proposed(P), domain: 'news.example.org' });
    expect(sub.proposed).toEqual({ messages: 6, pass: 0, fail: 6, delivered: 0, quarantined: 6, rejected: 0, overridden: 0 });
  });

  it('leaves out, and says so, mail for domains without a proposed record', async () => {
    const { rows } = await readReports([writeEstate()]);
    const sim = simulate({ rows, proposed: proposed(P, 'news.example.org') });
    expect(sim.proposed.messages).toBe(6);
    expect(sim.uncovered.messages).toBe(91);
    expect(sim.notes.at(-1)).toMatch(/^91 messages \(93\.8%\) are from header-from domains without a proposed record \(example\.org, ghost\.example\.org\)/);
  });
});

describe('one row under one record', () => {
  const r = record('v=DMARC1; p=reject; sp=quarantine; np=none');
  const cases: [string, Partial<ReportRow>, DispositionPolicy, boolean, string][] = [
    ['aligned DKIM alone passes', { dkim: [{ domain: 'example.org', result: 'pass' }], spf: [{ domain: 'esp.test', result: 'fail' }] }, r, true, 'delivered'],
    ['aligned SPF alone passes', { dkim: [{ domain: 'example.org', result: 'fail' }], spf: [{ domain: 'example.org', result: 'pass' }] }, r, true, 'delivered'],
    ['unaligned DKIM and SPF fail', { dkim: [{ domain: 'esp.test', result: 'pass' }], spf: [{ domain: 'esp.test', result: 'pass' }] }, r, false, 'rejected'],
    ['DKIM neutral is not pass', { dkim: [{ domain: 'example.org', result: 'neutral' }] }, r, false, 'rejected'],
    ['relaxed: a subdomain d= aligns', { dkim: [{ domain: 'mail.example.org', result: 'pass' }] }, r, true, 'delivered'],
    ['strict: a subdomain d= does not', { dkim: [{ domain: 'mail.example.org', result: 'pass' }] }, record('v=DMARC1; p=reject; adkim=s'), false, 'rejected'],
    ['relaxed SPF: a subdomain MAIL FROM aligns', { spf: [{ domain: 'bounce.example.org', result: 'pass' }] }, r, true, 'delivered'],
    ['strict SPF: it does not', { spf: [{ domain: 'bounce.example.org', result: 'pass' }] }, record('v=DMARC1; p=reject; aspf=s'), false, 'rejected'],
    ['HELO scope does not count', { spf: [{ domain: 'example.org', scope: 'helo', result: 'pass' }] }, r, false, 'rejected'],
    ['an empty SPF domain falls back to envelope_from', { envelopeFrom: 'example.org', spf: [{ domain: '', result: 'pass' }] }, r, true, 'delivered'],
    ['a sibling under a public suffix does not align', { headerFrom: 'example.co.uk', dkim: [{ domain: 'other.co.uk', result: 'pass' }] }, r, false, 'rejected'],
    ['p=none delivers failing mail', {}, record('v=DMARC1; p=none'), false, 'delivered'],
    ['t=y: reject becomes quarantine', {}, record('v=DMARC1; p=reject; t=y'), false, 'quarantined'],
    ['t=y: quarantine becomes none', {}, record('v=DMARC1; p=quarantine; t=y'), false, 'delivered'],
  ];
  it.each(cases)('%s', (_name, partial, rec, pass, outcome) => {
    const r1 = row({ sourceIp: '192.0.2.1', count: 1, ...partial });
    const v = evaluateRow(r1, rec, organizationalDomain(r1.headerFrom), 'unknown');
    expect(v.pass).toBe(pass);
    expect(v.outcome).toBe(outcome);
  });

  it('p for the domain, sp for a subdomain, np for one that does not exist', () => {
    const sub = row({ sourceIp: '192.0.2.1', count: 1, headerFrom: 'a.example.org' });
    expect(evaluateRow(row({ sourceIp: '192.0.2.1', count: 1 }), r, 'example.org', 'unknown')).toMatchObject({ applied: 'p', effective: 'reject', outcome: 'rejected' });
    expect(evaluateRow(sub, r, 'example.org', 'exists')).toMatchObject({ applied: 'sp', effective: 'quarantine', outcome: 'quarantined' });
    expect(evaluateRow(sub, r, 'example.org', 'unknown')).toMatchObject({ applied: 'sp' });
    expect(evaluateRow(sub, r, 'example.org', 'nonexistent')).toMatchObject({ applied: 'np', effective: 'none', outcome: 'delivered' });
    // sp defaults to p, np to sp.
    expect(evaluateRow(sub, record('v=DMARC1; p=reject'), 'example.org', 'nonexistent')).toMatchObject({ applied: 'np', requested: 'reject' });
    expect(evaluateRow(sub, record('v=DMARC1; p=reject; sp=none'), 'example.org', 'nonexistent')).toMatchObject({ applied: 'np', requested: 'none' });
  });

  it.each(OVERRIDE_REASONS)('a failing row overridden for %s is counted apart', (reason) => {
    const v = evaluateRow(row({ sourceIp: '192.0.2.1', count: 1, reasons: [reason] }), r, 'example.org', 'unknown');
    expect(v.outcome).toBe('overridden');
  });

  it('"other" is not an override: the policy applies', () => {
    expect(evaluateRow(row({ sourceIp: '192.0.2.1', count: 1, reasons: ['other'] }), r, 'example.org', 'unknown').outcome).toBe('rejected');
  });

  it('infers a non-existent subdomain from the disposition the receiver applied', () => {
    const published: PublishedPolicy = { ...NONE, p: 'none', sp: 'none', np: 'reject' };
    const sub = { sourceIp: '192.0.2.1', count: 1, headerFrom: 'ghost.example.org', published };
    expect(inferExistence(row({ ...sub, disposition: 'reject' }))).toBe('nonexistent');
    expect(inferExistence(row({ ...sub, disposition: 'none' }))).toBe('exists');
    expect(inferExistence(row({ ...sub, disposition: 'reject', reasons: ['local_policy'] }))).toBe('unknown');
    expect(inferExistence(row({ ...sub, disposition: 'reject', published: { ...published, np: 'none' } }))).toBe('unknown');
    expect(inferExistence(row({ ...sub, headerFrom: 'example.org', disposition: 'reject' }))).toBe('unknown');
  });

  it('organizational domains come from the Public Suffix List', () => {
    expect(organizationalDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(organizationalDomain('Mail.Example.ORG.')).toBe('example.org');
    expect(organizationalDomain('co.uk')).toBe('co.uk');
    expect(isAligned('foo.github.io', 'bar.github.io', 'r')).toBe(false); // private-section suffix
    expect(isAligned('mail.example.org', 'example.org', 'r')).toBe(true);
    expect(isAligned('mail.example.org', 'example.org', 's')).toBe(false);
    expect(isAligned('', 'example.org', 'r')).toBe(false);
  });

  it('parses and refuses records', () => {
    expect(readDispositionPolicy('v=DMARC1; p=reject; sp=quarantine; np=none; t=y; adkim=s')).toEqual({
      ok: true,
      record: { p: 'reject', sp: 'quarantine', np: 'none', testing: true, adkim: 's', aspf: 'r' },
    });
    expect(readDispositionPolicy('p=reject')).toMatchObject({ ok: false });
    expect(readDispositionPolicy('v=DMARC1; p=block')).toEqual({ ok: false, reason: 'p=block is not none, quarantine or reject' });
    expect(readDispositionPolicy('v=DMARC1; rua=mailto:a@b')).toEqual({ ok: false, reason: 'the record has no p= tag' });
    expect(readDispositionPolicy('v=DMARC1; p=none; adkim=x')).toEqual({ ok: false, reason: 'adkim=x is not one of r, s' });
  });
});


describe('property: no message counted twice, the dispositions add up', () => {
  it('holds for 2,000 random rows (seed 20260504)', () => {
    const rand = seededRandom(20260504);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    const domains = ['example.org', 'mail.example.org', 'ghost.example.org', 'example.net', 'a.example.net', 'other.test'];
    const auth = ['example.org', 'mail.example.org', 'esp.test', 'example.net', 'bounce.example.net', ''];
    const results = ['pass', 'fail', 'none', 'softfail', 'temperror'];
    const reasons = [...OVERRIDE_REASONS, 'other'];
    const dispositions = ['none', 'quarantine', 'reject'] as const;
    const rows: ReportRow[] = [];
    for (let i = 0; i < 2000; i++) {
      const publishedDomain = pick(['example.org', 'example.net']);
      rows.push({
        sourceIp: `198.51.100.${Math.floor(rand() * 40)}`,
        count: 1 + Math.floor(rand() * 50),
        headerFrom: pick(domains),
        disposition: pick(dispositions),
        reasons: rand() < 0.2 ? [pick(reasons)] : [],
        dkim: Array.from({ length: Math.floor(rand() * 3) }, () => ({ domain: pick(auth), selector: pick(['s1', 's2']), result: pick(results) })),
        spf: Array.from({ length: Math.floor(rand() * 2) }, () => ({ domain: pick(auth), scope: pick(['mfrom', 'helo', undefined] as const), result: pick(results) })).map((s) =>
          s.scope === undefined ? { domain: s.domain, result: s.result } : { domain: s.domain, scope: s.scope, result: s.result },
        ),
        published: {
          domain: publishedDomain,
          p: pick(dispositions),
          sp: pick(dispositions),
          np: pick(dispositions),
          adkim: pick(['r', 's'] as const),
          aspf: pick(['r', 's'] as const),
          testing: rand() < 0.3,
        },
      });
    }
    const total = rows.reduce((n, r) => n + r.count, 0);
    const exists = new Map([['ghost.example.org', false], ['mail.example.org', true]]);
    for (const text of ['v=DMARC1; p=reject', 'v=DMARC1; p=quarantine; sp=reject; np=none; t=y', 'v=DMARC1; p=reject; adkim=s; aspf=s']) {
      const sim = simulate({ rows, proposed: [...proposed(text, 'example.org'), ...proposed(text, 'example.net')], exists });
      const covered = total - sim.uncovered.messages;
      for (const c of [sim.published, sim.proposed]) {
        expect(c.messages).toBe(covered);
        expect(c.pass + c.fail).toBe(c.messages);
        expect(c.delivered + c.quarantined + c.rejected + c.overridden).toBe(c.messages);
      }
      expect(sim.reported.none + sim.reported.quarantine + sim.reported.reject).toBe(covered);
      // Every message is in exactly one source and one domain.
      const bySource = sim.sources.reduce((n, s) => n + s.messages, 0);
      expect(bySource).toBe(covered);
      expect(sim.sources.reduce((n, s) => n + s.domains.reduce((m, d) => m + d.messages, 0), 0)).toBe(covered);
      expect(sim.domains.reduce((n, d) => n + d.proposedCounts.messages, 0)).toBe(covered);
      for (const side of ['delivered', 'quarantined', 'rejected', 'overridden'] as const) {
        expect(sim.sources.reduce((n, s) => n + s.proposed[side], 0)).toBe(sim.proposed[side]);
        expect(sim.domains.reduce((n, d) => n + d.publishedCounts[side], 0)).toBe(sim.published[side]);
      }
      // Lost messages are a subset of the quarantined and rejected ones.
      const lost = sim.sources.reduce((n, s) => n + s.lost, 0);
      expect(lost).toBeLessThanOrEqual(sim.proposed.quarantined + sim.proposed.rejected);
      expect(sim.sources.reduce((n, s) => n + s.mayLose, 0)).toBeLessThanOrEqual(sim.proposed.overridden);
      // other.test has no proposed record: left out, and only it.
      expect(sim.uncovered.domains.map((d) => d.domain)).toEqual(['other.test']);
    }
  });
});
