// BIND tools as test oracles: named-checkzone loads a zone, named-compilezone prints it canonical.
//
// Tests that need these tools FAIL when they are missing, never skip: a zone test that
// silently passes without its oracle proves nothing.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export type BindTool = 'named-checkzone' | 'named-compilezone' | 'dig' | 'named' | 'nsupdate';

/** The tool's absolute path; throws a clear error naming the package when it is missing. */
export function requireTool(name: BindTool | string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `${name} is not installed (not on PATH): these tests need it as an oracle and do not skip. ` +
      'Install it: apt-get install -y --no-install-recommends bind9-utils dnsutils',
  );
}

export interface ToolResult {
  ok: boolean;
  /** stdout and stderr together, as BIND prints its messages on both. */
  output: string;
}

export interface ZoneToolOptions {
  /** Directory the tool runs in, so that relative $INCLUDE paths resolve (`-w`). */
  cwd?: string;
  /** Extra flags, e.g. ['-k', 'ignore'] to turn off check-names, ['-i', 'none']. */
  flags?: string[];
}

function run(tool: BindTool, args: string[]): ToolResult {
  const result = spawnSync(requireTool(tool), args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Load `file` as zone `zone` with named-checkzone (default checks: check-names fail, integrity). */
export function checkZone(zone: string, file: string, options: ZoneToolOptions = {}): ToolResult {
  const cwd = options.cwd ? ['-w', options.cwd] : [];
  return run('named-checkzone', [...cwd, ...(options.flags ?? []), zone, file]);
}

/**
 * The zone in named-compilezone's canonical text (`-D`): one record per line, absolute names,
 * explicit TTL and class. Throws with BIND's output when the zone does not load.
 */
export function compileZone(zone: string, file: string, options: ZoneToolOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-compile-'));
  try {
    const out = join(dir, 'compiled.zone');
    const cwd = options.cwd ? ['-w', options.cwd] : [];
    const result = run('named-compilezone', [...cwd, ...(options.flags ?? []), '-D', '-o', out, zone, file]);
    if (!result.ok) throw new Error(`named-compilezone refused ${file} as ${zone}:\n${result.output}`);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MinimalZone {
  dir: string;
  zoneFile: string;
  fragmentFile: string;
  /** Remove the temporary directory. */
  remove(): void;
}

/**
 * Write a throwaway zone for `apex`: SOA, NS, the name server's address and an absolute
 * `$INCLUDE` of the fragment, the way a zone repo includes mailrec's file.
 */
export function writeMinimalZone(apex: string, fragment: string): MinimalZone {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-zone-'));
  const fragmentFile = join(dir, `${apex}.mail.zone`);
  const zoneFile = join(dir, `${apex}.zone`);
  writeFileSync(fragmentFile, fragment);
  writeFileSync(
    zoneFile,
    [
      `$ORIGIN ${apex}.`,
      '$TTL 3600',
      `@ IN SOA ns-mailrec-test.${apex}. hostmaster.${apex}. 1 7200 3600 1209600 300`,
      `@ IN NS ns-mailrec-test.${apex}.`,
      `ns-mailrec-test IN A 192.0.2.53`,
      `$INCLUDE "${fragmentFile}"`,
      '',
    ].join('\n'),
  );
  return { dir, zoneFile, fragmentFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface FragmentLoad extends ToolResult {
  /** named-compilezone's canonical text of the whole zone, when it loaded. */
  canonical: string | undefined;
}

/**
 * Include `fragment` in a minimal zone for `apex`, check it, and compile it when it loads.
 * Checks with `-k fail`: named-checkzone only warns on check-names by default, but named
 * itself refuses such a primary zone ("check-names primary fail" is its default).
 */
export function loadFragmentInZone(apex: string, fragment: string): FragmentLoad {
  const zone = writeMinimalZone(apex, fragment);
  try {
    const checked = checkZone(apex, zone.zoneFile, { cwd: dirname(zone.zoneFile), flags: ['-k', 'fail'] });
    const canonical = checked.ok ? compileZone(apex, zone.zoneFile, { cwd: zone.dir }) : undefined;
    return { ...checked, canonical };
  } finally {
    zone.remove();
  }
}
