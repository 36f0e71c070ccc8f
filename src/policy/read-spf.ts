// Reads SPF settings: the senders list (RFC 7208 mechanisms by another name) and the
// all term, refusing +all and the mechanisms mailrec does not publish.

import { isMap, isScalar } from 'yaml';
import { findProvider, PROVIDERS } from '../mail/providers.js';
import type { Sender, SpfAll, SpfOwnHosts } from './model.js';
import { readUniqueList, type ReadContext } from './read-context.js';
import { suggest } from './suggest.js';
import { checkCidr, checkDomainName, checkHostName } from './values.js';
import { POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';
import { quote } from '../base/quote.js';

const SPF_QUALIFIER_WORDS: Readonly<Record<string, SpfAll>> = {
  '-all': 'fail',
  '-': 'fail',
  '~all': 'softfail',
  '~': 'softfail',
  '?all': 'neutral',
  '?': 'neutral',
};

/** `spf: { all }`: fail, softfail or neutral; pass is refused with its reason. */
export function readSpfAll(r: YamlReader, field: Field): SpfAll | undefined {
  const text = r.text(field);
  if (text === 'pass' || text === '+all' || text === '+' || text === 'all') {
    r.refuse(
      field,
      `all: ${text} is refused: +all lets anyone send mail as the domain`,
      'RFC 7208 §5.1: "+all" matches every host, so SPF would pass any sender; use fail, softfail or neutral',
    );
    return undefined;
  }
  const word = text === undefined ? undefined : SPF_QUALIFIER_WORDS[text];
  if (word !== undefined) {
    r.refuse(field, `invalid all ${quote(text ?? '')}`, `write '${word}'; allowed values: ${POLICY_ENUMS.spf_all.join(', ')}`);
    return undefined;
  }
  return r.oneOf(field, POLICY_ENUMS.spf_all);
}

/** `spf: { all, own_hosts }`; `where`: defaults take only all (own_hosts is a domain's). */
export function readSpf(r: YamlReader, field: Field, where: 'domain' | 'defaults' = 'domain'): { all?: SpfAll; ownHosts?: SpfOwnHosts } {
  const map = r.mapping(field, POLICY_KEYS.spf);
  if (!map) return {};
  const all = map.get('all');
  const ownHosts = map.get('own_hosts');
  if (!all && !ownHosts) r.report(field.at, field.path, "missing key 'all' in spf");
  const out: { all?: SpfAll; ownHosts?: SpfOwnHosts } = {};
  const word = all ? readSpfAll(r, all) : undefined;
  if (word) out.all = word;
  if (ownHosts && where === 'defaults') {
    r.refuse(ownHosts, 'own_hosts is set per domain', 'move it to the spf: of each domain whose host: senders should be published by address');
  } else if (ownHosts) {
    const value = r.oneOf(ownHosts, POLICY_ENUMS.spf_own_hosts);
    if (value) out.ownHosts = value;
  }
  return out;
}

const SENDER_FORMS = 'a sender is self, mx, or a map with one of host:, ip4:, ip6:, include:, provider:';

const SENDER_KEY_HINTS: Readonly<Record<string, string>> = {
  a: "write '- host: <name>' for an a: mechanism, or '- self' for the domain's own address",
  ptr: 'ptr is not supported: RFC 7208 §5.5 says it SHOULD NOT be used (slow, unreliable)',
  exists: 'exists: is not supported by mailrec; use host:, ip4:, ip6: or include:',
  redirect: 'redirect= is not supported by mailrec; use include: for the other domain',
  exp: 'exp= is not supported by mailrec',
  all: "the all term is set with spf: { all: ... }, not among the senders",
  mx: "write '- mx' for this domain's MX hosts; another domain's MX hosts are not supported, use host: for each",
  ip: 'write ip4: or ip6:',
};

function readSender(ctx: ReadContext, field: Field): Sender | undefined {
  const { r } = ctx;
  const node = field.node;
  if (node && isScalar(node)) {
    const text = r.text(field) ?? '';
    if (text === 'self') return { kind: 'self' };
    if (text === 'mx') return { kind: 'mx' };
    const colon = /^([a-z0-9]+)[:=](.+)$/i.exec(text);
    let hint = SENDER_FORMS;
    if (colon) hint = `write it as a map: '- ${colon[1]}: ${colon[2]}'`;
    else if (text === 'a') hint = SENDER_KEY_HINTS.a!;
    else if (/^[-~?+]?all$/.test(text)) hint = SENDER_KEY_HINTS.all!;
    else if (text === 'ptr') hint = SENDER_KEY_HINTS.ptr!;
    else if (text.includes('.')) hint = `write '- host: ${text}' (its address may send) or '- include: ${text}' (its SPF record)`;
    r.refuse(field, `unknown sender ${quote(text)}`, hint);
    return undefined;
  }
  const map = r.mapping(field, POLICY_KEYS.sender, { hints: SENDER_KEY_HINTS, what: 'self, mx or a map' });
  if (!map) return undefined;
  const count = isMap(node) ? node.items.length : 0;
  const flattenField = map.get('flatten');
  // `flatten:` goes beside `include:` only.
  if (flattenField && !map.has('include')) {
    r.refuse(flattenField, 'flatten goes with include: only', "write '- include: <domain>' with 'flatten: true' beside it");
    return undefined;
  }
  if (count !== (flattenField ? 2 : 1)) {
    r.refuse(field, `a sender has exactly one key, not ${count}`, 'give each sender its own list item');
    return undefined;
  }
  const [kind, value] = [...map.entries()].find(([k]) => k !== 'flatten') ?? [];
  if (!kind || !value) return undefined;
  const text = r.string(value);
  if (text === undefined) return undefined;
  switch (kind) {
    case 'host': {
      const host = r.take(value, checkHostName(text, 'host', 'an address goes under ip4: or ip6:'));
      return host === undefined ? undefined : { kind: 'host', host };
    }
    case 'ip4':
    case 'ip6': {
      const cidr = r.take(value, checkCidr(text, kind === 'ip4' ? 4 : 6));
      return cidr === undefined ? undefined : { kind, cidr };
    }
    case 'include': {
      const domain = r.take(value, checkDomainName(text, 'include'));
      const flatten = flattenField ? r.boolean(flattenField) : undefined;
      if (domain === undefined) return undefined;
      return flatten ? { kind: 'include', domain, flatten } : { kind: 'include', domain };
    }
    case 'provider': {
      const provider = findProvider(text);
      if (provider) return { kind: 'provider', name: provider.id };
      const ids = PROVIDERS.map((p) => p.id);
      const near = suggest(text, ids);
      const list = `known providers: ${ids.join(', ')}`;
      r.refuse(value, `unknown provider ${quote(text)}`, near ? `did you mean '${near}'? ${list}` : `${list}; or use include:`);
      return undefined;
    }
    default:
      return undefined;
  }
}

export function readSenders(ctx: ReadContext, field: Field): Sender[] | undefined {
  return readUniqueList(ctx, field, 'sender', readSender, (sender) => ({ key: JSON.stringify(sender), label: describeSender(sender) }));
}

function describeSender(s: Sender): string {
  switch (s.kind) {
    case 'self':
    case 'mx':
      return s.kind;
    case 'host':
      return `host: ${s.host}`;
    case 'ip4':
    case 'ip6':
      return `${s.kind}: ${s.cidr}`;
    case 'include':
      return `include: ${s.domain}${s.flatten ? ' (flatten)' : ''}`;
    case 'provider':
      return `provider: ${s.name}`;
  }
}
