// Writes the synthetic estate to disk: the two zone files BIND serves and the domain list
// the audit reads, in chunks so that a 100,000-domain estate never sits in one string.

import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { CUSTOMER_ZONE, customerZoneHeader, domainName, domainRecords, PROVIDER_ZONE, providerZoneText, type DkimKeys } from './estate.js';
import type { BenchZone } from './bind.js';

async function writeChunked(path: string, header: string, n: number, item: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(header);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += item(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** The zone files for n domains (the first n of the estate) and their list. */
export async function writeEstate(dir: string, n: number, keys: DkimKeys): Promise<{ zones: BenchZone[]; domainsFile: string }> {
  const providerFile = join(dir, `${PROVIDER_ZONE}.zone`);
  await writeFile(providerFile, providerZoneText());
  const customerFile = join(dir, `${CUSTOMER_ZONE}.zone`);
  await writeChunked(customerFile, customerZoneHeader(), n, (i) => domainRecords(i, keys));
  const domainsFile = join(dir, `domains-${n}.txt`);
  await writeDomainList(domainsFile, n);
  return {
    zones: [
      { name: PROVIDER_ZONE, file: providerFile },
      { name: CUSTOMER_ZONE, file: customerFile },
    ],
    domainsFile,
  };
}

/** One domain per line: the first n of the estate. */
export async function writeDomainList(path: string, n: number): Promise<void> {
  await writeChunked(path, '', n, (i) => `${domainName(i)}\n`);
}
