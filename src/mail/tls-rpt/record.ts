// TLS-RPT (RFC 8460 §3): the "_smtp._tls" TXT record's syntax and its report URIs.

import { parseVersionedTagList, startsWithVersion } from '../tag-list.js';

/** Add "mailto:" to a bare address and lowercase the scheme; commas and semicolons are percent-encoded (RFC 8460 §3). */
export function normalizeTlsRptUri(uri: string): string {
  const trimmed = uri.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  const out = scheme ? `${scheme[1]!.toLowerCase()}:${trimmed.slice(scheme[0].length)}` : `mailto:${trimmed}`;
  return out.replace(/,/g, '%2C').replace(/;/g, '%3B');
}

/** §3: records at _smtp._tls that do not begin with "v=TLSRPTv1" are ignored. */
export function isTlsRptRecord(text: string): boolean {
  return startsWithVersion(text, 'TLSRPTv1');
}

/** The syntax problem of a TLS-RPT record, or undefined when it is well formed. */
export function tlsRptProblem(text: string): string | undefined {
  const list = parseVersionedTagList(text, 'TLSRPTv1', 'rua');
  if (!list.ok) return list.error;
  // tlsrpt-rua = tlsrpt-uri *("," tlsrpt-uri); only mailto: and https: are defined.
  for (const uri of list.value.split(',').map((u) => u.trim())) {
    if (/^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(uri)) continue;
    if (/^https:\/\/[^\s/]+/i.test(uri)) continue;
    return `rua entry "${uri}" is not a mailto: or https: URI`;
  }
  return undefined;
}

/**
 * A TLS-RPT rua URI (RFC 8460 §3): "mailto:" with an address, or "https:" with a host.
 * The reason it is not valid, or undefined.
 */
export function tlsRptUriProblem(uri: string): string | undefined {
  if (/^mailto:/i.test(uri)) {
    const address = decodeSafe(uri.slice(7).split('?')[0] ?? '');
    // addr-spec, reduced: one @, a local part, a domain with a dot and no spaces.
    if (!/^[^@\s,;<>()]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(address)) {
      return `"${uri}" is not mailto: and one address`;
    }
    return undefined;
  }
  if (/^https:/i.test(uri)) {
    if (/\s/.test(uri)) return `"${uri}" contains white space`;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return `"${uri}" is not a valid https URL`;
    }
    if (url.hostname === '' || !url.hostname.includes('.')) return `"${uri}" has no host name`;
    return undefined;
  }
  return `"${uri}" is neither mailto: nor https:`;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
