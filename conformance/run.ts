// `npm run conformance`: mailrec's SPF evaluator over the openspf RFC 7208 suite, and
// its DMARC and DKIM parsers over the vectors in ../shared/conformance. Prints a summary
// per suite, one line per failure, and ends with exactly "N passed, N failed".
// Usage: node dist/conformance/run.js [CONFORMANCE_DIR/] (default ../shared/conformance/).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkHost } from '../src/mail/spf/check-host.js';
import { runDkimKeys, runDmarcVectors } from './parsers.js';
import { SuiteZone } from './spf-suite-zone.js';

interface SuiteTest {
  host: string;
  mailfrom: string;
  helo: string;
  result: string | string[];
  explanation?: string;
  spec?: string | number;
}

const root = process.argv[2] ?? fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));

async function runSpf(file: string): Promise<{ passed: number; failed: string[] }> {
  const docs = parseAllDocuments(readFileSync(`${root}${file}`, 'utf8')).map((d) => d.toJS() as {
    description: string;
    tests: Record<string, SuiteTest>;
    zonedata?: Record<string, unknown[]>;
  });
  let passed = 0;
  const failed: string[] = [];
  for (const doc of docs) {
    const zone = new SuiteZone(doc.zonedata ?? {});
    for (const [name, t] of Object.entries(doc.tests)) {
      const out = await checkHost({ ip: t.host, sender: t.mailfrom, helo: t.helo, receiver: 'unknown' }, zone);
      const want = Array.isArray(t.result) ? t.result : [t.result];
      let problem = want.includes(out.result) ? '' : `result ${out.result}, want ${want.join('|')} (${out.reason})`;
      // "DEFAULT" means no exp= explanation applies.
      if (!problem && t.explanation !== undefined) {
        const got = out.explanation ?? 'DEFAULT';
        if (got !== t.explanation) problem = `explanation "${got}", want "${t.explanation}"`;
      }
      if (problem) failed.push(`spf ${file} ${name} [${t.spec ?? ''}]: ${problem}`);
      else passed++;
    }
  }
  return { passed, failed };
}

async function main(): Promise<void> {
  let passed = 0;
  const failures: string[] = [];
  const spf = await runSpf('spf/rfc7208-tests.yml');
  console.log(`SPF (openspf RFC 7208 suite): ${spf.passed} passed, ${spf.failed.length} failed`);
  passed += spf.passed;
  failures.push(...spf.failed);
  const dmarc = runDmarcVectors(root);
  console.log(`DMARC (OpenDMARC parse vectors): ${dmarc.passed} as documented, ${dmarc.failed.length} not`);
  for (const note of dmarc.notes) console.log(`  differs on purpose: ${note}`);
  passed += dmarc.passed;
  failures.push(...dmarc.failed);
  const dkim = await runDkimKeys(root);
  console.log(`DKIM (key records): ${dkim.passed} as expected, ${dkim.failed.length} not`);
  for (const note of dkim.notes) console.log(`  ${note}`);
  passed += dkim.passed;
  failures.push(...dkim.failed);
  for (const line of failures) console.log(`FAIL ${line}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

await main();
