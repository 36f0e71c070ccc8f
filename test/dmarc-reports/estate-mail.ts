// The report mail of a small estate over the last three days, as several receivers send it:
// DMARC aggregate reports for example.org (the bundled example) in every container, TLS reports
// with numbers that add up by hand, a message that is no report, and hostile ones. Shared by
// the fetch tests against Dovecot and the CI recipe test.

import type { ReportSpec, RowSpec } from './build-report.js';
import { zip } from './containers.js';
import { dayStart, deepMimeMail, dmarcMail, gzipBombMail, message, notAReport, tlsMail, type Part, type TlsSpec } from './receiver-mail.js';
import { reportXml } from './build-report.js';

/** A day's rows: mail from example.org's own servers (aligned), a CRM and an unknown source. */
function rows(scale: number): RowSpec[] {
  return [
    { ip: '192.0.2.25', count: 100 * scale, headerFrom: 'example.org', envelopeFrom: 'example.org', dkim: [{ domain: 'example.org', selector: '2026a', result: 'pass' }], spf: [{ domain: 'example.org', result: 'pass' }] },
    { ip: '198.51.100.40', count: 12 * scale, headerFrom: 'example.org', envelopeFrom: 'bounce.esp.example', dkim: [{ domain: 'esp.example', selector: 'k1', result: 'pass' }], spf: [{ domain: 'bounce.esp.example', result: 'pass' }] },
    { ip: '203.0.113.9', count: 3 * scale, headerFrom: 'example.org', envelopeFrom: 'example.org', spf: [{ domain: 'example.org', result: 'fail' }] },
  ];
}

function spec(org: string, id: string, daysAgo: number, scale: number, schema: '7489' | '9990' = '7489'): ReportSpec {
  const begin = dayStart(daysAgo);
  return { org, id, begin, end: begin + 86_399, domain: 'example.org', p: 'none', schema, rows: rows(scale) };
}

export interface EstateMail {
  /** Every message, in delivery order. */
  messages: string[];
  /** The DMARC attachments as files (name, bytes): what `dmarc simulate DIR` reads. */
  dmarcFiles: Part[];
  /** DMARC reports and TLS reports inside the messages. */
  dmarcReports: number;
  tlsReports: number;
  /** Messages that are no report, and hostile ones (each skipped with one line). */
  notReports: number;
  hostile: number;
}

/** The TLS reports: example.org's MTA-STS policy in testing mode, its one MX mx-01.example.org. */
export const TLS_SPECS: TlsSpec[] = [
  {
    org: 'google.com',
    id: '2026-tls-g3',
    begin: dayStart(3),
    end: dayStart(3) + 86_399,
    policies: [
      {
        type: 'sts',
        domain: 'example.org',
        mode: 'testing',
        mx: ['mx-01.example.org'],
        success: 1000,
        failure: 4,
        failures: [
          { resultType: 'certificate-expired', mx: 'mx-01.example.org', count: 3 },
          { resultType: 'validation-failure', mx: 'mx-01.example.org', count: 1 },
        ],
      },
    ],
  },
  {
    org: 'microsoft.com',
    id: '133790000000000000+example.org',
    begin: dayStart(2),
    end: dayStart(2) + 86_399,
    policies: [
      { type: 'sts', domain: 'example.org', mode: 'testing', mx: ['mx-01.example.org'], success: 500, failure: 6, failures: [{ resultType: 'certificate-host-mismatch', mx: 'mx-01.example.org', count: 6 }] },
      { type: 'no-policy-found', domain: 'lists.example.org', success: 40, failure: 0 },
    ],
  },
];

export function estateMail(): EstateMail {
  const messages: string[] = [];
  const dmarcFiles: Part[] = [];
  const add = (built: { mail: string; attachment: Part }): void => {
    messages.push(built.mail);
    dmarcFiles.push(built.attachment);
  };
  add(dmarcMail(spec('google.com', '11478125738291652231', 3, 2), 'zip'));
  add(dmarcMail(spec('google.com', '6291465118395847022', 2, 2), 'zip'));
  add(dmarcMail(spec('enterprise.protection.outlook.com', 'f1a2b3c4d5e6', 3, 1), 'gz'));
  add(dmarcMail(spec('enterprise.protection.outlook.com', 'a9b8c7d6e5f4', 2, 1), 'gz'));
  add(dmarcMail(spec('mail.receiver.example', 'r-1765-3', 3, 1, '9990'), 'xml'));
  add(dmarcMail(spec('gateway.example', 'gw-2', 2, 1), 'nested'));
  // Two reports in one zip archive.
  const y3 = spec('yahoo.com', '1796400000.y3', 3, 1);
  const y2 = spec('yahoo.com', '1796486400.y2', 2, 1);
  const both: Part = {
    contentType: 'application/zip',
    filename: 'yahoo.com!example.org!two-days.zip',
    data: zip([
      { name: 'yahoo.com!example.org!y3.xml', data: reportXml(y3) },
      { name: 'yahoo.com!example.org!y2.xml', data: reportXml(y2) },
    ]),
  };
  messages.push(message({ from: 'noreply@dmarc.yahoo.com', subject: 'Report Domain: example.org Submitter: yahoo.com', date: dayStart(1) }, [both]));
  dmarcFiles.push(both);
  for (const t of TLS_SPECS) messages.push(tlsMail(t, t.org === 'microsoft.com' ? 'json' : 'gzip').mail);
  messages.push(notAReport(dayStart(1)));
  messages.push(gzipBombMail(dayStart(1)));
  messages.push(deepMimeMail(dayStart(1)));
  return { messages, dmarcFiles, dmarcReports: 8, tlsReports: 2, notReports: 1, hostile: 2 };
}

/** One more report, arriving after the first fetch. */
export function lateReport(): { mail: string; attachment: Part } {
  return dmarcMail(spec('google.com', '3391027465019283746', 1, 3), 'zip');
}
