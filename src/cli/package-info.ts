// mailrec's own package: where it is installed (the bundled example) and its version, read
// from its package.json so that `--version` and SARIF's tool.driver never drift from it.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** mailrec's own directory: the nearest package.json above this module (from dist/ or src/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find mailrec\'s package.json');
    dir = parent;
  }
  return dir;
}

/** The version in mailrec's package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('mailrec\'s package.json has no version');
  return manifest.version;
}
