// The process edge: streams, environment and colour, injected so that CLI tests
// run main() in-process and read exact stdout, stderr and exit codes.

import { styleText } from 'node:util';
import type { Style, Tone } from '../report/style.js';
import { plain } from '../report/style.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

/**
 * Writes `pieces`, each followed by `between` (the last by `end`), in writes of about 1 MiB:
 * one write per line is slow, one string of a whole large plan is hundreds of MB.
 */
export function writePieces(io: Pick<CliIO, 'stdout'>, pieces: Iterable<string>, end: string, between = ''): void {
  let pending = '';
  let first = true;
  for (const piece of pieces) {
    pending += first ? piece : `${between}${piece}`;
    first = false;
    if (pending.length >= 1 << 20) {
      io.stdout(pending);
      pending = '';
    }
  }
  io.stdout(`${pending}${end}`);
}

/**
 * Lines kept as UTF-8 in buffers of about 1 MiB, outside the JavaScript heap: a string grown
 * line by line is a chain of concatenations (more than twice the text's size, until written),
 * and a string per line costs far more than its text. The garbage collector never walks them.
 */
export class TextChunks {
  private readonly done: Buffer[] = [];
  private pending: string[] = [];
  private pendingLength = 0;

  add(line: string): void {
    this.pending.push(line);
    this.pendingLength += line.length + 1;
    if (this.pendingLength >= 1 << 20) this.seal();
  }

  /** The text in pieces of about 1 MiB, each a string when it is asked for. */
  *chunks(): Generator<string> {
    this.seal();
    for (const chunk of this.done) yield chunk.toString('utf8');
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    this.done.push(Buffer.from(`${this.pending.join('\n')}\n`, 'utf8'));
    this.pending = [];
    this.pendingLength = 0;
  }
}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}

/**
 * Colour only on a terminal; NO_COLOR (any non-empty value) turns it off,
 * FORCE_COLOR (other than "0") turns it on even when piped (no-color.org).
 */
export function colourEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const FORMATS: Record<Tone, Parameters<typeof styleText>[0]> = {
  add: 'green',
  remove: 'red',
  change: 'yellow',
  warn: 'yellow',
  error: ['bold', 'red'],
  strong: 'bold',
  faint: 'dim',
};

export function styleFor(enabled: boolean): Style {
  if (!enabled) return plain;
  // We have already decided; stop styleText from second-guessing the stream.
  return (tone, text) => styleText(FORMATS[tone], text, { validateStream: false });
}
