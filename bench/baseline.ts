// The baseline the benchmark compares with, run as its own process: for each domain,
// mailauth 4.13's SPF evaluation (check_host for an address that matches nothing, so the
// whole include tree is walked) and one DMARC TXT fetch, 16 domains at a time, every
// question through Node's resolver pointed at the benchmark's BIND. No cache: each domain
// asks its own questions, as a one-domain-at-a-time auditor does.
//
//   node dist/bench/baseline.js 127.0.0.1:PORT DOMAINS_FILE [CONCURRENCY]
// prints one JSON line: { domains, elapsedMs, queries, distinct }.

import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { spf } from 'mailauth/lib/spf/index.js';

type SpfFn = (opts: { sender: string; ip: string; helo: string; mta: string; resolver: (name: string, type: string) => Promise<unknown> }) => Promise<unknown>;

const [server, domainsFile, concurrencyArg] = process.argv.slice(2);
if (!server || !domainsFile) throw new Error('usage: baseline.js HOST:PORT DOMAINS_FILE [CONCURRENCY]');
const concurrency = Number(concurrencyArg ?? 16);
const domains = readFileSync(domainsFile, 'utf8').split('\n').filter((l) => l.trim() !== '');

const dns = new Resolver({ timeout: 2000, tries: 2 });
dns.setServers([server]);
let queries = 0;
const distinct = new Set<string>();
const resolver = (name: string, type: string): Promise<unknown> => {
  queries++;
  distinct.add(`${name.toLowerCase()} ${type}`);
  return dns.resolve(name, type);
};

const started = performance.now();
let next = 0;
let failures = 0;
const worker = async (): Promise<void> => {
  while (next < domains.length) {
    const domain = domains[next++]!;
    try {
      await (spf as SpfFn)({ sender: `postmaster@${domain}`, ip: '192.0.2.254', helo: `mail.${domain}`, mta: 'bench.invalid', resolver });
    } catch {
      failures++;
    }
    try {
      await resolver(`_dmarc.${domain}`, 'TXT');
    } catch {
      // NXDOMAIN / NODATA: no DMARC record, an answer like any other.
    }
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsedMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ domains: domains.length, elapsedMs, queries, distinct: distinct.size, failures })}\n`);
