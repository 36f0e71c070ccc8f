// Where a worker thread's module is: beside the module that starts it once built
// (dist/src/<folder>/<name>.js), or, when run from the TypeScript sources (the test
// runner), the built copy under dist/.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The module `name` (e.g. "audit-worker.js") beside `metaUrl`, the caller's import.meta.url. */
export function workerModuleUrl(metaUrl: string, name: string): URL {
  const url = new URL(`./${name}`, metaUrl);
  if (existsSync(fileURLToPath(url))) return url;
  return new URL(metaUrl.replace(/\/src\/([^/]+)\/[^/]+$/, `/dist/src/$1/${name}`));
}
