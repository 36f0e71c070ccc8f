import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReports } from '../../src/dmarc-reports/read-reports.js';
import { parseHeaderValue } from '../../src/dmarc-reports/read-mime.js';
import { reportXml } from './build-report.js';
import { gzip, mail, mbox, zip } from './containers.js';
import { fixture, writeEstate } from './estate.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mailrec-dmarc-read-'));
}

function write(dir: string, name: string, data: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, data);
  return file;
}

const small = (id: string, count = 3) =>
  reportXml({
    org: 'receiver.test',
    id,
    domain: 'example.org',
    rows: [{ ip: '192.0.2.1', count, headerFrom: 'example.org', dkim: [{ domain: 'example.org', selector: 's', result: 'pass' }] }],
  });

describe('reading the estate: every container, several receivers', () => {
  it('counts each report once, skips the corrupt file with one error, ignores a README', async () => {
    const dir = writeEstate();
    const set = await readReports([dir], { base: dir });
    expect(set.files).toBe(7); // README.txt is not one
    expect(set.reports).toBe(6);
    expect(set.messages).toBe(97);
    expect(set.schemas).toEqual({ '7489': 5, '9990': 1 });
    expect(set.receivers.map((r) => [r.orgName, r.reports, r.messages])).toEqual([
      ['google.com', 1, 58],
      ['Outlook.com', 1, 23],
      ['Yahoo', 1, 7],
      ['mailbox.org', 1, 4],
      ['comcast.net', 1, 3],
      ['Fastmail Pty Ltd', 1, 2],
    ]);
    expect(set.duplicates).toEqual([{ file: 'google.zip: google.com!example.org!1777852800!1777939199.xml', orgName: 'google.com', reportId: '13541781262960862411', first: 'again/google.xml' }]);
    expect(set.warnings).toEqual([]);
    expect(set.errors).toEqual([{ file: 'broken.xml.gz', message: 'corrupt or truncated gzip data (unexpected end of file)' }]);
    expect(set.begin).toBe(1777852800);
    expect(set.end).toBe(1777939200);
    // R10's four records differ by reason only: four rows.
    expect(set.rows).toHaveLength(14);
    expect(set.rows.reduce((n, r) => n + r.count, 0)).toBe(97);
  });

  it('reads the fields as the receivers write them', async () => {
    const dir = writeEstate();
    const set = await readReports([dir], { base: dir });
    const row = (ip: string) => set.rows.find((r) => r.sourceIp === ip)!;
    // Google: selector after result, no scope, no envelope_from.
    expect(row('192.0.2.11')).toMatchObject({ headerFrom: 'example.org', dkim: [{ domain: 'mail.example.org', selector: '2026a', result: 'pass' }], spf: [{ domain: 'bounce.esp.test', result: 'fail' }] });
    // Outlook.com: envelope_from, scope.
    expect(row('203.0.113.5')).toMatchObject({ envelopeFrom: 'esp.test', spf: [{ domain: 'esp.test', scope: 'mfrom', result: 'pass' }] });
    // Yahoo (windows-1252, CRLF) through mbox message 1; Fastmail (prefixed names, CDATA) through message 2.
    expect(row('203.0.113.8').headerFrom).toBe('ghost.example.org');
    expect(set.rows.filter((r) => r.sourceIp === '203.0.113.9').map((r) => r.reasons)).toEqual(expect.arrayContaining([['forwarded'], ['mailing_list']]));
    expect(set.rows.find((r) => r.reasons[0] === 'mailing_list')!.dkim).toHaveLength(2);
    // mailbox.org, RFC 9990: np and testing in policy_published.
    const r10 = set.rows.find((r) => r.sourceIp === '203.0.113.10')!;
    expect(r10.published).toEqual({ domain: 'example.org', p: 'none', sp: 'none', np: 'none', adkim: 'r', aspf: 'r', testing: false });
    expect(set.rows.filter((r) => r.sourceIp === '203.0.113.10').map((r) => r.reasons[0]).sort()).toEqual(['local_policy', 'policy_test_mode', 'sampled_out', 'trusted_forwarder']);
    // Fastmail publishes p only: the defaults fill in.
    expect(row('203.0.113.9').published).toMatchObject({ domain: 'example.org', p: 'none', adkim: 'r', aspf: 'r', testing: false });
  });

  it('reads each container alone, and a list of files', async () => {
    const dir = tempDir();
    const files = {
      xml: write(dir, 'a.xml', small('a')),
      gz: write(dir, 'b.xml.gz', gzip(small('b'))),
      zip: write(dir, 'c.zip', zip([{ name: 'c.xml', data: small('c') }])),
      eml: write(dir, 'd.eml', mail('report d', [{ filename: 'd.xml.gz', contentType: 'application/gzip', data: gzip(small('d')) }])),
      mbox: write(
        dir,
        'e.mbox',
        mbox([
          mail('report e1', [{ filename: 'e1.zip', contentType: 'application/zip', data: zip([{ name: 'e1.xml', data: small('e1') }]) }]),
          mail('report e2', [{ filename: 'e2.xml', contentType: 'application/xml', data: Buffer.from(small('e2')) }]),
        ]),
      ),
    };
    for (const [kind, file] of Object.entries(files)) {
      const set = await readReports([file]);
      expect(set.errors, kind).toEqual([]);
      expect(set.reports, kind).toBe(kind === 'mbox' ? 2 : 1);
      expect(set.messages, kind).toBe(kind === 'mbox' ? 6 : 3);
    }
    const all = await readReports(Object.values(files));
    expect(all.reports).toBe(6);
    expect(all.messages).toBe(18);
    expect(all.rows).toHaveLength(1); // identical rows merge
    expect(all.rows[0]!.count).toBe(18);
  });

  it('reads a report that is the whole body of a message, and a quoted-printable one', async () => {
    const dir = tempDir();
    const b64 = (gzip(small('body')).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
    write(dir, 'body.eml', `From: r@receiver.test\r\nSubject: report\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`);
    const qp = small('qp').replace(/=/g, '=3D').replace(/\n/g, '=\r\n');
    write(dir, 'qp.eml', `From: r@receiver.test\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/xml; name=qp.xml\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}\r\n--b1--\r\n`);
    const set = await readReports([dir], { base: dir });
    expect(set.errors).toEqual([]);
    expect(set.reports).toBe(2);
  });

  it('counts a report seen twice once, whatever the container', async () => {
    const dir = tempDir();
    write(dir, 'r.xml', small('same', 5));
    write(dir, 'r.xml.gz', gzip(small('same', 5)));
    write(dir, 'r.eml', mail('again', [{ filename: 'r.zip', contentType: 'application/zip', data: zip([{ name: 'r.xml', data: small('same', 5) }]) }]));
    const set = await readReports([dir], { base: dir });
    expect(set.reports).toBe(1);
    expect(set.messages).toBe(5);
    expect(set.duplicates.map((d) => d.file)).toEqual(['r.xml', 'r.xml.gz']);
  });

  it('parses RFC 2231 and quoted MIME parameters', () => {
    const ct = parseHeaderValue('application/gzip; name*0="google.com!example.org!1"; name*1=".xml.gz"; x="a;b"');
    expect(ct.value).toBe('application/gzip');
    expect(ct.params.get('name')).toBe('google.com!example.org!1.xml.gz');
    expect(ct.params.get('x')).toBe('a;b');
    expect(parseHeaderValue("attachment; filename*=UTF-8''r%C3%A9port.xml").params.get('filename')).toBe('réport.xml');
  });
});

describe('hostile and broken files are skipped, one error each, the rest counted', () => {
  const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE feedback [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feedback><report_metadata><org_name>&lol9;</org_name><report_id>x</report_id></report_metadata></feedback>
`;
  const XXE = `<?xml version="1.0"?>
<!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>
`;

  async function readWithGood(name: string, data: string | Buffer) {
    const dir = tempDir();
    write(dir, 'good.xml', small('good'));
    write(dir, name, data);
    const set = await readReports([dir], { base: dir });
    expect(set.reports, 'the good report is still counted').toBe(1);
    expect(set.messages).toBe(3);
    expect(set.errors).toHaveLength(1);
    expect(set.errors[0]!.file.startsWith(name)).toBe(true);
    return set.errors[0]!.message;
  }

  it('refuses a DOCTYPE (entity expansion, external entities)', async () => {
    expect(await readWithGood('laughs.xml', BILLION_LAUGHS)).toMatch(/DOCTYPE.*refused/);
    expect(await readWithGood('xxe.xml', XXE)).toMatch(/DOCTYPE.*refused/);
    expect(await readWithGood('laughs.xml.gz', gzip(BILLION_LAUGHS))).toMatch(/DOCTYPE/);
  });

  it('refuses an undeclared entity', async () => {
    expect(await readWithGood('entity.xml', small('e').replace('receiver.test</org_name>', '&bomb;</org_name>'))).toMatch(/malformed XML/);
  });

  it('refuses a zip bomb: by declared size, by ratio, and when the sizes lie', async () => {
    const zeros = Buffer.alloc(80 << 20, 0x20); // 80 MiB of spaces: deflates about 1000:1
    const bomb = zip([{ name: 'bomb.xml', data: zeros }]);
    expect(bomb.length).toBeLessThan(200 << 10);
    expect(await readWithGood('bomb.zip', bomb)).toMatch(/zip bomb/);
    const dense = Buffer.concat([Buffer.from(small('dense').replace('</feedback>', '')), Buffer.alloc(4 << 20, 0x20), Buffer.from('</feedback>')]);
    expect(await readWithGood('ratio.zip', zip([{ name: 'ratio.xml', data: dense }]))).toMatch(/inflates \d+ times; refused/);
    const liar = zip([{ name: 'liar.xml', data: zeros, declaredSize: 1000 }]);
    expect(await readWithGood('liar.zip', liar)).toMatch(/does not match its declared size.*refused/);
  });

  it('refuses a gzip bomb', async () => {
    expect(await readWithGood('bomb.xml.gz', gzip(Buffer.alloc(80 << 20, 0x20)))).toMatch(/decompress.*refused/);
  });

  it('refuses a zip with too many entries, or none with a report', async () => {
    const many = zip(Array.from({ length: 20 }, (_, i) => ({ name: `r${i}.xml`, data: small(`m${i}`) })));
    expect(await readWithGood('many.zip', many)).toMatch(/20 entries in the zip archive, more than 16/);
    expect(await readWithGood('empty.zip', zip([{ name: 'readme.txt', data: 'hello' }]))).toMatch(/no \.xml report/);
  });

  it('skips truncated XML, absurd counts, and XML that is not a report', async () => {
    const text = small('t');
    expect(await readWithGood('truncated.xml', text.slice(0, text.length - 30))).toMatch(/malformed XML/);
    expect(await readWithGood('count.xml', small('c').replace('<count>3</count>', '<count>99999999999</count>'))).toMatch(/not a message count/);
    expect(await readWithGood('negative.xml', small('n').replace('<count>3</count>', '<count>-3</count>'))).toMatch(/not a message count/);
    expect(await readWithGood('other.xml', '<?xml version="1.0"?><html><body/></html>')).toMatch(/not a DMARC aggregate report/);
    const deep = `<feedback>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</feedback>`;
    expect(await readWithGood('deep.xml', deep)).toMatch(/nested deeper/);
    expect(await readWithGood('long.xml', small('l').replace('receiver.test</org_name>', `${'x'.repeat(70_000)}</org_name>`))).toMatch(/more than 65536 characters/);
  });

  it('names the message of an mbox whose attachment is broken, and counts the other', async () => {
    const dir = tempDir();
    const broken = gzip(small('m2')).subarray(0, 40);
    write(
      dir,
      'box.mbox',
      mbox([
        mail('one', [{ filename: 'one.xml.gz', contentType: 'application/gzip', data: gzip(small('m1')) }]),
        mail('two', [{ filename: 'two.xml.gz', contentType: 'application/gzip', data: broken }]),
      ]),
    );
    const set = await readReports([dir], { base: dir });
    expect(set.reports).toBe(1);
    expect(set.errors).toEqual([{ file: 'box.mbox (message 2): two.xml.gz', message: 'corrupt or truncated gzip data (unexpected end of file)' }]);
  });

  it('an explicit file that is no report, a mail without a report, a line without end', async () => {
    const dir = tempDir();
    const notes = write(dir, 'notes.txt', '# not a report\n');
    const plain = write(dir, 'plain.eml', 'From: a@b.test\r\nSubject: hi\r\n\r\nno report here\r\n');
    const long = write(dir, 'long.eml', `From: a@b.test\r\nContent-Type: text/xml\r\n\r\n${'x'.repeat(2 << 20)}`);
    const set = await readReports([notes, plain, long], { base: dir });
    expect(set.errors).toEqual([
      { file: 'notes.txt', message: 'not a DMARC report: neither XML, gzip, zip nor a mail message' },
      { file: 'plain.eml', message: 'no DMARC report attached to the message' },
      { file: 'long.eml', message: 'a line of 2 MiB, over 1 MiB; message skipped' },
    ]);
    const missing = await readReports([join(dir, 'nope.xml')], { base: dir });
    expect(missing.errors).toEqual([{ file: 'nope.xml', message: 'cannot read: ENOENT' }]);
  });

  it('reads the Yahoo report in windows-1252 as it is', async () => {
    const set = await readReports([write(tempDir(), 'y.xml', fixture('yahoo.com.xml'))]);
    expect(set.errors).toEqual([]);
    expect(set.receivers).toEqual([{ orgName: 'Yahoo', reports: 1, messages: 7 }]);
  });
});
