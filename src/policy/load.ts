// The policy loader's IO shell: finds the policy files, reads them and the key and
// certificate files they name, and hands everything to the pure validator. Never writes.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PolicyError, InputError, type PolicyIssue, type SourcePosition } from '../base/errors.js';
import { attachFiles } from './attach-files.js';
import { checkPem } from './check-pem.js';
import type { Policy } from './model.js';
import { sortIssues, validatePolicy, type FileRef, type PolicySource } from './validate.js';

export interface LoadOptions {
  /** The zone repo's root: relative paths, in arguments and in the policy, start here. */
  root: string;
}

/** Key and certificate files are small; anything larger is not what the policy meant. */
const MAX_PEM_BYTES = 1 << 20;

/**
 * Load the policy from files and directories (a directory means its *.yaml and
 * *.yml files, sorted by name). Returns the normalized Policy, or throws a
 * PolicyError carrying every issue, sorted by file, line and column.
 */
export async function loadPolicy(paths: readonly string[], options: LoadOptions): Promise<Policy> {
  if (paths.length === 0) throw new InputError('no policy files given', 'pass a policy file or directory, e.g. policies/');
  const root = resolve(options.root);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    throw new InputError(`cannot use ${options.root} as the repo root: ${reason(error)}`);
  }
  const issues: PolicyIssue[] = [];
  const sources: PolicySource[] = [];
  for (const file of await listPolicyFiles(paths, root, issues)) {
    try {
      sources.push({ file: display(root, file), text: await readFile(file, 'utf8') });
    } catch (error) {
      issues.push(wholeFile(display(root, file), `cannot read ${display(root, file)}: ${reason(error)}`));
    }
  }
  const validation = validatePolicy(sources);
  const contents = await readReferencedFiles(validation.files, root, realRoot, issues);
  if (!validation.ok) issues.push(...validation.issues);
  if (issues.length > 0 || !validation.ok) throw new PolicyError(sortIssues(issues));
  return attachFiles(validation.policy, contents);
}

/** The policy files the arguments name, in order, each once. */
async function listPolicyFiles(paths: readonly string[], root: string, issues: PolicyIssue[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const absolute = resolve(root, path);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(absolute)).isDirectory();
    } catch (error) {
      issues.push(wholeFile(path, `cannot read ${path}: ${reason(error)}`, 'run mailrec init, or pass the policy file or directory'));
      continue;
    }
    if (!isDirectory) {
      out.push(absolute);
      continue;
    }
    const entries = await readdir(absolute, { withFileTypes: true });
    const names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) issues.push(wholeFile(path, `no policy files (*.yaml, *.yml) in ${path}`));
    out.push(...names.map((name) => resolve(absolute, name)));
  }
  return [...new Set(out)];
}

/**
 * Read each referenced file once. A retired DKIM key may be missing (its record
 * publishes an empty p=); any other unreadable file is an issue at its `key:` or
 * `cert:` value. Symbolic links must stay inside the repo like the paths do.
 */
async function readReferencedFiles(
  refs: readonly FileRef[],
  root: string,
  realRoot: string,
  issues: PolicyIssue[],
): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  // Read at once, not one after the other: a thousand-domain policy names a thousand keys.
  const paths = [...new Set(refs.map((ref) => ref.path))];
  const read = await Promise.all(paths.map((path) => readInsideRoot(path, root, realRoot)));
  const results = new Map(paths.map((path, i) => [path, read[i]!]));
  for (const ref of refs) {
    const result = results.get(ref.path)!;
    let problem: { message: string; hint?: string } | undefined;
    if ('error' in result) {
      problem = { message: result.error, ...(result.hint === undefined ? {} : { hint: result.hint }) };
    } else {
      const checked = checkPem(ref.kind, ref.path, result.text);
      if (checked.ok) contents.set(ref.path, checked.value);
      else problem = checked;
    }
    if (problem && !ref.optional) {
      issues.push({ position: ref.position, path: ref.docPath, message: problem.message, ...(problem.hint === undefined ? {} : { hint: problem.hint }) });
    }
  }
  return contents;
}

async function readInsideRoot(
  path: string,
  root: string,
  realRoot: string,
): Promise<{ text: string } | { error: string; hint?: string }> {
  const absolute = resolve(root, path);
  let real: string;
  // Synchronous: key and certificate files are small, and a thousand-domain policy names a
  // thousand of them; four thread-pool round trips each cost more than the reads.
  try {
    real = realpathSync(absolute);
    const info = statSync(real);
    if (!info.isFile()) return { error: `${path} is not a file` };
    if (info.size > MAX_PEM_BYTES) return { error: `${path} is ${info.size} bytes, too large for a PEM file` };
  } catch (error) {
    return { error: `cannot read ${path}: ${reason(error)}` };
  }
  if (!isInside(realRoot, real)) {
    return {
      error: `${path} is a link to a file outside the repo`,
      hint: 'copy the public key or certificate into the repo: mailrec publishes only public parts',
    };
  }
  try {
    return { text: readFileSync(real, 'utf8') };
  } catch (error) {
    return { error: `cannot read ${path}: ${reason(error)}` };
  }
}

/** True when `path` lies strictly beneath `dir`. */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** A file's name as issues show it: relative to the root when inside it, with "/" separators. */
function display(root: string, file: string): string {
  return isInside(root, file) ? relative(root, file).split(sep).join('/') : file;
}

function wholeFile(file: string, message: string, hint?: string): PolicyIssue {
  const position: SourcePosition = { file, line: 1, column: 1 };
  return hint === undefined ? { position, path: '', message } : { position, path: '', message, hint };
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
