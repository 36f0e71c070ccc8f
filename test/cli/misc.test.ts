import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

describe('mailrec schema', () => {
  it('prints a JSON Schema', async () => {
    const run = await runCli(['schema'], { cwd: tmpdir() });
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['version', 'defaults', 'zones', 'domains', 'targets']));
  });
});

describe('mailrec init', () => {
  it('scaffolds a repo whose plan runs, and refuses to scaffold twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailrec-init-'));
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('created policies/mail.yaml\n');
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: policies\/, zones\/, keys\/, certs\/ already exist/);
  });
});

describe('usage errors', () => {
  it('an unknown format is one line with a hint', async () => {
    const run = await runCli(['plan', '--format', 'yaml'], { cwd: tmpdir() });
    expect(run).toEqual({ code: 1, stdout: '', stderr: "error: unknown format 'yaml'\nhint: use --format text|json|markdown\n" });
  });
  it('a missing policy directory is a clear error, no stack', async () => {
    const run = await runCli(['plan'], { cwd: mkdtempSync(join(tmpdir(), 'mailrec-empty-')) });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('    at ');
    expect(run.stderr).toMatch(/policies/);
  });
});

describe('mailrec --version', () => {
  it('prints the version in package.json', async () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version'], { cwd: tmpdir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${manifest.version}\n`);
  });
});
