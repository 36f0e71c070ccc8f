// Golden files: compare output with a committed file; UPDATE_GOLDEN=1 rewrites it.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

const GOLDEN_ROOT = join(import.meta.dirname, '..', 'golden');

export function expectGolden(relative: string, actual: string): void {
  const file = join(GOLDEN_ROOT, relative);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
