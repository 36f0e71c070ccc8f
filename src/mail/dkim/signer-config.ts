// The signing configurations of the two common DKIM signers, rendered from the selectors each
// domain signs with and read back: rspamd's dkim_signing.conf (UCL) and OpenDKIM's KeyTable
// and SigningTable (file: datasets). Pure text in, text out.

export interface SigningKey {
  /** The signing domain (d=), lowercase, no trailing dot. */
  domain: string;
  selector: string;
  /** The private key file as the signer's host sees it (absolute). */
  path: string;
}

/** What a signer config says: the selectors each domain signs with. */
export type SignerSelectors = Map<string, string[]>;

/** One signer config as read from the repo: the selectors per domain, or why it could not be read. */
export interface SignerView {
  signer: 'rspamd' | 'opendkim';
  /** The config file(s), relative to the repo root. */
  files: string[];
  selectors?: SignerSelectors;
  /** "not written yet (run mailrec apply)", "no domain map in mailrec's format". */
  problem?: string;
}

/**
 * A character a signer config cannot carry in a path: UCL reads `"`, `\` and `$` (variables)
 * inside strings, OpenDKIM splits KeyTable values at `:` and fields at whitespace, `#` starts
 * a comment in both.
 */
export function unsafeSignerPathChar(path: string): string | undefined {
  return /[\s"'\\$:#;{}[\]\0]/.exec(path)?.[0];
}

function byDomain(keys: readonly SigningKey[]): [string, SigningKey[]][] {
  const out = new Map<string, SigningKey[]>();
  for (const key of [...keys].sort((a, b) => compare(a.domain, b.domain) || compare(a.selector, b.selector))) {
    out.set(key.domain, [...(out.get(key.domain) ?? []), key]);
  }
  return [...out];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * rspamd's dkim_signing module (local.d/dkim_signing.conf): a `domain` map with the selectors
 * of each domain. `use_esld = false` makes each domain sign as itself: with rspamd's default
 * (true), mail from lists.example.org would be signed with example.org's selector and d=.
 */
export function renderRspamdDkimSigning(keys: readonly SigningKey[]): string {
  const lines = ['use_esld = false;', 'domain {'];
  for (const [domain, own] of byDomain(keys)) {
    lines.push(`  "${domain}" {`, '    selectors = [');
    for (const key of own) lines.push(`      { selector = "${key.selector}"; path = "${key.path}"; },`);
    lines.push('    ];', '  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** OpenDKIM's KeyTable: "<selector>._domainkey.<domain> <domain>:<selector>:<path>". */
export function renderOpenDkimKeyTable(keys: readonly SigningKey[]): string {
  return byDomain(keys)
    .flatMap(([, own]) => own.map((k) => `${k.selector}._domainkey.${k.domain} ${k.domain}:${k.selector}:${k.path}\n`))
    .join('');
}

/**
 * OpenDKIM's SigningTable as a file: dataset, looked up by the full address, then by the
 * domain (opendkim.conf(5)): "<domain> <key name>". Several lines for one domain need
 * `MultipleSignatures yes`.
 */
export function renderOpenDkimSigningTable(keys: readonly SigningKey[]): string {
  return byDomain(keys)
    .flatMap(([domain, own]) => own.map((k) => `${domain} ${k.selector}._domainkey.${k.domain}\n`))
    .join('');
}

function stripComments(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n');
}

/**
 * The selectors per domain in a dkim_signing.conf of the shape renderRspamdDkimSigning writes
 * (a `domain { "<name>" { ... selector = "<s>" ... } }` map, quotes optional). Undefined when
 * no such map is found.
 */
export function parseRspamdDkimSigning(text: string): SignerSelectors | undefined {
  const body = stripComments(text);
  const start = /(?:^|[\s;{])domain\s*=?\s*\{/.exec(body);
  if (!start) return undefined;
  let i = start.index + start[0].length;
  const out: SignerSelectors = new Map();
  // Walk the domain map: "<name>" { ... } entries, balanced braces.
  while (i < body.length) {
    const rest = body.slice(i);
    const close = /^\s*\}/.exec(rest);
    if (close) return out;
    const entry = /^\s*"?([A-Za-z0-9_.-]+)"?\s*=?\s*\{/.exec(rest);
    if (!entry) return undefined;
    let depth = 1;
    let j = i + entry[0].length;
    const from = j;
    while (j < body.length && depth > 0) {
      if (body[j] === '{') depth++;
      else if (body[j] === '}') depth--;
      j++;
    }
    if (depth !== 0) return undefined;
    const inner = body.slice(from, j - 1);
    const selectors = [...inner.matchAll(/\bselector\b\s*=?\s*"?([A-Za-z0-9_.-]+)"?/g)].map((m) => m[1]!.toLowerCase());
    out.set(entry[1]!.toLowerCase().replace(/\.$/, ''), selectors);
    i = j;
    const sep = /^\s*[;,]?/.exec(body.slice(i));
    i += sep ? sep[0].length : 0;
  }
  return undefined;
}

/**
 * The selectors per domain that a SigningTable and KeyTable pair names: each SigningTable
 * line ("<domain or *@domain> <key name>") resolved through the KeyTable
 * ("<key name> <domain>:<selector>:<path>"). Lines that do not fit are left out.
 */
export function parseOpenDkimTables(keyTable: string, signingTable: string): SignerSelectors {
  const keys = new Map<string, string>();
  for (const line of stripComments(keyTable).split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    const selector = value?.split(':')[1];
    if (name && selector) keys.set(name.toLowerCase(), selector.toLowerCase());
  }
  const out: SignerSelectors = new Map();
  for (const line of stripComments(signingTable).split('\n')) {
    const [pattern, keyName] = line.trim().split(/\s+/);
    if (!pattern || !keyName) continue;
    const domain = pattern.replace(/^\*?@/, '').toLowerCase();
    const selector = keys.get(keyName.toLowerCase());
    if (selector !== undefined) out.set(domain, [...(out.get(domain) ?? []), selector]);
  }
  return out;
}
