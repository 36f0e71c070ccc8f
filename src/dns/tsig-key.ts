// TSIG keys (RFC 8945 §6): read from a BIND key file, a bare base64 secret file or an environment variable; the secret never leaves the object.

import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { DnsError } from '../base/errors.js';
import { normalizeName } from '../dns-types/rr.js';
import { nameLabels } from './wire.js';

export type TsigAlgorithm = 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

// RFC 8945 §6: the algorithm names are domain names; these are their hashes.
const HASHES: Record<TsigAlgorithm, { hash: string; octets: number }> = {
  'hmac-sha1': { hash: 'sha1', octets: 20 },
  'hmac-sha224': { hash: 'sha224', octets: 28 },
  'hmac-sha256': { hash: 'sha256', octets: 32 },
  'hmac-sha384': { hash: 'sha384', octets: 48 },
  'hmac-sha512': { hash: 'sha512', octets: 64 },
};

export function parseTsigAlgorithm(text: string, source = 'TSIG key'): TsigAlgorithm {
  const name = normalizeName(text.trim());
  if (name in HASHES) return name as TsigAlgorithm;
  throw new DnsError(`${source}: unsupported TSIG algorithm "${text}"`, `use one of ${Object.keys(HASHES).join(', ')}`);
}

/** Decode a base64 secret strictly; the error never quotes it. */
function decodeSecret(text: string, source: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new DnsError(`${source}: the TSIG secret is not valid base64`);
  }
  return Buffer.from(compact, 'base64');
}

/**
 * A named TSIG key. The secret is held in a private field and used only to compute
 * HMACs: toString, toJSON and util.inspect show the name and algorithm only.
 */
export class TsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly #secret: Buffer;

  constructor(name: string, algorithm: TsigAlgorithm | string, secret: Buffer | string) {
    this.name = normalizeName(name);
    nameLabels(this.name);
    if (this.name === '') throw new DnsError('a TSIG key needs a name');
    this.algorithm = parseTsigAlgorithm(algorithm);
    this.#secret = typeof secret === 'string' ? decodeSecret(secret, `TSIG key ${this.name}`) : Buffer.from(secret);
    if (this.#secret.length === 0) throw new DnsError(`TSIG key ${this.name}: empty secret`);
  }

  /** Octets of a full MAC for this algorithm. */
  get macLength(): number {
    return HASHES[this.algorithm].octets;
  }

  /** HMAC over the concatenation of `parts` (RFC 8945 §4.3). */
  mac(parts: Buffer[]): Buffer {
    const hmac = createHmac(HASHES[this.algorithm].hash, this.#secret);
    for (const part of parts) hmac.update(part);
    return hmac.digest();
  }

  toString(): string {
    return `TsigKey(${this.name}, ${this.algorithm})`;
  }

  toJSON(): { name: string; algorithm: TsigAlgorithm } {
    return { name: this.name, algorithm: this.algorithm };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Drop named.conf comments (C, C++ and shell style) outside quoted strings: base64 may hold "//". */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const close = text.indexOf('"', i + 1);
      const stop = close < 0 ? text.length : close + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '#' || text.startsWith('//', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      out += ' ';
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

export interface KeyClause {
  name: string;
  algorithm: string;
  secret: string;
}

/**
 * Read `key "name" { algorithm hmac-sha256; secret "base64"; };` clauses as tsig-keygen
 * writes them (comments allowed). Errors name the source, never a line of it.
 */
export function parseKeyClauses(text: string, source: string): KeyClause[] {
  const clean = stripComments(text);
  const clauses: KeyClause[] = [];
  const re = /key\s+("([^"]+)"|([^\s{]+))\s*\{([^}]*)\}\s*;?/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const body = m[4]!;
    const algorithm = /algorithm\s+"?([A-Za-z0-9.-]+)"?\s*;/.exec(body)?.[1];
    const secret = /secret\s+"([^"]*)"\s*;/.exec(body)?.[1];
    if (!algorithm || secret === undefined) throw new DnsError(`${source}: key clause without algorithm or secret`);
    clauses.push({ name: m[2] ?? m[3]!, algorithm, secret });
  }
  return clauses;
}

export interface TsigKeySpec {
  /** Key name; required unless the secret is a BIND key clause that names it. */
  name?: string;
  algorithm?: string;
  /** The name of an environment variable holding the base64 secret. */
  env?: string;
}

/** Build a key from the text of a key file: a BIND clause or a bare base64 secret. */
export function parseTsigKeyText(text: string, spec: Omit<TsigKeySpec, 'env'>, source: string): TsigKey {
  if (/\bkey\b[^{]*\{/.test(text)) {
    const clauses = parseKeyClauses(text, source);
    const wanted = spec.name === undefined ? undefined : normalizeName(spec.name);
    const clause = wanted === undefined ? clauses[0] : clauses.find((c) => normalizeName(c.name) === wanted);
    if (!clause || (wanted === undefined && clauses.length > 1)) {
      throw new DnsError(
        wanted === undefined ? `${source}: ${clauses.length} keys, name one` : `${source}: no key named "${wanted}"`,
      );
    }
    const algorithm = parseTsigAlgorithm(clause.algorithm, source);
    if (spec.algorithm !== undefined && parseTsigAlgorithm(spec.algorithm, source) !== algorithm) {
      throw new DnsError(`${source}: key "${clause.name}" is ${algorithm}, not ${spec.algorithm}`);
    }
    return new TsigKey(clause.name, algorithm, decodeSecret(clause.secret, source));
  }
  if (spec.name === undefined) throw new DnsError(`${source}: a bare secret needs a key name`);
  return new TsigKey(spec.name, parseTsigAlgorithm(spec.algorithm ?? 'hmac-sha256', source), decodeSecret(text, source));
}

/**
 * A key whose secret is in an environment variable (RFC 8945 §6: default hmac-sha256). A
 * secret file is read by the caller through the repo's file checks (RepoFiles), then given
 * to parseTsigKeyText: this module reads no file.
 */
export async function loadTsigKey(spec: TsigKeySpec, env: NodeJS.ProcessEnv = process.env): Promise<TsigKey> {
  if (spec.env === undefined) throw new DnsError('a TSIG key needs a secret file or an environment variable');
  const value = env[spec.env];
  if (value === undefined || value.trim() === '') throw new DnsError(`environment variable ${spec.env} is not set`, 'it should hold the base64 TSIG secret');
  return parseTsigKeyText(value, spec, `environment variable ${spec.env}`);
}
