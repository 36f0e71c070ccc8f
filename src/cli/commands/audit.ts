// mailrec audit: query DNS (or the zone repo), lint, diff against the policy, score; exit 0 pass, 2 threshold breached, 1 could not run.

import type { RepoFiles } from '../../base/repo-files.js';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { checkDrift, type DriftResult } from '../../audit/drift.js';
import { checkKeyAge, checkSignerDrift } from '../../audit/checks/dkim-keys.js';
import { readPrivateKeys, readSignerViews } from '../../apply/dkim/repo-signing.js';
import type { Finding } from '../../base/finding.js';
import { SummaryFold } from '../../audit/merge.js';
import { auditEach, type AuditOptions, type DomainReport } from '../../audit/run.js';
import { inInputOrder } from '../../base/in-order.js';
import { parseFailOn, parseInteger } from '../parse.js';
import { auditInWorkers, defaultJobs, type RenderedReport, type WorkerSpec } from '../../audit/parallel.js';
import { createPacing, defaultMaxQps, type PacingStats } from '../../dns/pacing.js';
import { loadResolvConf } from '../../dns/servers.js';
import { parseShard, selectShard, type ShardInfo } from '../../audit/shard.js';
import { openAuditSource, type AuditSource, type SourceSpec } from '../../audit/sources/index.js';
import { RepoFileError, UsageError, type SourcePosition } from '../../base/errors.js';
import { mapBounded } from '../../base/limiter.js';
import { loadPolicy } from '../../policy/load.js';
import type { DomainPolicy, Policy } from '../../policy/model.js';
import { checkDomainName, checkSelector } from '../../policy/values.js';
import { domainJson, summarizeAudit, withExtraNotes, withRegressions, type AuditRun } from '../../audit/summary.js';
import { renderAuditJson, renderAuditSummaryLine, renderComparisonLine, renderDomainJsonLine } from '../../report/audit-json.js';
import { addHistoryFlags, compareWith, comparisonFold, notifyNew, planHistory, storeRun, streamRun, type HistoryFlags } from '../history.js';
import { makeContext, type Context, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { registerAuditMerge } from './audit-merge.js';
import { AUDIT_FORMATS, renderAudit } from './audit-render.js';
import { packageVersion } from '../package-info.js';
import { resolverServers } from './plan.js';
import { readSpfInputs } from '../workflow.js';

/**
 * Above this many domains `--format json` streams NDJSON (one line per domain as it
 * finishes, then a summary line) instead of one document: memory then stays flat however
 * long the list (docs/audit-json.md). `--format ndjson` streams at any size.
 */
export const STREAM_ABOVE = 1000;

interface AuditCommandOptions extends GlobalOptions, HistoryFlags {
  domainsFile?: string;
  resolver?: string[];
  authoritative?: boolean;
  authoritativePort?: string;
  zones?: string;
  selector?: string[];
  timeout?: string;
  concurrency?: string;
  maxQps?: string;
  jobs?: string;
  failUnder?: string;
  allowUnknown?: boolean;
  failOn?: string;
  probe?: boolean;
  verbose?: boolean;
  probeSmtpPort?: string;
  probeHttpsPort?: string;
  probeCa?: string;
  probeTimeout?: string;
  shard?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function checkDomain(raw: string, where: string): string {
  const checked = checkDomainName(raw.trim(), 'domain');
  if (!checked.ok) throw new UsageError(`${where}${checked.message}`, checked.hint);
  return checked.value;
}

/** `--domains-file`: one domain a line, `#` starts a comment; where each was listed. */
export function parseDomainsFile(text: string, file: string): Map<string, SourcePosition> {
  const out = new Map<string, SourcePosition>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '');
    const value = line.trim();
    if (value === '') return;
    const domain = checkDomain(value, `${file}:${i + 1}: `);
    if (!out.has(domain)) out.set(domain, { file, line: i + 1, column: line.indexOf(value) + 1 });
  });
  return out;
}

interface Targets {
  domains: string[];
  policy?: Policy;
  positions?: Map<string, SourcePosition>;
}

/** Domains from the command line and --domains-file, or else every domain of the policy. */
async function resolveTargets(ctx: Context, args: string[], opts: AuditCommandOptions): Promise<Targets> {
  const listed = new Map<string, SourcePosition | undefined>();
  for (const arg of args) listed.set(checkDomain(arg, ''), undefined);
  let positions: Map<string, SourcePosition> | undefined;
  if (opts.domainsFile !== undefined) {
    // Named on the command line; read like any repo file (regular, capped, never a secret).
    const file = ctx.files.allowNamed(opts.domainsFile);
    let text: string;
    try {
      text = ctx.files.read(file, 'domain-list');
    } catch (error) {
      if (error instanceof RepoFileError) throw new UsageError(`--domains-file: cannot read ${error.message}`, error.hint);
      throw error;
    }
    positions = parseDomainsFile(text, ctx.files.show(file));
    for (const [domain, pos] of positions) if (!listed.has(domain)) listed.set(domain, pos);
    if (positions.size === 0) throw new UsageError(`--domains-file: no domains in ${opts.domainsFile}`);
  }
  if (listed.size === 0) {
    const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
    return { domains: policy.domains.map((d) => d.name), policy };
  }
  // Listed domains: the policy is used when one is given or the repo has one (drift for
  // its domains); without one the audit is a pure lint.
  const wantPolicy = (opts.policy?.length ?? 0) > 0 || ctx.policyPaths.every((p) => ctx.files.exists(p));
  const policy = wantPolicy ? await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files }) : undefined;
  return { domains: [...listed.keys()], ...(policy ? { policy } : {}), ...(positions ? { positions } : {}) };
}

function sourceSpec(ctx: Context, opts: AuditCommandOptions, policy: Policy | undefined): SourceSpec {
  const timeoutMs = parseInteger(opts.timeout, '--timeout', 1, 60_000);
  const servers = resolverServers(opts.resolver);
  const timing = timeoutMs !== undefined ? { timeoutMs } : {};
  if (opts.zones !== undefined) {
    if (servers || opts.authoritative) {
      throw new UsageError('--zones reads the zone files and asks no server', 'drop --resolver/--authoritative, or drop --zones to ask DNS');
    }
    const origins = new Map<string, string>();
    for (const zone of policy?.zones ?? []) {
      origins.set(path.resolve(ctx.root, zone.fragment), zone.apex);
      if (zone.zoneFile !== undefined) origins.set(path.resolve(ctx.root, zone.zoneFile), zone.apex);
    }
    return { kind: 'zones', dir: path.resolve(ctx.root, opts.zones), root: ctx.root, origins, label: opts.zones, files: ctx.files };
  }
  if (opts.authoritative) {
    const port = parseInteger(opts.authoritativePort, '--authoritative-port', 1, 65535);
    return { kind: 'authoritative', ...(servers ? { servers } : {}), ...timing, ...(port !== undefined ? { port } : {}) };
  }
  if (opts.authoritativePort !== undefined) throw new UsageError('--authoritative-port needs --authoritative');
  return { kind: 'dns', ...(servers ? { servers } : {}), ...timing };
}

/** A one-line progress bar on stderr, redrawn in place; only on a terminal. */
function progressBar(io: CliIO): { update: (phase: string, done: number, total: number, item: string) => void; clear: () => void } {
  if (!io.stderrIsTTY) return { update: () => {}, clear: () => {} };
  let shown = false;
  let last = 0;
  return {
    update: (phase, done, total, item) => {
      // At thousands of domains a second, redraw at most every 100 ms (and at the end).
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = 24;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      io.stderr(`\r\x1b[K${phase} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${item}`);
      shown = true;
    },
    clear: () => {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

export function registerAudit(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const audit = program
    .command('audit')
    .description('query DNS (or the zone files), lint, diff against the policy, and score each domain')
    .argument('[domains...]', 'domains to audit (default: every domain of the policy)')
    .option('--domains-file <file>', 'domains to audit, one a line, # comments (no policy needed)')
    .option('--resolver <host[:port]>', 'DNS server to ask (repeatable; default /etc/resolv.conf)', collect)
    .option('--authoritative', "ask each zone's own name servers, found through the resolver, without recursion")
    .addOption(new Option('--authoritative-port <port>', 'port of the name servers found with --authoritative (test setups)').hideHelp())
    .option('--zones <dir>', 'offline: answer from the zone files under DIR (no network)')
    .option('--selector <selector>', 'DKIM selector to check besides the policy\'s (repeatable)', collect)
    .option('--timeout <ms>', 'per DNS exchange, in milliseconds (default 2000; three tries waiting half, half, all of it)')
    .option('--concurrency <n>', 'domains audited at once, fixed (default: adaptive, from 8 up while answers stay fast, down on timeouts, SERVFAIL or REFUSED)')
    .option('--max-qps <n>', 'DNS messages a second at most, 0 for no limit (default: none for a --resolver on loopback, 500 for a public resolver, 1000 otherwise)')
    .option('--jobs <n>', 'worker threads, each with its own sockets (default: one per core from 2,000 domains, else 1)')
    .option('--fail-under <score>', 'exit 2 when a domain scores under this (0-100), unknown weight counted as failed')
    .option('--allow-unknown', 'with --fail-under: compare the score over what could be checked, not the worst case')
    .option('--fail-on <severity>', 'exit 2 on a finding of this severity or worse: error or warning')
    .option('--no-probe', 'do not connect to the MX and MTA-STS hosts (TLS, DANE, policy fetch)')
    .option('-v, --verbose', 'with --zones: list every file skipped, not only the first few; over DNS: how the concurrency adapted (stderr)')
    .addOption(new Option('--probe-smtp-port <port>', 'port the SMTP probe connects to instead of 25 (test setups)').hideHelp())
    .addOption(new Option('--probe-https-port <port>', 'port the MTA-STS fetch connects to instead of 443 (test setups)').hideHelp())
    .addOption(new Option('--probe-ca <file>', 'CA bundle (PEM) trusted for the MTA-STS fetch (test setups)').hideHelp())
    .option('--probe-timeout <ms>', 'per probe step, in milliseconds (default 10000)')
    .option('--shard <K/N>', 'audit only shard K of N of the domains (a stable split by name, for CI matrices; see audit merge)');
  addHistoryFlags(audit).action(async (args: string[], _opts: AuditCommandOptions, command: Command) => {
      const opts = command.optsWithGlobals<AuditCommandOptions>();
      const ctx = makeContext(io, opts, AUDIT_FORMATS);
      const failUnder = parseInteger(opts.failUnder, '--fail-under', 0, 100);
      const failOn = parseFailOn(opts.failOn, '--fail-on');
      const concurrency = parseInteger(opts.concurrency, '--concurrency', 1, 1024);
      const maxQpsFlag = parseInteger(opts.maxQps, '--max-qps', 0, 10_000_000);
      const jobsFlag = parseInteger(opts.jobs, '--jobs', 1, 256);
      const selectors = (opts.selector ?? []).map((s) => {
        const checked = checkSelector(s);
        if (!checked.ok) throw new UsageError(`--selector: ${checked.message}`, checked.hint);
        return checked.value;
      });

      const targets = await resolveTargets(ctx, args, opts);
      let shard: ShardInfo | undefined;
      if (opts.shard !== undefined) {
        const parsed = parseShard(opts.shard);
        if (!parsed.ok) throw new UsageError(parsed.message, parsed.hint);
        const selected = selectShard(targets.domains, parsed.shard);
        targets.domains = selected.domains;
        shard = selected.info;
      }
      // The previous run is read before the audit: a bad file fails now, not after the DNS work.
      const history = planHistory(ctx, opts, shard);
      if (history.dir !== undefined && !history.previous) io.stderr(`note: no earlier run in ${opts.history}: nothing to compare with; this run is stored as the first\n`);
      const spec = sourceSpec(ctx, opts, targets.policy);
      const maxQps = maxQpsFlag ?? (spec.kind === 'dns' ? defaultMaxQps(spec.servers ?? (await loadResolvConf()).servers, spec.servers !== undefined) : undefined);
      const pacingOptions = { ...(concurrency !== undefined ? { concurrency } : {}), ...(maxQps !== undefined ? { maxQps } : {}), ...(spec.kind !== 'zones' && spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}) };
      const pacing = createPacing(pacingOptions);
      if (spec.kind !== 'zones') spec.pacing = pacing;
      // Workers for live DNS only: the zone files are read once, in this thread.
      const jobs = spec.kind === 'zones' ? 1 : (jobsFlag ?? defaultJobs(targets.domains.length));
      const source: AuditSource = await openAuditSource(spec);
      for (const note of source.notes) io.stderr(`note: ${note}\n`);
      // The live probes need the network: never with --zones.
      const probe = opts.probe !== false && source.kind !== 'zones';
      const probeOptions = await probeOptionsFrom(ctx.files, opts);

      const policies = new Map<string, DomainPolicy>();
      const audited = new Set(targets.domains);
      for (const d of targets.policy?.domains ?? []) if (audited.has(d.name)) policies.set(d.name, d);
      const progress = progressBar(io);
      const withPolicy = targets.domains.filter((d) => policies.has(d));
      let drifted = 0;
      const drift = new Map<string, DriftResult>();
      // Own host addresses and flattened ranges from the zone repo, as plan reads them.
      const spfInputs = targets.policy && withPolicy.length > 0 ? (await readSpfInputs(ctx, targets.policy)).inputs : undefined;
      await mapBounded(
        withPolicy,
        pacing.domains,
        async (domain) => void drift.set(domain, await checkDrift(targets.policy!, policies.get(domain)!, source.resolver, { exactTtl: source.exactTtl, ...(spfInputs ? { spfInputs } : {}) })),
        (_, domain) => progress.update('drift', ++drifted, withPolicy.length, domain),
      );
      // DKIM key lifecycle from the repo: key age, the signer configs, the private keys against what DNS publishes.
      const now = ctx.now().getTime();
      const signerViews = targets.policy ? await readSignerViews(ctx.root, targets.policy) : [];
      const privateKeys = new Map<string, Awaited<ReturnType<typeof readPrivateKeys>>>();
      for (const domain of withPolicy) privateKeys.set(domain, await readPrivateKeys(ctx.root, targets.policy!, policies.get(domain)!));
      const optionsFor = (domain: string): AuditOptions => {
        const policyDomain = policies.get(domain);
        const driftFindings: Finding[] = drift.get(domain)?.findings ?? [];
        const keyFindings: Finding[] = policyDomain
          ? [...checkKeyAge(policyDomain, targets.policy!.dkimKeys.maxAge, now), ...checkSignerDrift(policyDomain, signerViews)]
          : [];
        const keys = privateKeys.get(domain);
        return { ...(policyDomain ? { policyDomain } : {}), selectors, driftFindings, keyFindings, ...(keys ? { privateKeys: keys } : {}), probe, probeOptions };
      };
      const extraNotes = (domain: string): string[] => {
        const extra = [...(drift.get(domain)?.notes ?? [])];
        if (targets.policy && !policies.has(domain)) extra.push('drift not checked: the domain is not in the policy');
        return extra;
      };
      const withNotes = (r: DomainReport): DomainReport => withExtraNotes(r, extraNotes(r.domain));
      const onProgress = (done: number, total: number, domain: string): void => progress.update('audit', done, total, domain);
      if (opts.allowUnknown && failUnder === undefined) throw new UsageError('--allow-unknown goes with --fail-under', 'e.g. --fail-under 80 --allow-unknown');
      const zoneFiles = source.zones
        ? { zones: source.zones.map((z) => ({ apex: z.apex, files: z.files })), skipped: source.skipped ?? [] }
        : {};
      const base = {
        source: { kind: source.kind, description: source.description, ...zoneFiles },
        ...(opts.verbose ? { verbose: true } : {}),
        ...(failUnder !== undefined ? { failUnder } : {}),
        ...(opts.allowUnknown ? { allowUnknown: true } : {}),
        ...(failOn ? { failOn } : {}),
        ...(shard ? { shard } : {}),
        ...(history.failOnNew ? { failOnNew: history.failOnNew } : {}),
      };

      /**
       * Every domain through `onReport` (completion order, with its index): in this thread,
       * or split over worker threads with --jobs. With `render` (a streamed NDJSON run) the
       * workers send each domain's line and summary instead of its report.
       * Returns what the run learnt (run notes).
       */
      const auditAll = async (onReport: (r: DomainReport | RenderedReport, i: number) => void, render = false): Promise<string[]> => {
        let done = 0;
        if (jobs > 1 && spec.kind !== 'zones') {
          const { pacing: _own, ...workerSpec } = spec;
          const result = await auditInWorkers(targets.domains, {
            jobs,
            spec: workerSpec as WorkerSpec,
            pacing: pacingOptions,
            optionsFor,
            ...(render ? { render: { run: base, lineInputs: (domain: string) => ({ notes: extraNotes(domain), hasPolicy: policies.has(domain) }) } } : {}),
            onReport: (r, i) => {
              onReport(r, i);
              onProgress(++done, targets.domains.length, r.domain);
            },
          });
          if (opts.verbose) for (const [k, stats] of result.pacing.entries()) io.stderr(`note: job ${k + 1}/${jobs}: ${describePacing(stats)}\n`);
          return [...new Set([...source.runNotes(), ...result.runNotes])];
        }
        await auditEach(targets.domains, source.resolver, onReport, { concurrency: pacing.domains, onProgress, optionsFor });
        if (opts.verbose && spec.kind !== 'zones') io.stderr(`note: ${describePacing(pacing.stats())}\n`);
        return source.runNotes();
      };

      if (ctx.format === ('ndjson' as string) || (ctx.format === 'json' && targets.domains.length > STREAM_ABOVE)) {
        // Streamed: each domain is written as soon as it and those before it are done, and let go.
        const fold = new SummaryFold(base);
        const compared = comparisonFold(history, shard);
        const stored = streamRun(ctx, history);
        const out = (text: string): void => {
          io.stdout(text);
          stored?.write(text);
        };
        const ordered = inInputOrder((r: DomainReport | RenderedReport, i: number) => {
          if ('line' in r) {
            out(r.line);
            fold.addSummary(r.summary, i);
            return;
          }
          const report = withNotes(r);
          const json = domainJson(report, policies.has(report.domain));
          out(renderDomainJsonLine(json));
          compared?.add(json);
          fold.add(report, i);
        });
        // A comparison with the previous run reads each domain's json: reports then come whole.
        const runNotes = await auditAll(ordered.add, compared === undefined);
        progress.clear();
        const comparison = compared?.finish();
        if (comparison) out(renderComparisonLine(comparison));
        const summary = comparison ? withRegressions(fold.summary(), comparison, history.failOnNew) : fold.summary();
        out(renderAuditSummaryLine(summary, { ...base, notes: runNotes }));
        await stored?.commit();
        if (!summary.passed) for (const failure of summary.failures) io.stderr(`failed: ${failure}\n`);
        await notifyNew(ctx, history, comparison, targets.policy);
        setExit(summary.passed ? 0 : 2);
        return;
      }

      const reports = new Array<DomainReport>(targets.domains.length);
      const runNotes = await auditAll((r, i) => {
        if (!('line' in r)) reports[i] = r;
      });
      progress.clear();

      const run: AuditRun = {
        ...base,
        ...(runNotes.length > 0 ? { notes: runNotes } : {}),
        reports: reports.map(withNotes),
        policies,
        ...(targets.positions ? { domainPositions: targets.positions } : {}),
        toolVersion: packageVersion(),
      };
      const comparison = compareWith(history, { domains: run.reports.map((r) => domainJson(r, policies.has(r.domain))), ...(shard ? { shard } : {}) });
      if (comparison) run.comparison = comparison;
      const output = renderAudit(ctx.format, run, io);
      io.stdout(output);
      storeRun(ctx, history, ctx.format === 'json' ? output : renderAuditJson(run));
      const summary = summarizeAudit(run);
      if (!summary.passed && ctx.format !== 'text') for (const failure of summary.failures) io.stderr(`failed: ${failure}\n`);
      await notifyNew(ctx, history, comparison, targets.policy);
      setExit(summary.passed ? 0 : 2);
    });
  registerAuditMerge(audit, io, setExit);
}

/** Probe settings from the flags: ports and a CA bundle let tests point the probes at local peers. */
async function probeOptionsFrom(files: RepoFiles, opts: AuditCommandOptions): Promise<NonNullable<AuditOptions['probeOptions']>> {
  const smtpPort = parseInteger(opts.probeSmtpPort, '--probe-smtp-port', 1, 65535);
  const httpsPort = parseInteger(opts.probeHttpsPort, '--probe-https-port', 1, 65535);
  const timeoutMs = parseInteger(opts.probeTimeout, '--probe-timeout', 1, 600_000);
  let ca: string | undefined;
  if (opts.probeCa !== undefined) {
    try {
      ca = files.read(files.allowNamed(opts.probeCa), 'certificate');
    } catch (err) {
      if (err instanceof RepoFileError) throw new UsageError(`--probe-ca: cannot read ${err.message}`, err.hint);
      throw err;
    }
  }
  return {
    smtp: { ...(smtpPort !== undefined ? { port: smtpPort } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
    mtaSts: { ...(httpsPort !== undefined ? { port: httpsPort } : {}), ...(ca !== undefined ? { ca } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
  };
}

/** One line on how a run paced itself (--verbose). */
function describePacing(stats: PacingStats): string {
  const qps = stats.maxQps !== undefined ? `, at most ${stats.maxQps} DNS messages a second` : ', no --max-qps limit';
  if (!stats.adaptive) return `concurrency fixed at ${stats.start} domains in flight${qps}`;
  const rounds = Object.entries(stats.decisions).map(([d, n]) => `${d} ${n}`).join(', ');
  return `adaptive concurrency: ${stats.start} domains in flight at the start, ${stats.peak} at most, ${stats.end} at the end (rounds: ${rounds || 'none'})${qps}`;
}
