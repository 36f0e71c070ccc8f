// Every bad-policy fixture (test/fixtures/policy/bad/<case>.yaml) with the complete
// list of issues it must give: position (line:column, with the file for multi-file
// cases), message and, where it matters, hint. A fixture without a row fails the test.

import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PolicyError, type PolicyIssue } from '../../src/base/errors.js';
import { loadPolicy } from '../../src/policy/load.js';

const ROOT = 'test/fixtures';
const BAD = 'policy/bad';

/** [where, message, hint?]: where is "line:column", or "file:line:column" inside a directory case. */
type Expected = [string, string, string?];

const CASES: Record<string, Expected[]> = {
  'bad-enum': [
    ["5:15", "invalid policy 'quarantaine'", "did you mean 'quarantine'? allowed values: none, quarantine, reject"],
    ["6:14", "invalid adkim 'loose'", "allowed values: relaxed, strict"],
  ],
  'cidr': [
    ["5:14", "ip4 '192.0.2.0/33' has a prefix length outside 0..32"],
    ["6:14", "ip4 '010.0.0.1' is not an IPv4 address (dotted quad, no leading zeros)"],
    ["7:14", "ip6 '2001:db8::g/32' is not an IPv6 address"],
    ["8:14", "ip6 '192.0.2.1' is not an IPv6 address", "that is an IPv4 address: use ip4:"],
    ["9:14", "ip4 '0.0.0.0/0' matches every address, like +all: anyone could send as the domain", "list the networks that really send"],
  ],
  'dmarc-uris': [
    ["6:12", "rua 'a@example.org,b@example.org' contains ',', which separates URIs in the record", "list each URI as its own item; a literal ',' must be percent-encoded as %2C"],
    ["8:11", "ruf 'mailto:dmarc@example.org!10m' carries a report size limit, which mailrec does not publish", "remove the !size suffix"],
    ["9:11", "ruf 'https://reports.example.org/dmarc' uses the https: scheme", "use mailto: (reports are delivered by mail)"],
    ["10:11", "ruf 'dmarc;x@example.org' contains ';', which separates tags in the record", "list each URI as its own item; a literal ';' must be percent-encoded as %3B"],
    ["11:11", "ruf 'postmaster' is neither an address nor a mailto: URI", "write local@domain, e.g. dmarc-reports@example.org"],
  ],
  'spf-limit-keys': [
    ["3:36", "own_hosts is set per domain", "move it to the spf: of each domain whose host: senders should be published by address"],
    ["8:18", "flatten must be true or false, not the text 'yes'"],
    ["10:18", "flatten goes with include: only", "write '- include: <domain>' with 'flatten: true' beside it"],
    ["13:23", "invalid own_hosts 'address'", "did you mean 'addresses'? allowed values: names, addresses"],
  ],
  'duplicate-selector': [
    ["6:21", "duplicate DKIM selector 's1'", "first declared at policy/bad/duplicate-selector.yaml:5:21"],
  ],
  'duplicates': [
    ["6:17", "duplicate MX host 'mx-01.example.org'", "first declared at policy/bad/duplicates.yaml:5:17"],
    ["9:32", "duplicate rua URI 'mailto:dmarc@example.org'", "first declared at policy/bad/duplicates.yaml:9:13"],
  ],
  'empty': [
    ["1:1", "the policy file is empty", "start it with version: 1"],
  ],
  'in-two-files': [
    ["b.yaml:2:1", "defaults are declared twice", "also declared at policy/bad/in-two-files/a.yaml:2:1; keep one defaults: block"],
    ["b.yaml:4:3", "zone example.org is declared twice", "also declared at policy/bad/in-two-files/a.yaml:4:3"],
    ["b.yaml:7:3", "domain example.org is declared twice", "also declared at policy/bad/in-two-files/a.yaml:6:3"],
  ],
  'dkim-keys': [
    ["3:8", "dir '/etc/keys' is absolute", "paths are relative to the repo root: move the file into the repo"],
    ["4:10", "group 'bad group' is not a group name", "the signer's group, e.g. _rspamd or opendkim"],
    ["5:9", "invalid type 'rsa1024'", "allowed values: ed25519, rsa2048, rsa3072"],
    ["6:17", "rotate_after (200 days) is not shorter than max_age (180 days)", "rotation must start before audit reports the key as old (dkim.key-old): e.g. rotate_after: 150d, max_age: 180d"],
    ["7:12", "max_age '6 months' is not a duration", "write seconds, or a number with s, m, h, d or w, e.g. 7d"],
    ["8:10", "grace '7x' is not a duration", "write seconds, or a number with s, m, h, d or w, e.g. 7d"],
    ["11:19", "server 'ns1.example.org:99999' has a port outside 1..65535"],
    ["15:79", "created '2026-13-01' is not a UTC time", "write it as 2026-05-03T12:00:00Z (mailrec dkim rotate writes these)"],
    ["17:9", "missing key 'key' in domains.example.org.dkim[2]", "key: the PEM file of the public (or private) key, relative to the repo root"],
    ["17:32", "invalid state 'gone'", "allowed values: active, published, retired, removed"],
  ],
  'key-files': [
    ["5:35", "cannot read keys/TEST-ONLY-missing.pem: no such file or directory"],
    ["6:32", "keys/TEST-ONLY-not-a-key.pem holds no PEM block", "expected a file starting with -----BEGIN ...-----"],
    ["7:32", "keys/TEST-ONLY-dkim-rsa512-too-weak.public.pem is a 512-bit RSA key; DKIM needs at least 1024", "RFC 8301 §3.2; generate 2048 bits"],
    ["8:30", "keys/TEST-ONLY-mx-01.public.pem holds a key of type ec; DKIM keys are RSA (RFC 6376) or Ed25519 (RFC 8463)"],
    ["9:9", "missing key 'key' in domains.example.org.dkim[4]", "key: the PEM file of the public (or private) key, relative to the repo root"],
    ["11:52", "keys/TEST-ONLY-mx-01.public.pem holds no readable certificate", "cert: takes a PEM X.509 certificate; use pubkey: for a key"],
  ],
  'mail-none-contradiction': [
    ["5:5", "senders contradicts mail: none", "a domain with mail: none sends and receives no mail (null MX, v=spf1 -all, DMARC p=reject): remove senders, or remove mail: none"],
    ["6:5", "mx contradicts mail: none", "a domain with mail: none sends and receives no mail (null MX, v=spf1 -all, DMARC p=reject): remove mx, or remove mail: none"],
    ["7:5", "dkim contradicts mail: none", "a domain with mail: none sends and receives no mail (null MX, v=spf1 -all, DMARC p=reject): remove dkim, or remove mail: none"],
    ["9:22", "dmarc policy 'none' contradicts mail: none", "a domain with mail: none publishes p=reject"],
  ],
  'many-errors': [
    ["4:8", "ttl -5 is out of range 0..2147483647", "RFC 2181 §8: a TTL is 0..2147483647 seconds"],
    ["5:15", "all: pass is refused: +all lets anyone send mail as the domain", "RFC 7208 §5.1: \"+all\" matches every host, so SPF would pass any sender; use fail, softfail or neutral"],
    ["12:19", "unknown provider 'sendgird'", "did you mean 'sendgrid'? known providers: google, microsoft365, amazonses, sendgrid, mailchimp, postmark"],
    ["16:7", "unknown key 'subdomian_policy'", "did you mean 'subdomain_policy'?"],
    ["18:12", "ruf 'x@example.org;y@example.org' contains ';', which separates tags in the record", "list each URI as its own item; a literal ';' must be percent-encoded as %3B"],
    ["20:30", "key '../keys/s1.pem' escapes the repo root", "paths are relative to the repo root: move the file into the repo"],
    ["21:21", "duplicate DKIM selector 's1'", "first declared at policy/bad/many-errors.yaml:20:21"],
    ["21:30", "cannot read keys/TEST-ONLY-missing.pem: no such file or directory"],
    ["23:64", "_submission on port 465 is refused: 465 is implicit TLS, not STARTTLS submission (RFC 8314 §3.3)", "use service: submissions for port 465, or port 587 for _submission"],
    ["24:22", "invalid mode 'enforcing'", "did you mean 'enforce'? allowed values: enforce, testing, none"],
    ["25:3", "domain other.example.com is outside every declared zone", "add its zone under zones:, e.g. zones: { example.com: {} }"],
    ["27:5", "senders contradicts mail: none", "a domain with mail: none sends and receives no mail (null MX, v=spf1 -all, DMARC p=reject): remove senders, or remove mail: none"],
  ],
  'missing-keys': [
    ["5:9", "missing key 'preference' in domains.example.org.mx[0]"],
    ["6:5", "missing key 'policy' in dmarc"],
    ["9:9", "domains.example.org.tlsa[0] needs one of cert, pubkey or data", "cert: or pubkey: a PEM file in the repo; data: the association data in hex"],
    ["10:83", "cert and data are exclusive: give one of cert, pubkey, data"],
  ],
  'mx-none-with-list': [
    ["5:9", "mx: none cannot stand beside MX hosts", "RFC 7505 §3: a null MX (\"MX 0 .\") is the only MX record of its domain"],
    ["8:9", "mx is an empty list", "write mx: none for a null MX (RFC 7505), or leave mx out"],
  ],
  'name-not-ascii': [
    ["3:3", "domain 'bücher.example' is not ASCII", "write the IDNA form: xn--bcher-kva.example"],
  ],
  'name-syntax': [
    ["3:3", "domain 'example.org;' contains ';'", "names are written into zone files, where such characters are syntax; a name has letters, digits, hyphens, underscores and dots only"],
    ["5:15", "host 'mx(1).example.org' contains '('", "names are written into zone files, where such characters are syntax; a name has letters, digits, hyphens, underscores and dots only"],
    ["8:17", "host 'mx-01 .example.net' contains whitespace", "names are written into zone files, where such characters are syntax; a name has letters, digits, hyphens, underscores and dots only"],
    ["9:17", "host '192.0.2.25' is an IP address, not a host name", "RFC 5321 §5.1: an MX names a host; give the address a name and use it"],
    ["11:18", "include 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com' has a label of 64 characters; the limit is 63 (RFC 1035 §2.3.4)"],
  ],
  'no-version': [
    ["1:1", "missing key 'version'", "start the file with version: 1"],
  ],
  'no-zones-subdomain': [
    ["3:3", "cannot tell which zone mail.example.co.uk belongs to", "with no zones: declared only two-label domains are taken as zones; declare its zone, e.g. zones: { example.co.uk: {} }"],
  ],
  'outside-zone': [
    ["7:3", "domain mail.example.com is outside every declared zone", "add its zone under zones:, e.g. zones: { example.com: {} }"],
  ],
  'path-escape': [
    ["3:28", "fragment '../outside.zone' escapes the repo root", "paths are relative to the repo root: move the file into the repo"],
    ["7:30", "key '../../etc/passwd' escapes the repo root", "paths are relative to the repo root: move the file into the repo"],
    ["9:52", "cert '/etc/ssl/certs/mx.pem' is absolute", "paths are relative to the repo root: move the file into the repo"],
    ["13:40", "secret_file 'keys/../../tsig.secret' escapes the repo root", "paths are relative to the repo root: move the file into the repo"],
  ],
  'ports': [
    ["5:59", "port 70000 is out of range 1..65535"],
    ["7:17", "port 0 is out of range 1..65535"],
  ],
  'reports': [
    ["3:12", "archive '/var/lib/reports' is absolute", "paths are relative to the repo root: move the file into the repo"],
    ["4:14", "retention '13m' is shorter than a day", "m is minutes; give days or weeks, e.g. 400d or 56w"],
    ["6:7", "an IMAP mailbox needs password_file or password_env", "the password itself never goes in the policy"],
    ["7:15", "server 'imap.example.org:99999' has a port outside 1..65535"],
    ["9:7", "unknown key 'password'", "a policy never holds a password: use password_file: <path> or password_env: <VARIABLE>"],
    ["10:7", "after: move needs move_to: <folder>", "name the folder processed messages go to, e.g. move_to: Processed"],
    ["15:7", "password_file and password_env are exclusive", "give the password one way"],
    ["17:7", "move_to has no effect without after: move"],
    ["20:14", "after: seen is not possible for an mbox", "an mbox is only read: rewriting it would race the MTA that appends to it; use after: leave"],
    ["21:7", "folder does not apply to a mailbox of type mbox", "an mbox is read from its path"],
    ["22:13", "invalid type 'pop3'", "allowed values: imap, maildir, mbox, directory"],
    ["24:7", "missing key 'path' in reports.mailbox[4]"],
  ],
  'schema-key': [
    ["1:1", "unknown key '$schema'", "point editors at the schema with a comment instead: # yaml-language-server: $schema=<path to mailrec schema output>"],
  ],
  'senders': [
    ["5:9", "unknown sender 'ip4:192.0.2.1'", "write it as a map: '- ip4: 192.0.2.1'"],
    ["6:9", "unknown sender 'a'", "write '- host: <name>' for an a: mechanism, or '- self' for the domain's own address"],
    ["7:9", "unknown key 'ptr'", "ptr is not supported: RFC 7208 §5.5 says it SHOULD NOT be used (slow, unreliable)"],
    ["8:9", "a sender has exactly one key, not 2", "give each sender its own list item"],
    ["9:19", "unknown provider 'gogle'", "did you mean 'google'? known providers: google, microsoft365, amazonses, sendgrid, mailchimp, postmark"],
    ["11:9", "duplicate sender self", "first declared at policy/bad/senders.yaml:10:9"],
    ["12:15", "host '192.0.2.7' is an IP address, not a host name", "an address goes under ip4: or ip6:"],
  ],
  'signers': [
    ["3:17", "rotate_after (200 days) is not shorter than max_age (180 days)", "rotation must start before audit reports the key as old (dkim.key-old): e.g. rotate_after: 150d, max_age: 180d"],
    ["7:13", "zones/example.org.mail.zone is also the fragment of zone example.org", "give the signer config its own file"],
    ["8:14", "key_dir 'var/lib/rspamd/dkim' is not absolute", "the directory where the signer reads the keys, as its host sees it, e.g. /var/lib/rspamd/dkim"],
    ["11:20", "signers/KeyTable is written twice", "give each signer file its own path"],
    ["12:14", "key_dir '/srv/dkim keys' contains whitespace", "signer configs read it as syntax: rename the directory"],
    ["13:3", "unknown key 'exim'", "known keys here: rspamd, opendkim"],
  ],
  'spf-all-pass': [
    ["3:15", "all: pass is refused: +all lets anyone send mail as the domain", "RFC 7208 §5.1: \"+all\" matches every host, so SPF would pass any sender; use fail, softfail or neutral"],
    ["8:12", "invalid all '~all'", "write 'softfail'; allowed values: fail, softfail, neutral"],
  ],
  'spf-without-senders': [
    ["4:5", "spf has no effect without senders", "add senders: (senders: [] publishes 'v=spf1' and the all term alone), or remove spf"],
    ["5:5", "mta_sts needs the domain's MX hosts", "declare mx:, or list the MX patterns under mta_sts.mx"],
    ["8:5", "mta_sts with a null MX: the domain receives no mail", "RFC 8461 protects mail delivery to MX hosts: remove mta_sts or mx: none"],
  ],
  'srv-no-default-port': [
    ["5:9", "missing key 'port' in domains.example.org.srv[0]: service 'ldap' has no default port", "defaults: submission 587, submissions 465, imap 143, imaps 993, pop3 110, pop3s 995, autodiscover 443"],
    ["6:20", "service 'sub mission' is not a service name", "RFC 6335 §5.1: 1–15 letters, digits and single hyphens, e.g. submissions, imaps"],
  ],
  'srv-submission-465': [
    ["5:64", "_submission on port 465 is refused: 465 is implicit TLS, not STARTTLS submission (RFC 8314 §3.3)", "use service: submissions for port 465, or port 587 for _submission"],
    ["6:59", "_imaps on port 143 is refused: 143 is IMAP with STARTTLS, not implicit TLS (RFC 8314 §3)", "use service: imap for port 143, or port 993 for _imaps"],
  ],
  'targets': [
    ["9:13", "server '192.0.2.53:99999' has a port outside 1..65535"],
    ["10:13", "zone example.og is not a zone of this policy", "did you mean 'example.org'?"],
    ["11:5", "key needs secret_file or secret_env", "the secret itself never goes in the policy"],
    ["11:27", "unknown key 'secret'", "a policy never holds a secret: use secret_file: <path> or secret_env: <VARIABLE>"],
    ["12:11", "invalid type 'nsupdate'", "allowed values: rfc2136"],
    ["14:58", "secret_file and secret_env are exclusive", "give the secret one way"],
    ["15:5", "zone example.org is updated by two targets", "also updated by targets[1] at policy/bad/targets.yaml:12:5"],
    ["17:39", "secret_env '1TSIG' is not an environment variable name", "letters, digits and underscores, not starting with a digit"],
  ],
  'tls-rpt-uri': [
    ["7:11", "rua 'http://reports.example.org/tls' uses the http: scheme", "reports must be posted over https:"],
    ["8:11", "rua 'tls rpt@example.org' contains whitespace"],
  ],
  'tlsa-values': [
    ["5:53", "usage 1 (PKIX-EE) is refused for SMTP on port 25", "RFC 7672 §3.1.3: SMTP uses only DANE-TA (2) and DANE-EE (3)"],
    ["6:70", "selector 0 (Cert) matches the whole certificate, which a pubkey file does not hold", "use cert:, or selector 1 (SPKI)"],
    ["7:52", "data has 4 hex digits; matching_type 1 (SHA2-256) needs 64"],
    ["8:61", "invalid matching_type 'SHA3'", "a number 0..2 or one of full, sha2-256, sha2-512 (RFC 7218)"],
    ["8:73", "data must be a string, not the number 1234", "quote hex data so YAML keeps it as text"],
    ["9:56", "invalid protocol 'udp'", "allowed values: tcp"],
  ],
  'ttl-type-and-range': [
    ["3:8", "ttl must be an integer, not the text '1h'"],
    ["6:10", "ttl 2147483648 is out of range 0..2147483647", "RFC 2181 §8: a TTL is 0..2147483647 seconds"],
    ["7:49", "preference -1 is out of range 0..65535"],
    ["8:40", "max_age 40000000 is out of range 0..31557600", "RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year)"],
  ],
  'unknown-key-far': [
    ["4:5", "unknown key 'colour'", "known keys here: mail, senders, spf, ttl, mx, dkim, dmarc, srv, tlsa, mta_sts, tls_rpt, raw"],
  ],
  'unknown-key-typo': [
    ["6:7", "unknown key 'subdomian_policy'", "did you mean 'subdomain_policy'?"],
  ],
  'version': [
    ["1:10", "unsupported version 2", "this mailrec reads version: 1"],
  ],
  'yaml-syntax': [
    ["5:3", "YAML: this key appears twice in the same map", "merge the two entries into one"],
  ],
  'yaml-two-documents': [
    ["2:1", "a policy file holds one YAML document", "remove the --- separator, or split the documents into several files"],
  ],
  'yaml-unclosed': [
    ["4:3", "YAML: Flow map in block collection must be sufficiently indented and end with a }"],
  ],
};

async function issuesOf(name: string): Promise<PolicyIssue[]> {
  try {
    await loadPolicy([`${BAD}/${name}`], { root: ROOT });
  } catch (error) {
    if (error instanceof PolicyError) return error.issues;
    throw error;
  }
  throw new Error(`${name} loaded without an issue`);
}

function render(name: string, issue: PolicyIssue): Expected {
  const prefix = `${BAD}/${name}`;
  const file = issue.position.file === `${prefix}.yaml` ? '' : `${issue.position.file.slice(prefix.length + 1)}:`;
  const where = `${file}${issue.position.line}:${issue.position.column}`;
  return issue.hint === undefined ? [where, issue.message] : [where, issue.message, issue.hint];
}

describe('bad policy fixtures', () => {
  test('every fixture has its expectations, and every expectation its fixture', () => {
    const fixtures = readdirSync(`${ROOT}/${BAD}`).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(Object.keys(CASES).sort()).toEqual(fixtures);
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  test.each(Object.entries(CASES))('%s', async (name, expected) => {
    // A directory case (several files) is loaded as a directory.
    const path = existsSync(`${ROOT}/${BAD}/${name}.yaml`) ? `${name}.yaml` : name;
    const issues = await issuesOf(path);
    expect(issues.map((i) => render(name, i))).toEqual(expected);
  });

  test('issues are sorted by file, line and column', async () => {
    const issues = await issuesOf('many-errors.yaml');
    const keys = issues.map((i) => [i.position.line, i.position.column] as const);
    expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(issues.length).toBeGreaterThanOrEqual(10);
  });

  test('the PolicyError message names the one issue, or counts them', async () => {
    await expect(loadPolicy([`${BAD}/version.yaml`], { root: ROOT })).rejects.toThrow('policy/bad/version.yaml:1:10: unsupported version 2');
    await expect(loadPolicy([`${BAD}/many-errors.yaml`], { root: ROOT })).rejects.toThrow(/^12 problems in the policy$/);
  });
});
