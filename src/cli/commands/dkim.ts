// mailrec dkim keygen / dkim rotate: DKIM key pairs and their rotation, one safe step a run.

import { Option, type Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import { runKeygen, type KeygenResult } from '../../apply/dkim/keygen.js';
import { runRotate, type RotateResult } from '../../apply/dkim/rotate.js';
import { createDnsClient } from '../../dns/client.js';
import { DKIM_KEY_TYPES, type DkimKeyType } from '../../mail/dkim/key-material.js';
import { formatInstant } from '../../mail/dkim/rotation.js';
import { loadPolicy } from '../../policy/load.js';
import { makeContext, type Context, type GlobalOptions } from '../context.js';
import type { CliIO } from '../io.js';
import { resolverServers } from './plan.js';

interface KeygenOptions extends GlobalOptions {
  selector?: string;
  type?: string;
}

interface RotateOptions extends GlobalOptions {
  force?: boolean;
  dryRun?: boolean;
  detailedExitcode?: boolean;
  resolver?: string[];
  timeout?: string;
  authoritativePort?: string;
}

function parseType(value: string | undefined): DkimKeyType | undefined {
  if (value === undefined) return undefined;
  if (!(DKIM_KEY_TYPES as readonly string[]).includes(value)) throw new UsageError(`--type: unknown key type '${value}'`, `use one of ${DKIM_KEY_TYPES.join(', ')}`);
  return value as DkimKeyType;
}

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new UsageError(`${flag}: "${value}" is not a port`);
  return Number(value);
}

/** The key file's mode and who may read it; the key itself is never shown. */
function renderKeygen(r: KeygenResult): string {
  const mode = `0${r.mode.toString(8)}`;
  return [
    `${r.domain}: new ${r.type} key, selector ${r.selector} (state published)`,
    `  private key  ${r.privateKey}  (mode ${mode}${r.group !== undefined ? `, group ${r.group}` : ''}; not in git)`,
    `  public key   ${r.publicKey}`,
    `  policy       ${r.policyFile}: selector ${r.selector} added`,
    `next: mailrec plan && mailrec apply (publishes the record), then mailrec dkim rotate ${r.domain}`,
    '',
  ].join('\n');
}

function keygenJson(r: KeygenResult): Record<string, unknown> {
  return { ...r, mode: `0${r.mode.toString(8)}` };
}

function renderRotate(r: RotateResult): string {
  const lines: string[] = [];
  const would = r.dryRun ? 'would ' : '';
  lines.push(r.summary ? `${r.domain}: ${would}${r.summary}` : `${r.domain}: nothing to do now`);
  if (r.forcedRisk) lines.push(`  ! high: ${r.forcedRisk}`);
  if (r.servers && r.servers.length > 0) {
    for (const s of r.servers) {
      const ttls = [s.ttl !== undefined ? `TTL ${s.ttl} s` : '', s.negativeTtl !== undefined ? `negative TTL ${s.negativeTtl} s` : ''].filter((t) => t !== '').join(', ');
      lines.push(`  ${s.serves ? 'served by' : 'not served by'} ${s.server}${s.problem ? `: ${s.problem}` : ''}${ttls ? ` (${ttls})` : ''}`);
    }
  }
  for (const file of r.written) lines.push(`  wrote ${file}`);
  for (const file of r.removed) lines.push(`  removed ${file}`);
  if (r.keygen) lines.push(`  new key ${r.keygen.selector}: private key ${r.keygen.privateKey} (mode 0${r.keygen.mode.toString(8)}), public key ${r.keygen.publicKey}`);
  for (const w of r.waiting) lines.push(`  then: ${w.what}${w.at !== undefined ? ` from ${formatInstant(w.at)}` : ''}: ${w.why}`);
  if (r.step && !r.dryRun) lines.push('next: mailrec plan && mailrec apply');
  lines.push('');
  return lines.join('\n');
}

function rotateJson(r: RotateResult): Record<string, unknown> {
  return {
    ...r,
    waiting: r.waiting.map((w) => ({ ...w, ...(w.at !== undefined ? { at: formatInstant(w.at) } : {}) })),
    ...(r.keygen ? { keygen: keygenJson(r.keygen) } : {}),
  };
}

async function keygen(ctx: Context, domain: string, opts: KeygenOptions): Promise<string> {
  const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
  const type = parseType(opts.type);
  const result = await runKeygen({
    root: ctx.root,
    policy,
    domain,
    now: ctx.now(),
    ...(opts.selector !== undefined ? { selector: opts.selector } : {}),
    ...(type ? { type } : {}),
  });
  return ctx.format === 'json' ? `${JSON.stringify(keygenJson(result), null, 2)}\n` : renderKeygen(result);
}

export function registerDkim(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const dkim = program.command('dkim').description('DKIM keys: generate, and rotate one safe step a run');
  dkim
    .command('keygen')
    .description('a new key pair and selector (state published): private key 0600 (0640 for dkim_keys.group) in the git-ignored key directory')
    .argument('<domain>', 'the domain of the policy the key signs for')
    .option('--selector <selector>', 'the selector (default: <yyyy><mm><letter>, the first unused)')
    .option('--type <type>', `key type: ${DKIM_KEY_TYPES.join(', ')} (default: dkim_keys.type, rsa2048)`)
    .action(async (domain: string, _opts: KeygenOptions, command: Command) => {
      const opts = command.optsWithGlobals<KeygenOptions>();
      const ctx = makeContext(io, opts);
      io.stdout(await keygen(ctx, domain, opts));
      setExit(0);
    });
  dkim
    .command('rotate')
    .description('one safe rotation step per domain: publish a next key, activate it once every authoritative server serves it for TTL + margin, retire the old key after the grace period, remove it later')
    .argument('<domains...>', 'domains of the policy to rotate')
    .option('--force', 'take the next step now, before it is safe (the output says what that risks)')
    .option('--dry-run', 'say what the next step is and when it becomes possible; write nothing')
    .option('--detailed-exitcode', 'exit 2 when a step was taken, 0 when none')
    .option('--resolver <host[:port]>', "resolver that finds the zone's name servers (repeatable; default /etc/resolv.conf)", (v: string, p: string[] = []) => [...p, v])
    .option('--timeout <ms>', 'per DNS exchange, in milliseconds (default 2000)')
    .addOption(new Option('--authoritative-port <port>', 'port of the name servers found through NS (test setups)').hideHelp())
    .action(async (domains: string[], _opts: RotateOptions, command: Command) => {
      const opts = command.optsWithGlobals<RotateOptions>();
      const ctx = makeContext(io, opts);
      const servers = resolverServers(opts.resolver);
      const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout);
      if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000)) throw new UsageError(`--timeout: "${opts.timeout}" is not 1..60000 ms`);
      const port = parsePort(opts.authoritativePort, '--authoritative-port');
      const finder = createDnsClient(servers ? { servers } : {});
      const results: RotateResult[] = [];
      for (const domain of domains) {
        // Each step rereads the policy: the previous domain's step may have edited the same file.
        const policy = await loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
        results.push(
          await runRotate({
            root: ctx.root,
            policy,
            domain,
            now: ctx.now(),
            force: Boolean(opts.force),
            dryRun: Boolean(opts.dryRun),
            finder,
            ...(port !== undefined ? { authoritativePort: port } : {}),
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          }),
        );
      }
      io.stdout(ctx.format === 'json' ? `${JSON.stringify(results.map(rotateJson), null, 2)}\n` : results.map(renderRotate).join(''));
      const stepped = results.some((r) => r.step !== undefined && !r.dryRun);
      setExit(opts.detailedExitcode && stepped ? 2 : 0);
    });
}
