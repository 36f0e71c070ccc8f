// The test estate's reports: the receiver fixtures of test/fixtures/dmarc/receivers
// wrapped in every container receivers use, plus a duplicate, a corrupt file and a
// file that is not a report, written into a fresh temporary directory.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzip, mail, mbox, zip } from './containers.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'dmarc');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, 'receivers', name));
}

/**
 * google.zip           google.com (RFC 7489, as Google sends it: zip)          R1 R2 R3
 * outlook.xml.gz       Outlook.com (7489 with envelope_to, gzip)              R4 R5 R6
 * reports.mbox         message 1: Yahoo (windows-1252, CRLF; .xml.gz)          R7 R8
 *                      message 2: Fastmail (prefixed names, CDATA; plain .xml) R9
 * mailbox-org.eml      mailbox.org (RFC 9990 namespace; .xml.gz attachment)    R10 x4
 * comcast.xml          comcast.net (plain XML)                                 R11
 * again/google.xml     the Google report once more: counted once
 * broken.xml.gz        a truncated gzip: skipped with an error
 * README.txt           not a report: ignored in a directory walk
 */
export function writeEstate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-dmarc-'));
  writeFileSync(join(dir, 'google.zip'), zip([{ name: 'google.com!example.org!1777852800!1777939199.xml', data: fixture('google.com.xml') }]));
  writeFileSync(join(dir, 'outlook.xml.gz'), gzip(fixture('outlook.com.xml')));
  const yahoo = mail('Report Domain: example.org Submitter: yahoo.com', [
    { filename: 'yahoo.com!example.org!1777852800!1777939199.xml.gz', contentType: 'application/gzip', data: gzip(fixture('yahoo.com.xml')) },
  ]);
  const fastmail = mail('Report domain: example.org Submitter: fastmail.com', [
    { filename: 'fastmail.com!example.org!1777852800!1777939199.xml', contentType: 'text/xml', data: fixture('fastmail.com.xml') },
  ]);
  writeFileSync(join(dir, 'reports.mbox'), mbox([yahoo, fastmail]));
  writeFileSync(
    join(dir, 'mailbox-org.eml'),
    mail('Report Domain: example.org Submitter: mailbox.org', [
      { filename: 'mailbox.org!example.org!1777852800!1777939199.xml.gz', contentType: 'application/gzip', data: gzip(fixture('mailbox.org.xml')) },
    ]),
  );
  writeFileSync(join(dir, 'comcast.xml'), fixture('comcast.net.xml'));
  mkdirSync(join(dir, 'again'));
  writeFileSync(join(dir, 'again', 'google.xml'), fixture('google.com.xml'));
  const broken = gzip(fixture('outlook.com.xml').toString('utf8').replace('Outlook.com', 'Outlook.com broken'));
  writeFileSync(join(dir, 'broken.xml.gz'), broken.subarray(0, Math.floor(broken.length / 2)));
  writeFileSync(join(dir, 'README.txt'), '# Reports from the dmarc-reports mailbox\n');
  return dir;
}
