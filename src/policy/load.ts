// The policy loader's IO shell: finds the policy files, reads them and the key and
// certificate files they name, and hands everything to the pure validator. Never writes.

import { statSync } from 'node:fs';
import { RepoFiles, type RepoFileKind } from '../base/repo-files.js';
import { InputError, OutsideRepoError, PolicyError, RepoFileError, type PolicyIssue, type SourcePosition } from '../base/errors.js';
import { attachFiles } from './attach-files.js';
import { checkPem } from './check-pem.js';
import type { Policy } from './model.js';
import { validatePolicyInParallel } from './read-parallel.js';
import { sortIssues, type FileRef, type PolicySource } from './validate.js';

export interface LoadOptions {
  /** The zone repo's root: relative paths, in arguments and in the policy, start here. */
  root: string;
  /** The repo's files (the CLI's, with its --allow-outside); default: a RepoFiles of `root`. */
  files?: RepoFiles;
  /** Threads that parse the policy files (plan --jobs); default: the cores there are. */
  jobs?: number;
}

/**
 * Load the policy from files and directories (a directory means its *.yaml and
 * *.yml files, sorted by name). Returns the normalized Policy, or throws a
 * PolicyError carrying every issue, sorted by file, line and column.
 */
export async function loadPolicy(paths: readonly string[], options: LoadOptions): Promise<Policy> {
  if (paths.length === 0) throw new InputError('no policy files given', 'pass a policy file or directory, e.g. policies/');
  let files: RepoFiles;
  try {
    files = options.files ?? new RepoFiles(options.root);
  } catch (error) {
    throw new InputError(`cannot use ${options.root} as the repo root: ${error instanceof RepoFileError ? error.reason : String(error)}`);
  }
  const issues: PolicyIssue[] = [];
  const sources: PolicySource[] = [];
  for (const file of listPolicyFiles(paths, files, issues)) {
    try {
      sources.push({ file: files.show(file), text: files.read(file, 'policy') });
    } catch (error) {
      if (!(error instanceof RepoFileError)) throw error;
      issues.push(wholeFile(files.show(file), `cannot read ${files.show(file)}: ${error.reason}`, error.hint));
    }
  }
  const validation = await validatePolicyInParallel(sources, options.jobs === undefined ? {} : { jobs: options.jobs });
  const contents = readReferencedFiles(validation.files, files, issues);
  if (!validation.ok) issues.push(...validation.issues);
  if (issues.length > 0 || !validation.ok) throw new PolicyError(sortIssues(issues));
  return attachFiles(validation.policy, contents);
}

/** The policy files the arguments name, in order, each once. Arguments are named on the command line. */
function listPolicyFiles(paths: readonly string[], files: RepoFiles, issues: PolicyIssue[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const absolute = files.allowNamed(path);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(files.locate(absolute)).isDirectory();
    } catch (error) {
      const why = error instanceof RepoFileError ? error.reason : String(error);
      const hint = error instanceof OutsideRepoError ? error.hint : 'run mailrec init, or pass the policy file or directory';
      issues.push(wholeFile(files.show(absolute), `cannot read ${files.show(absolute)}: ${why}`, hint));
      continue;
    }
    if (!isDirectory) {
      out.push(absolute);
      continue;
    }
    const names = files
      .list(absolute)
      // Not only regular files: a FIFO or a device named *.yaml is read, and refused with its name.
      .filter((e) => !e.isDirectory() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name);
    if (names.length === 0) issues.push(wholeFile(files.show(absolute), `no policy files (*.yaml, *.yml) in ${files.show(absolute)}`));
    out.push(...names.map((name) => files.resolve(`${absolute}/${name}`)));
  }
  return [...new Set(out)];
}

/**
 * Read each referenced file once. A retired DKIM key may be missing (its record
 * publishes an empty p=); any other unreadable file is an issue at its `key:` or
 * `cert:` value. Symbolic links must stay inside the repo like the paths do.
 */
function readReferencedFiles(refs: readonly FileRef[], files: RepoFiles, issues: PolicyIssue[]): Map<string, string> {
  const contents = new Map<string, string>();
  const results = new Map<string, { text: string } | { error: string; hint?: string }>();
  for (const ref of refs) if (!results.has(ref.path)) results.set(ref.path, readReferenced(files, ref.path, ref.kind === 'tlsa-cert' ? 'certificate' : 'key'));
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

/** A key or certificate file's text, or why it was not read (outside the repo, special, too large). */
function readReferenced(files: RepoFiles, path: string, kind: RepoFileKind): { text: string } | { error: string; hint?: string } {
  try {
    return { text: files.read(path, kind) };
  } catch (error) {
    if (error instanceof OutsideRepoError) {
      return {
        error: `${path} is a link to a file outside the repo`,
        hint: 'copy the public key or certificate into the repo (mailrec publishes only public parts), or pass --allow-outside DIR',
      };
    }
    if (error instanceof RepoFileError) return { error: `cannot read ${path}: ${error.reason}`, ...(error.hint ? { hint: error.hint } : {}) };
    throw error;
  }
}

function wholeFile(file: string, message: string, hint?: string): PolicyIssue {
  const position: SourcePosition = { file, line: 1, column: 1 };
  return hint === undefined ? { position, path: '', message } : { position, path: '', message, hint };
}
