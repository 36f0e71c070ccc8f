// RFC 1035 master-file reader: directives, owners, TTLs, classes and $INCLUDE, IO injected.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { MailrecError, ZoneSyntaxError, type SourcePosition } from '../base/errors.js';
import { parseRData, RDataSyntaxError } from '../dns-types/rdata.js';
import type { RData, RR } from '../dns-types/rr.js';
import { decodeEscapes } from '../dns-types/escape.js';
import { parseName } from '../dns-types/name.js';
import { parseRRClass, parseRRType } from '../dns-types/rr-types.js';
import { parseEntries, type Entry, type Token } from '../dns-types/tokenizer.js';
import { parseTtl } from '../dns-types/ttl.js';

/** A record read from a master file, with where its entry starts. */
export type ParsedRR = RR & { position: SourcePosition };

export interface ParsedZone {
  records: ParsedRR[];
}

export interface ParseZoneOptions {
  /** Initial $ORIGIN, e.g. the zone apex ("example.org"; a trailing dot is allowed). */
  origin?: string;
  /** Name of the text's file, for positions and for resolving relative $INCLUDE paths. */
  file: string;
  /** TTL for records with none before any $TTL, like a server's default (RFC 2308 §4). */
  defaultTtl?: number;
  /** Reads an included file by its path; without it, $INCLUDE is an error. */
  readInclude?: (path: string) => string;
  /** Deepest $INCLUDE nesting accepted (default 16). */
  maxIncludeDepth?: number;
}

const DEFAULT_MAX_INCLUDE_DEPTH = 16;

/** TTL state that, as in BIND, carries across $INCLUDE boundaries. */
interface TtlState {
  /** From $TTL (RFC 2308 §4), the option, or BIND's fallback to the SOA minimum. */
  defaultTtl: number | undefined;
  /** The last explicit TTL, used when there is no default (RFC 1035 §5.1). */
  lastTtl: number | undefined;
}

interface FileContext {
  file: string;
  origin: string | undefined;
  owner: string | undefined;
  /** Files being read, outermost first, to refuse include loops. */
  stack: string[];
}

/** Parse master-file text. Pure: included files are read through `options.readInclude`. */
export function parseZoneText(text: string, options: ParseZoneOptions): ParsedZone {
  const reader = new ZoneReader(options);
  const origin = options.origin === undefined ? undefined : parseOrigin(options.origin, options.file);
  reader.readText(text, { file: options.file, origin, owner: undefined, stack: [normalize(options.file)] });
  return { records: reader.records };
}

/** Read a zone file and the files it includes (relative to the including file's directory). */
export function readZoneFile(path: string, options: { origin?: string; defaultTtl?: number } = {}): ParsedZone {
  const readText = (file: string): string => readFileSync(file, 'utf8');
  let text: string;
  try {
    text = readText(path);
  } catch (error) {
    throw new MailrecError(`cannot read zone file ${path}: ${(error as Error).message}`);
  }
  return parseZoneText(text, { ...options, file: path, readInclude: readText });
}

function parseOrigin(origin: string, file: string): string {
  if (origin === '' || origin === '.') return '';
  try {
    return parseName(origin.endsWith('.') ? origin : `${origin}.`);
  } catch (error) {
    throw new ZoneSyntaxError(`bad origin: ${(error as Error).message}`, { file, line: 1, column: 1 });
  }
}

class ZoneReader {
  readonly records: ParsedRR[] = [];
  private readonly ttl: TtlState;

  constructor(private readonly options: ParseZoneOptions) {
    this.ttl = { defaultTtl: options.defaultTtl, lastTtl: undefined };
  }

  readText(text: string, context: FileContext): void {
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
    for (const entry of parseEntries(body, context.file)) {
      const first = entry.tokens[0]!;
      if (!entry.blankOwner && !first.quoted && first.raw.startsWith('$')) this.readDirective(entry, context);
      else this.readRecord(entry, context);
    }
  }

  private readDirective(entry: Entry, context: FileContext): void {
    const [directive, ...args] = entry.tokens as [Token, ...Token[]];
    const name = directive.raw.toUpperCase();
    const arity = (min: number, max: number): void => {
      const extra = args[max];
      if (extra) this.fail(context, extra, `unexpected ${JSON.stringify(extra.raw)} after ${name}`);
      if (args.length < min) this.fail(context, directive, `${name} needs an argument`);
    };
    switch (name) {
      case '$ORIGIN': // RFC 1035 §5.1; a relative origin is relative to the current one
        arity(1, 1);
        context.origin = this.at(context, args[0]!, () => parseName(args[0]!.raw, context.origin));
        return;
      case '$TTL': // RFC 2308 §4
        arity(1, 1);
        this.ttl.defaultTtl = this.at(context, args[0]!, () => parseTtl(args[0]!.raw));
        return;
      case '$INCLUDE':
        arity(1, 2);
        this.readInclude(directive, args[0]!, args[1], context);
        return;
      case '$GENERATE':
        this.fail(context, directive, '$GENERATE is a BIND extension mailrec does not read', 'expand it into records');
        return;
      default:
        this.fail(context, directive, `unknown directive ${directive.raw}`, 'known: $ORIGIN, $TTL, $INCLUDE');
    }
  }

  /**
   * RFC 1035 §5.1: "$INCLUDE <file-name> [<domain-name>]". The origin and the current
   * owner revert afterwards; $TTL persists, as in BIND.
   */
  private readInclude(directive: Token, fileToken: Token, originToken: Token | undefined, context: FileContext): void {
    const readInclude = this.options.readInclude;
    if (!readInclude) {
      this.fail(context, directive, '$INCLUDE is not allowed here', 'this text was given without a file system');
      return;
    }
    const target = this.at(context, fileToken, () => decodeEscapes(fileToken.raw).toString('utf8'));
    const path = isAbsolute(target) ? normalize(target) : join(dirname(context.file), target);
    const origin = originToken
      ? this.at(context, originToken, () => parseName(originToken.raw, context.origin))
      : context.origin;
    if (context.stack.includes(path)) {
      this.fail(context, fileToken, `include loop: ${[...context.stack, path].join(' -> ')}`);
    }
    const maxDepth = this.options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
    if (context.stack.length > maxDepth) {
      this.fail(context, fileToken, `$INCLUDE nested deeper than ${maxDepth} files`);
    }
    let text: string;
    try {
      text = readInclude(path);
    } catch (error) {
      this.fail(context, fileToken, `cannot read included file ${path}: ${(error as Error).message}`);
      return;
    }
    this.readText(text, { file: path, origin, owner: context.owner, stack: [...context.stack, path] });
  }

  private readRecord(entry: Entry, context: FileContext): void {
    const tokens = entry.tokens;
    let index = 0;
    let owner = context.owner;
    if (!entry.blankOwner) {
      const ownerToken = tokens[index++]!;
      owner = this.at(context, ownerToken, () => parseName(ownerToken.raw, context.origin));
    } else if (owner === undefined) {
      this.fail(context, tokens[0]!, 'the first record has no owner name (its line starts with a blank)');
    }

    // RFC 1035 §5.1: [<TTL>] [<class>] or [<class>] [<TTL>], then the type.
    let ttl: number | undefined;
    let classSeen = false;
    for (;;) {
      const token = tokens[index];
      if (!token) {
        this.fail(context, tokens[tokens.length - 1]!, 'the record has no type');
        return;
      }
      if (ttl === undefined && /^\d/.test(token.raw)) {
        ttl = this.at(context, token, () => parseTtl(token.raw));
      } else if (!classSeen && parseRRClass(token.raw) !== undefined) {
        if (parseRRClass(token.raw) !== 1) {
          this.fail(context, token, `class ${token.raw.toUpperCase()} is not supported: mailrec reads IN zones only`);
        }
        classSeen = true;
      } else {
        break;
      }
      index += 1;
    }
    const typeToken = tokens[index]!;
    const rrtype = parseRRType(typeToken.raw);
    if (!rrtype) this.fail(context, typeToken, `unknown RR type ${JSON.stringify(typeToken.raw)}`);
    const fields = tokens.slice(index + 1);
    let rdata: RData;
    try {
      rdata = parseRData(rrtype!.mnemonic, fields, { origin: context.origin });
    } catch (error) {
      if (!(error instanceof RDataSyntaxError)) throw error;
      const culprit = error.tokenIndex === undefined ? undefined : fields[error.tokenIndex];
      this.fail(context, culprit ?? tokens[tokens.length - 1]!, error.message, error.hint);
      return;
    }

    const resolved = this.resolveTtl(ttl, rdata);
    if (resolved === undefined) {
      this.fail(context, typeToken, 'the record has no TTL and no $TTL is set', 'add "$TTL 3600" at the top (RFC 2308 §4)');
    }
    context.owner = owner;
    this.records.push({
      name: owner!,
      ttl: resolved!,
      ...rdata,
      position: { file: context.file, line: entry.line, column: entry.column },
    });
  }

  /**
   * Explicit TTL; else $TTL (RFC 2308 §4); else the last explicit TTL (RFC 1035 §5.1);
   * else, for an SOA, its minimum, which then becomes the default (as BIND does).
   */
  private resolveTtl(explicit: number | undefined, rdata: RData): number | undefined {
    if (explicit !== undefined) {
      this.ttl.lastTtl = explicit;
      return explicit;
    }
    if (this.ttl.defaultTtl !== undefined) return this.ttl.defaultTtl;
    if (this.ttl.lastTtl !== undefined) return this.ttl.lastTtl;
    if (rdata.type === 'SOA') {
      this.ttl.defaultTtl = rdata.minimum;
      return rdata.minimum;
    }
    return undefined;
  }

  /** Run a field parser; a MailrecError it throws becomes a ZoneSyntaxError at the token. */
  private at<T>(context: FileContext, token: Token, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ZoneSyntaxError || !(error instanceof MailrecError)) throw error;
      throw new ZoneSyntaxError(error.message, this.position(context, token), error.hint);
    }
  }

  private fail(context: FileContext, token: Token, message: string, hint?: string): never {
    throw new ZoneSyntaxError(message, this.position(context, token), hint);
  }

  private position(context: FileContext, token: Token): SourcePosition {
    return { file: context.file, line: token.line, column: token.column };
  }
}
