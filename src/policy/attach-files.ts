// Puts the text of the files a policy names (DKIM keys, TLSA certificates and keys)
// into the validated Policy. Pure: the loader reads, this only places.

import type { Policy } from './model.js';

/** `contents` maps a path as written in the policy to the file's text; a missing path leaves "". */
export function attachFiles(policy: Policy, contents: ReadonlyMap<string, string>): Policy {
  return {
    ...policy,
    domains: policy.domains.map((domain) => ({
      ...domain,
      dkim: domain.dkim.map((key) => ({ ...key, keyPem: key.keyPath ? (contents.get(key.keyPath) ?? '') : '' })),
      tlsa: domain.tlsa.map((tlsa) =>
        tlsa.source.kind === 'data' ? tlsa : { ...tlsa, source: { ...tlsa.source, pem: contents.get(tlsa.source.path) ?? '' } },
      ),
    })),
  };
}
