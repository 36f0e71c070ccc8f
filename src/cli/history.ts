// The flags `audit` and `audit merge` share for runs over time: --compare, --history,
// --keep, --fail-on-new, --notify-command. Reads the previous run before the audit starts
// (a bad file fails at once, not after an hour of DNS), stores the run after, prunes, and
// runs the user's notify command when something new was found.

import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { compareRuns, ComparisonFold, type RunComparison, type RunDocument } from '../audit/history/compare.js';
import { regressionSummary } from '../audit/history/regressions.js';
import { listRuns, openRunWriter, pruneRuns, readRun, readRuns, writeRun, type KeepRule, type RunWriter } from '../audit/history/store.js';
import type { ShardInfo } from '../audit/shard.js';
import type { FailOn } from '../audit/summary.js';
import { UsageError } from '../base/errors.js';
import type { Policy } from '../policy/model.js';
import { checkDuration } from '../policy/values.js';
import type { Context } from './context.js';
import { parseFailOn } from './parse.js';

export interface HistoryFlags {
  compare?: string[];
  history?: string;
  keep?: string;
  failOnNew?: string;
  notifyCommand?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The flags, on `audit` and on `audit merge`. */
export function addHistoryFlags(command: Command): Command {
  return command
    .option('--compare <file>', 'the json/NDJSON output of an earlier run (repeat for its shards): add what changed since', collect)
    .option('--history <dir>', 'store this run in DIR (gzip, one file per run) and compare with the newest earlier one there')
    .option('--keep <age>', 'with --history: remove stored runs older than this, e.g. 90d (the newest is always kept)')
    .option('--fail-on-new <severity>', 'exit 2 when a finding of this severity or worse is new since the previous run: error or warning')
    .option('--notify-command <cmd>', 'run CMD (with sh -c) when something new is found, the regression summary as JSON on stdin');
}

/** What the flags ask for, with the previous run already read. */
export interface HistoryPlan {
  /** The run to compare with, and the name it goes by in the output. */
  previous?: RunDocument & { file: string };
  /** --history: where to store this run. */
  dir?: string;
  keep?: KeepRule;
  failOnNew?: FailOn;
  notifyCommand?: string;
}

/** Check the flags and read the previous run: --compare's files, else the newest run in --history. */
export function planHistory(ctx: Context, flags: HistoryFlags, shard?: ShardInfo): HistoryPlan {
  const plan: HistoryPlan = {};
  const compares = flags.compare ?? [];
  const failOnNew = parseFailOn(flags.failOnNew, '--fail-on-new');
  if (failOnNew !== undefined) plan.failOnNew = failOnNew;
  const comparing = compares.length > 0 || flags.history !== undefined;
  if (!comparing && flags.failOnNew !== undefined) throw new UsageError('--fail-on-new needs a previous run', 'add --compare PREVIOUS.json or --history DIR');
  if (!comparing && flags.notifyCommand !== undefined) throw new UsageError('--notify-command needs a previous run', 'add --compare PREVIOUS.json or --history DIR');
  if (flags.keep !== undefined) {
    if (flags.history === undefined) throw new UsageError('--keep goes with --history', 'e.g. --history history --keep 90d');
    const age = checkDuration(flags.keep, '--keep');
    if (!age.ok) throw new UsageError(age.message, age.hint);
    plan.keep = { maxAgeSeconds: age.value };
  }
  if (flags.notifyCommand !== undefined) {
    if (flags.notifyCommand.trim() === '') throw new UsageError('--notify-command is empty');
    plan.notifyCommand = flags.notifyCommand;
  }
  if (flags.history !== undefined) {
    if (shard) throw new UsageError('--history stores whole runs, not one shard', 'give --history to `mailrec audit merge` of the shards (docs/ci.md)');
    plan.dir = ctx.files.allowNamed(flags.history);
  }
  if (compares.length > 0) {
    // Named on the command line: the user's say-so to read them, through the same door as any input.
    const part = readRuns(ctx.files, compares.map((file) => ({ file: ctx.files.allowNamed(file), shown: file })));
    plan.previous = { ...part, file: compares.join(', ') };
  } else if (plan.dir !== undefined) {
    const newest = listRuns(ctx.files, plan.dir).at(-1);
    if (newest) plan.previous = { ...readRun(ctx.files, newest.file, `${flags.history!.replace(/\/+$/, '')}/${newest.name}`), file: newest.name };
  }
  return plan;
}

/** The comparison of a whole run with the previous one, when there is one. */
export function compareWith(plan: HistoryPlan, current: RunDocument): RunComparison | undefined {
  return plan.previous ? compareRuns(plan.previous, current) : undefined;
}

/** For a streamed run: a fold to add each domain to, when there is a previous run. */
export function comparisonFold(plan: HistoryPlan, shard?: ShardInfo): ComparisonFold | undefined {
  return plan.previous ? new ComparisonFold(plan.previous, shard) : undefined;
}

/** Store a whole run's json (and prune): after the run, before the exit code. */
export function storeRun(ctx: Context, plan: HistoryPlan, json: string): void {
  if (plan.dir === undefined) return;
  const now = ctx.now();
  writeRun(ctx.files, plan.dir, json, now);
  if (plan.keep) pruneRuns(ctx.files, plan.dir, plan.keep, now);
}

/** For a streamed run: a writer the NDJSON lines go to as well, committed (and pruned) at the end. */
export function streamRun(ctx: Context, plan: HistoryPlan): { write: (text: string) => void; commit: () => Promise<void> } | undefined {
  if (plan.dir === undefined) return undefined;
  const dir = plan.dir;
  const now = ctx.now();
  const writer: RunWriter = openRunWriter(ctx.files, dir, now);
  return {
    write: (text) => writer.write(text),
    commit: async () => {
      await writer.commit();
      if (plan.keep) pruneRuns(ctx.files, dir, plan.keep, now);
    },
  };
}

/** How long the notify command may run before it is stopped. */
export const NOTIFY_TIMEOUT_MS = 60_000;

/**
 * The environment the notify command gets: mailrec's own, less the variables the policy
 * names for secrets (TSIG keys, IMAP passwords): the command is the user's, the secrets are
 * not its business.
 */
export function notifyEnvironment(env: NodeJS.ProcessEnv, policy?: Policy): NodeJS.ProcessEnv {
  const secret = new Set<string>();
  for (const t of policy?.targets ?? []) if (t.type === 'rfc2136' && t.key?.secretEnv) secret.add(t.key.secretEnv);
  for (const m of policy?.reports?.mailboxes ?? []) if (m.type === 'imap' && m.password.env) secret.add(m.password.env);
  return Object.fromEntries(Object.entries(env).filter(([k]) => !secret.has(k)));
}

/**
 * Run the notify command when the comparison has something new at the threshold
 * (--fail-on-new, else warning): `sh -c CMD` in the zone repo, the regression summary as
 * JSON on stdin, its output discarded. Never throws: a failure is one line on stderr.
 */
export async function notifyNew(ctx: Context, plan: HistoryPlan, comparison: RunComparison | undefined, policy?: Policy): Promise<void> {
  if (plan.notifyCommand === undefined || !comparison) return;
  const summary = regressionSummary(comparison, plan.failOnNew ?? 'warning');
  if (!summary) return;
  const problem = await runNotify(plan.notifyCommand, `${JSON.stringify(summary, null, 2)}\n`, ctx.root, notifyEnvironment(ctx.io.env, policy), NOTIFY_TIMEOUT_MS);
  if (problem) ctx.io.stderr(`warning: --notify-command ${problem}; the audit's result stands\n`);
}

/** Run `sh -c command` with `input` on stdin; a one-phrase problem, or undefined when it exited 0. */
export function runNotify(command: string, input: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let lastError = '';
    let timedOut = false;
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      // The command's whole process group: a pipeline's members too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Only the last line is kept, to name the failure; at most 200 characters of it.
      const lines = (lastError + chunk).split('\n').filter((l) => l.trim() !== '');
      lastError = (lines.at(-1) ?? '').slice(-200);
    });
    // A command that does not read its stdin closes the pipe: not a failure of ours.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(`could not be started (${error.message})`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(`was stopped after ${timeoutMs / 1000} s`);
      else if (code === 0) resolve(undefined);
      else resolve(`${signal ? `was killed by ${signal}` : `exited with status ${code}`}${lastError ? ` (${lastError.trim()})` : ''}`);
    });
  });
}
