import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { startDovecot } from '../../harness/dovecot.js';
import { runCli } from '../helpers/cli.js';
import { dayStart, dmarcMail, gzipBombMail, notAReport, tlsMail } from '../dmarc-reports/receiver-mail.js';

it('scratch fetch', async () => {
  const d = await startDovecot();
  try {
    const b = dayStart(2);
    const spec = { org: 'google.com', id: 'g1', begin: b, end: b + 86399, domain: 'example.org', rows: [{ ip: '192.0.2.1', count: 5, headerFrom: 'example.org', dkim: [{ domain: 'example.org', result: 'pass' }] }] };
    await d.append('INBOX', dmarcMail(spec, 'zip').mail);
    await d.append('INBOX', dmarcMail({ ...spec, org: 'outlook.com', id: 'o1' }, 'gz').mail);
    await d.append('INBOX', tlsMail({ org: 'google.com', id: 't1', begin: b, end: b + 86399, policies: [{ type: 'sts', domain: 'example.org', mode: 'testing', mx: ['mx-01.example.org'], success: 100, failure: 3, failures: [{ resultType: 'certificate-expired', mx: 'mx-01.example.org', count: 3 }] }] }).mail);
    await d.append('INBOX', notAReport(b));
    await d.append('INBOX', gzipBombMail(b));
    const repo = mkdtempSync(join(tmpdir(), 'scratch-'));
    const args = ['reports', 'fetch', '--imap', `127.0.0.1:${d.imapsPort}`, '--user', d.user, '--password-env', 'PW', '--ca-file', d.caPath, '--after', 'move', '--move-to', 'Processed'];
    const r1 = await runCli(args, { cwd: repo, env: { PW: d.password } });
    console.log(r1);
    console.log(readFileSync(join(repo, 'reports/index.jsonl'), 'utf8'));
    console.log(readFileSync(join(repo, 'reports/state.json'), 'utf8'));
    const r2 = await runCli(args, { cwd: repo, env: { PW: d.password } });
    console.log(r2);
    console.log(await d.messages('INBOX'), await d.messages('Processed'));
    const r3 = await runCli(['tlsrpt', 'summary', '--since', '30d'], { cwd: repo, env: {} });
    console.log(r3);
  } finally { await d.stop(); }
}, 60000);
