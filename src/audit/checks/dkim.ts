// DKIM lint for the selectors the policy declares (or the command line names): key
// present, v=/k= consistent with the key, RSA size, revocation, testing flag.

import type { Resolver } from '../../dns/resolver.js';
import type { DkimState } from '../../policy/model.js';
import type { Code } from '../../base/codes.js';
import { checkDkimKeyRecord, checkDkimMultiple } from '../../mail/dkim/rules.js';
import { parseDkimKey } from '../../mail/dkim/record.js';
import { parseTagList, tagValue } from '../../mail/tag-list.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { compareText, findingOf, makeFinding, type Finding } from '../../base/finding.js';

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
      findings.push(findingOf(checkDkimMultiple(name, texts), domain, evidenceFor(rec, [name], texts)));
      continue;
    }
    const text = texts[0]!;
    for (const problem of checkDkimKeyRecord(name, text, state)) findings.push(findingOf(problem, domain, evidenceFor(rec, [name], [text])));
    // The signer signs with the repo's private key: a record holding another key fails every signature.
    const p = (tagValue(parseTagList(text), 'p') ?? '').replace(/\s+/g, '');
    const parsed = parseDkimKey(text);
    if (privateKey && parsed.ok && !parsed.record.revoked && privateKey.p !== p && state !== 'retired' && state !== 'removed') {
      add(
        'dkim.key-mismatch',
        privateKey.p === undefined
          ? `${privateKey.file} holds no usable private key for ${name}`
          : `the private key ${privateKey.file} does not match the key published at ${name}`,
        [text],
      );
    }
  }
  findings.push(...unknownFinding('dkim', domain, rec.failed()));
  return findings;
}
