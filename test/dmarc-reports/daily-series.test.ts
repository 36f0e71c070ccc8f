// The archive read per day for the site gives the numbers the report commands give: the same
// messages as the DMARC reader over the same files, aligned as the simulator's published
// record counts pass, the next step's simulation equal to `dmarc simulate --record --domain`,
// and TLS sessions as `tlsrpt summary` sums them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainName, writeSyntheticArchive } from '../../harness/site-history.js';
import { analyzeReports } from '../../src/dmarc-reports/analyze.js';
import { ReportFiles } from '../../src/dmarc-reports/archive-files.js';
import { readTlsReports, selectArchive } from '../../src/dmarc-reports/archive-select.js';
import { nextPolicyStep, readReportSeries, type ReportSeries } from '../../src/dmarc-reports/daily-series.js';
import type { PublishedPolicy } from '../../src/dmarc-reports/report.js';
import { betweenWindow } from '../../src/dmarc-reports/window.js';

let dir: string;
let files: ReportFiles;
let series: ReportSeries;
const window = betweenWindow('2026-11-01', '2026-12-06', new Date('2026-12-07T07:00:00Z'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-series-'));
  await writeSyntheticArchive(dir, join(dir, 'reports'), { domains: [domainName(0), domainName(1)], days: 10 });
  files = new ReportFiles(dir);
  series = await readReportSeries(files, 'reports', window);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readReportSeries', () => {
  it('counts each day once per domain, and every message the DMARC reader counts', async () => {
    expect(series.days).toHaveLength(10);
    expect(series.errors).toEqual([]);
    const d0 = series.dmarc.get(domainName(0))!;
    expect(d0.days.map((d) => d.day)).toEqual(series.days);
    expect(d0.receivers).toEqual(['google.com', 'mail.example.net', 'outlook.com']);
    const selection = selectArchive(files, 'reports', 'dmarc', window, domainName(0));
    const analysis = await analyzeReports({ paths: selection.paths, record: 'v=DMARC1; p=quarantine', domain: domainName(0), top: 0 });
    const messages = d0.days.reduce((n, d) => n + d.messages, 0);
    expect(messages).toBe(analysis.input.messages);
    expect(d0.days.reduce((n, d) => n + [...d.bySource.values()].reduce((a, b) => a + b, 0), 0)).toBe(messages);
    // Aligned as the simulator's published record counts a pass.
    expect(d0.days.reduce((n, d) => n + d.aligned, 0)).toBe(analysis.simulation.published.pass);
    expect(analysis.simulation.published.pass).toBeLessThan(messages);
  });

  it("simulates the next step as dmarc simulate does with that record", async () => {
    const d0 = series.dmarc.get(domainName(0))!;
    expect(d0.next!.published).toBe('v=DMARC1; p=none');
    expect(d0.next!.proposed).toBe('v=DMARC1; p=quarantine');
    const selection = selectArchive(files, 'reports', 'dmarc', window, domainName(0));
    const analysis = await analyzeReports({ paths: selection.paths, record: d0.next!.proposed, domain: domainName(0), top: 0 });
    expect(d0.next!.simulation.proposed).toEqual(analysis.simulation.proposed);
    expect(d0.next!.losing.map((s) => s.ip)).toEqual(analysis.sources.slice(0, 10).map((s) => s.ip));
    expect(d0.next!.simulation.proposed.quarantined).toBeGreaterThan(0);
    // Domain 1 publishes p=reject: no next step.
    expect(series.dmarc.get(domainName(1))!.next).toBeUndefined();
  });

  it('sums TLS sessions per day as tlsrpt summary sums them, failures by MX', () => {
    const selection = selectArchive(files, 'reports', 'tlsrpt', window, domainName(0));
    const summary = readTlsReports(files, 'reports', selection.entries).summary.policies.find((p) => p.domain === domainName(0))!;
    const t0 = series.tls.get(domainName(0))!;
    expect(t0.days.reduce((n, d) => n + d.successful, 0)).toBe(summary.successful);
    expect(t0.days.reduce((n, d) => n + d.failed, 0)).toBe(summary.failed);
    for (const mx of summary.byMx) expect(t0.days.reduce((n, d) => n + (d.failedByMx.get(mx.mx) ?? 0), 0)).toBe(mx.failed);
  });
});

describe('nextPolicyStep', () => {
  const published = (p: Partial<PublishedPolicy>): PublishedPolicy => ({ domain: 'example.org', p: 'none', adkim: 'r', aspf: 'r', testing: false, ...p });
  it('takes t=y off first, then none -> quarantine -> reject, keeping sp when set apart', () => {
    expect(nextPolicyStep(published({}))).toBe('v=DMARC1; p=quarantine');
    expect(nextPolicyStep(published({ p: 'quarantine', testing: true }))).toBe('v=DMARC1; p=quarantine');
    expect(nextPolicyStep(published({ p: 'quarantine' }))).toBe('v=DMARC1; p=reject');
    expect(nextPolicyStep(published({ p: 'none', sp: 'reject', adkim: 's' }))).toBe('v=DMARC1; p=quarantine; sp=reject; adkim=s');
    expect(nextPolicyStep(published({ p: 'none', sp: 'none' }))).toBe('v=DMARC1; p=quarantine');
    expect(nextPolicyStep(published({ p: 'reject' }))).toBeUndefined();
    expect(nextPolicyStep(published({ p: 'reject', pct: 50 }))).toBeUndefined();
  });
});
