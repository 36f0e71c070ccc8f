// DKIM lint for the selectors the policy declares (or the command line names): key
// present, v=/k= consistent with the key, RSA size, revocation, testing flag.

import type { Resolver } from '../../dns/resolver.js';
import type { DkimState } from '../../policy/model.js';
import type { Code } from '../../base/codes.js';
import { parseDkimKey } from '../../mail/dkim/record.js';
import { parseTagList, tagValue } from '../../mail/tag-list.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { compareText, makeFinding, type Finding } from '../../base/finding.js';

export interface DkimSelector {
  selector: string;
  /** From the policy; undefined when the selector came from the command line. */
  state?: DkimState;
  /**
   * The private key of the selector found in the repo's key directory: its file, and the p=
   * of its public part (undefined when the file holds no usable key). Never the key itself.
   */
  privateKey?: { file: string; p?: string };
}

export interface DkimCheckOptions {
  selectors: DkimSelector[];
}

export async function checkDkim(domain: string, resolver: Resolver, opts: DkimCheckOptions): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const selectors = [...opts.selectors].sort((a, b) => compareText(a.selector, b.selector));
  for (const { selector, state, privateKey } of selectors) {
    const name = `${selector}._domainkey.${domain}`;
    const add = (code: Code, message: string, seen?: string[]): void => {
      findings.push(makeFinding(code, domain, name, message, evidenceFor(rec, [name], seen)));
    };
    const answer = await rec.resolve(name, 'TXT');
    if (answer.status === 'error') continue; // unknown, reported below
    const texts = txtTexts(answer);
    if (texts.length === 0) {
      // A retired selector may be gone, a removed one must; a pre-rotation one should already be there.
      if (state === 'retired' || state === 'removed') continue;
      if (state === 'published') add('dkim.next-missing', `no key at ${name} for the pre-rotation selector ${selector}`);
      else add('dkim.missing', `no key at ${name}${answer.status === 'nxdomain' ? ' (the name does not exist)' : ''}`);
      continue;
    }
    if (texts.length > 1) {
      add('dkim.multiple', `${texts.length} TXT records at ${name}`, texts);
      continue;
    }
    const text = texts[0]!;
    const parsed = parseDkimKey(text);
    if (!parsed.ok) {
      add(parsed.version ? 'dkim.version-invalid' : 'dkim.syntax', `key record at ${name}: ${parsed.error}`, [text]);
      continue;
    }
    const key = parsed.record;
    if (key.revoked) {
      // §3.6.1: an empty p= means the key has been revoked.
      if (state === 'active' || state === 'published') add('dkim.active-revoked', `the key at ${name} is revoked (empty p=) but the policy says ${state}`, [text]);
      else add('dkim.revoked', `the key at ${name} is revoked (empty p=)`, [text]);
      continue;
    }
    if (state === 'retired' || state === 'removed') add('dkim.retired-not-revoked', `the ${state} selector ${selector} still publishes a key`, [text]);
    // The signer signs with the repo's private key: a record holding another key fails every signature.
    const p = (tagValue(parseTagList(text), 'p') ?? '').replace(/\s+/g, '');
    if (privateKey && privateKey.p !== p && state !== 'retired' && state !== 'removed') {
      add(
        'dkim.key-mismatch',
        privateKey.p === undefined
          ? `${privateKey.file} holds no usable private key for ${name}`
          : `the private key ${privateKey.file} does not match the key published at ${name}`,
        [text],
      );
    }
    if (key.keyProblem) {
      const code: Code =
        key.keyProblem.kind === 'mismatch' ? 'dkim.key-type-mismatch' : key.keyProblem.kind === 'unknown-type' ? 'dkim.key-type-unknown' : 'dkim.key-invalid';
      add(code, `key at ${name}: ${key.keyProblem.message}`, [text]);
    }
    if (key.key?.type === 'rsa') {
      // RFC 8301 §3.2: verifiers MUST NOT accept keys under 1024 bits; signers SHOULD use 2048.
      if (key.key.bits < 1024) add('dkim.rsa-too-short', `the RSA key at ${name} has ${key.key.bits} bits`, [text]);
      else if (key.key.bits < 2048) add('dkim.rsa-weak', `the RSA key at ${name} has ${key.key.bits} bits`, [text]);
    }
    // RFC 8301 §3.1: rsa-sha1 is no longer accepted, so h=sha1 alone leaves no usable hash.
    if (key.hashes && !key.hashes.includes('sha256')) add('dkim.sha1-only', `h=${key.hashes.join(':')} at ${name} excludes sha256`, [text]);
    if (key.services && !key.services.includes('*') && !key.services.includes('email')) {
      add('dkim.service-type', `s=${key.services.join(':')} at ${name} does not include email`, [text]);
    }
    if (key.flags.includes('y')) add('dkim.testing', `t=y at ${name}: the domain is testing DKIM`, [text]);
  }
  findings.push(...unknownFinding('dkim', domain, rec.failed()));
  return findings;
}
