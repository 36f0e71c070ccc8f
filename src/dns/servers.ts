// Where queries go: `--resolver HOST[:PORT]` parsing and /etc/resolv.conf reading (resolv.conf(5)).

import { readFile } from 'node:fs/promises';
import { parseIp } from '../dns-types/ip.js';
import { InputError } from '../base/errors.js';

/** One DNS server: an IP literal (IPv6 possibly with a %zone) and a port. */
export interface ServerAddress {
  host: string;
  port: number;
}

export const DNS_PORT = 53;

/** "192.0.2.1:53", "[2001:db8::1]:53": the form users type and errors print. */
export function formatServer(server: ServerAddress): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function isServerAddress(host: string): boolean {
  // Strip an IPv6 zone index ("fe80::1%eth0"): the codec reads the address alone.
  const percent = host.indexOf('%');
  const bare = percent >= 0 && host.includes(':') ? host.slice(0, percent) : host;
  return parseIp(bare, false) !== undefined;
}

function parsePort(text: string, spec: string, flag: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new InputError(`${flag}: bad port in "${spec}"`, 'use HOST[:PORT], e.g. 192.0.2.53:53 or [2001:db8::53]:53');
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InputError(`${flag}: port out of range in "${spec}"`);
  return port;
}

/**
 * Parse `HOST[:PORT]`: "192.0.2.1", "192.0.2.1:5353", "2001:db8::1" (bare IPv6, no port),
 * "[2001:db8::1]", "[::1]:5353". HOST must be an IP literal: a name would need a resolver
 * to find the resolver.
 */
export function parseServer(spec: string, defaultPort = DNS_PORT, flag = '--resolver'): ServerAddress {
  const text = spec.trim();
  const hint = 'use an IP address with an optional port: 192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:5353';
  let host: string;
  let port = defaultPort;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new InputError(`${flag}: missing "]" in "${spec}"`, hint);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new InputError(`${flag}: unexpected text after "]" in "${spec}"`, hint);
      port = parsePort(rest.slice(1), spec, flag);
    }
  } else if ((text.match(/:/g) ?? []).length === 1) {
    const colon = text.indexOf(':');
    host = text.slice(0, colon);
    port = parsePort(text.slice(colon + 1), spec, flag);
  } else {
    host = text;
  }
  if (!isServerAddress(host)) throw new InputError(`${flag}: "${spec}" is not an IP address`, hint);
  return { host: host.toLowerCase(), port };
}

/** What mailrec uses from resolv.conf(5). */
export interface ResolvConf {
  servers: ServerAddress[];
  search: string[];
  /** `options timeout:N` in milliseconds, when given. */
  timeoutMs?: number;
  /** `options attempts:N`, when given. */
  attempts?: number;
  rotate: boolean;
}

/**
 * Parse resolv.conf text. Unknown lines and malformed nameserver entries are skipped, as
 * the C library does; with no usable nameserver the default is the local host
 * (resolv.conf(5): "If no nameserver entries are present, the default is to use the name
 * server on the local machine").
 */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { servers: [], search: [], rotate: false };
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === 'nameserver' && args[0] !== undefined) {
      // resolv.conf names no port; an IPv6 address may carry a %zone.
      if (isServerAddress(args[0])) conf.servers.push({ host: args[0].toLowerCase(), port: DNS_PORT });
    } else if (keyword === 'search' || keyword === 'domain') {
      conf.search = args.map((s) => s.toLowerCase().replace(/\.$/, ''));
    } else if (keyword === 'options') {
      for (const option of args) {
        const [optName, value] = option.split(':');
        const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
        if (optName === 'timeout' && n !== undefined) conf.timeoutMs = Math.min(n, 30) * 1000;
        else if (optName === 'attempts' && n !== undefined) conf.attempts = Math.max(1, Math.min(n, 5));
        else if (optName === 'rotate') conf.rotate = true;
      }
    }
  }
  if (conf.servers.length === 0) conf.servers.push({ host: '127.0.0.1', port: DNS_PORT });
  return conf;
}

/** Read the system's resolvers; a missing file means the local host, as the C library does. */
export async function loadResolvConf(path = '/etc/resolv.conf'): Promise<ResolvConf> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return parseResolvConf(text);
}
