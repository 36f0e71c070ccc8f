// Parses one policy file with positions and reads it into a PolicyPart: version,
// defaults, zones, domains, targets. Every problem becomes an issue; nothing throws.

import { isScalar, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { PolicyIssue } from '../base/errors.js';
import type { TsigKeyRef } from './model.js';
import type { DefaultsDraft, FileRef, PolicyPart, TargetDraft, ZoneDraft } from './drafts.js';
import { parseFast } from './fast-yaml.js';
import type { ReadContext } from './read-context.js';
import { readDomain } from './read-domain.js';
import { readReports } from './read-reports.js';
import { readSecretRef } from './read-secret.js';
import { readDkimKeys, readSigners } from './read-signers.js';
import { readSpf } from './read-spf.js';
import { APEX, checkDomainName, checkEnvName, checkRepoPath, checkServer } from './values.js';
import { LIMITS, POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import { YamlReader, type Field } from './yaml-reader.js';
import { duplicateKeyErrors } from './yaml-unique-keys.js';

/** One policy file's text and the name issues should carry (relative to the repo root). */
export interface PolicySource {
  file: string;
  text: string;
}

const ROOT_KEY_HINTS: Readonly<Record<string, string>> = {
  $schema: 'point editors at the schema with a comment instead: # yaml-language-server: $schema=<path to mailrec schema output>',
};

/** YAML errors worth saying in our words. */
const YAML_ERRORS: Readonly<Record<string, { message: string; hint: string }>> = {
  MULTIPLE_DOCS: {
    message: 'a policy file holds one YAML document',
    hint: 'remove the --- separator, or split the documents into several files',
  },
  DUPLICATE_KEY: {
    message: 'YAML: this key appears twice in the same map',
    hint: 'merge the two entries into one',
  },
};

/** Which parser read a file: js-yaml through fast-yaml.ts, or the `yaml` library's Document. */
export type PolicyParser = 'fast' | 'document';

/** Read one file; issues and referenced files are appended to the given lists. */
export function readPolicyDocument(source: PolicySource, issues: PolicyIssue[], files: FileRef[]): PolicyPart {
  return readPolicyFile(source, issues, files).part;
}

/**
 * Read one file, by the fast parser when the text is in its plain shapes and reads without
 * a single issue; else (any issue, any doubt) by the Document path, whose messages,
 * positions and hints are the rule. `parser: 'document'` skips the fast parser (tests).
 */
export function readPolicyFile(
  source: PolicySource,
  issues: PolicyIssue[],
  files: FileRef[],
  options: { parser?: PolicyParser } = {},
): { part: PolicyPart; parser: PolicyParser } {
  const fast = options.parser === 'document' ? undefined : parseFast(source.text);
  if (fast) {
    const fastIssues: PolicyIssue[] = [];
    const fastFiles: FileRef[] = [];
    const part = readParsed(source.file, fast.doc, fast.lines, [], fastIssues, fastFiles);
    if (fastIssues.length === 0) {
      files.push(...fastFiles);
      return { part, parser: 'fast' };
    }
  }
  const lines = new LineCounter();
  // Duplicate keys are found in one pass below, not by the library's quadratic check.
  const doc = parseDocument(source.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const problems = [...withDuplicateKeys(doc.errors, duplicateKeyErrors(doc)), ...doc.warnings];
  return { part: readParsed(source.file, doc, lines, problems, issues, files), parser: 'document' };
}

/** The part a parsed document declares; a document with YAML errors or warnings declares nothing. */
function readParsed(file: string, doc: Document, lines: LineCounter, problems: readonly ErrorShape[], issues: PolicyIssue[], files: FileRef[]): PolicyPart {
  const part: PolicyPart = { file, zones: [], domains: [], targets: [] };
  const r = new YamlReader(file, doc, lines, issues);
  if (problems.length > 0) {
    // A file YAML cannot read is reported as such; its content is not guessed at.
    for (const error of problems) {
      const known = YAML_ERRORS[error.code];
      r.report(r.positionOf(error.pos[0]), '', known?.message ?? `YAML: ${error.message.split('\n')[0]}`, known?.hint);
    }
    return part;
  }
  const root = r.root();
  if (!root.node || (isScalar(root.node) && root.node.value === null)) {
    r.report(root.at, '', 'the policy file is empty', 'start it with version: 1');
    return part;
  }
  const map = r.mapping(root, POLICY_KEYS.policy, { hints: ROOT_KEY_HINTS, what: 'a map with version, zones, domains, ...' });
  if (!map) return part;
  const ctx: ReadContext = { r, files };

  const version = map.get('version');
  if (!version) {
    r.report(root.at, 'version', "missing key 'version'", 'start the file with version: 1');
  } else if (isScalar(version.node) && typeof version.node.value === 'string') {
    // '1' quoted is text, which a reader of the message could not tell from the number.
    r.refuse(version, `version must be a number, not ${r.describe(version)}`, 'write version: 1, without quotes');
  } else if (!(isScalar(version.node) && version.node.value === 1)) {
    r.refuse(version, `unsupported version ${r.text(version) ?? r.describe(version)}`, 'this mailrec reads version: 1');
  }

  const defaults = map.get('defaults');
  if (defaults) part.defaults = readDefaults(r, defaults);
  const zones = map.get('zones');
  if (zones) part.zones = readZones(r, zones);
  const domains = map.get('domains');
  if (domains) {
    for (const entry of r.entries(domains, 'a map of domain names to their settings') ?? []) {
      const domain = readDomain(ctx, entry);
      if (domain) part.domains.push(domain);
    }
  }
  const targets = map.get('targets');
  if (targets) {
    for (const item of r.items(targets) ?? []) {
      const target = readTarget(r, item);
      if (target) part.targets.push(target);
    }
  }
  const reports = map.get('reports');
  if (reports) {
    const before = issues.length;
    const config = readReports(r, reports);
    part.reports = { position: reports.at, path: reports.path, ...(config && issues.length === before ? { config } : {}) };
  }
  const dkimKeys = map.get('dkim_keys');
  if (dkimKeys) part.dkimKeys = readDkimKeys(r, dkimKeys);
  const signers = map.get('signers');
  if (signers) part.signers = readSigners(r, signers);
  return part;
}

type ErrorShape = Pick<YAMLError, 'code' | 'message' | 'pos'>;

/** The parse errors with the duplicate keys placed among them by position, as the library reported them. */
function withDuplicateKeys(errors: readonly ErrorShape[], duplicates: readonly ErrorShape[]): ErrorShape[] {
  if (duplicates.length === 0) return [...errors];
  const out: ErrorShape[] = [];
  let d = 0;
  for (const error of errors) {
    while (d < duplicates.length && duplicates[d]!.pos[0] < error.pos[0]) out.push(duplicates[d++]!);
    out.push(error);
  }
  while (d < duplicates.length) out.push(duplicates[d++]!);
  return out;
}

function readDefaults(r: YamlReader, field: Field): DefaultsDraft | undefined {
  const map = r.mapping(field, POLICY_KEYS.defaults);
  if (!map) return undefined;
  const out: DefaultsDraft = { position: field.at, path: field.path };
  const ttl = map.get('ttl');
  if (ttl) {
    const value = r.integer(ttl, 0, LIMITS.ttlMax, 'RFC 2181 §8: a TTL is 0..2147483647 seconds');
    if (value !== undefined) out.ttl = value;
  }
  const spf = map.get('spf');
  if (spf) {
    const { all } = readSpf(r, spf, 'defaults');
    if (all) out.spfAll = all;
  }
  return out;
}

function readZones(r: YamlReader, field: Field): ZoneDraft[] {
  const out: ZoneDraft[] = [];
  for (const entry of r.entries(field, 'a map of zone apexes') ?? []) {
    const apex = r.take({ ...entry, node: null }, checkDomainName(entry.name, 'zone', APEX));
    const zone: ZoneDraft = { apex: apex ?? '', position: entry.at, path: entry.path };
    // "example.org:" alone, or "{}", takes every default.
    const empty = !entry.node || (isScalar(entry.node) && entry.node.value === null);
    const map = empty ? new Map<string, Field>() : r.mapping(entry, POLICY_KEYS.zone, { what: 'a map { fragment, zone_file, nameservers }' });
    for (const key of ['fragment', 'zone_file'] as const) {
      const f = map?.get(key);
      if (!f) continue;
      const text = r.string(f);
      const path = text === undefined ? undefined : r.take(f, checkRepoPath(text, key));
      if (path === undefined) continue;
      const value = { path, at: { position: r.valueAt(f), path: f.path } };
      if (key === 'fragment') zone.fragment = value;
      else zone.zoneFile = value;
    }
    const nameservers = map?.get('nameservers');
    if (nameservers) {
      const items = r.items(nameservers) ?? [];
      if (nameservers.node && items.length === 0) r.refuse(nameservers, 'nameservers is an empty list', "leave it out to ask the zone's NS RRset");
      zone.nameservers = [];
      for (const item of items) {
        const text = r.string(item);
        const server = text === undefined ? undefined : r.take(item, checkServer(text));
        if (server !== undefined) zone.nameservers.push(server);
      }
    }
    if (apex !== undefined) out.push(zone);
  }
  return out;
}

const KEY_HINTS: Readonly<Record<string, string>> = {
  secret: 'a policy never holds a secret: use secret_file: <path> or secret_env: <VARIABLE>',
};

function readTarget(r: YamlReader, field: Field): TargetDraft | undefined {
  const map = r.mapping(field, POLICY_KEYS.target, { what: 'a map { type, server, key }' });
  if (!map) return undefined;
  const typeField = r.need(map, 'type', field);
  const type = typeField && r.oneOf(typeField, POLICY_ENUMS.target_type);
  const serverField = r.need(map, 'server', field);
  const serverText = serverField && r.string(serverField);
  const server = serverField && serverText !== undefined ? r.take(serverField, checkServer(serverText)) : undefined;
  const zoneRefs: TargetDraft['zoneRefs'] = [];
  const zonesField = map.get('zones');
  if (zonesField) {
    const items = r.items(zonesField) ?? [];
    if (zonesField.node && items.length === 0) r.refuse(zonesField, 'zones is an empty list', 'leave zones out to update every zone of the policy');
    for (const item of items) {
      const text = r.string(item);
      const apex = text === undefined ? undefined : r.take(item, checkDomainName(text, 'zone', APEX));
      if (apex !== undefined) zoneRefs.push({ apex, position: r.valueAt(item), path: item.path });
    }
  }
  const keyField = map.get('key');
  const key = keyField ? readTsigKey(r, keyField) : undefined;
  const draft: TargetDraft = { position: field.at, path: field.path };
  if (zonesField) draft.zoneRefs = zoneRefs;
  // An incomplete target still has its zones checked against the declared ones.
  if (type === undefined || server === undefined || (keyField && !key)) return draft;
  draft.target = { type, server, position: field.at };
  if (key) draft.target.key = key;
  if (zonesField) draft.target.zones = zoneRefs.map((z) => z.apex);
  return draft;
}

/** A TSIG key reference (RFC 8945): its name and where the secret lives, never the secret. */
function readTsigKey(r: YamlReader, field: Field): TsigKeyRef | undefined {
  const map = r.mapping(field, POLICY_KEYS.target_key, { hints: KEY_HINTS, what: 'a map { name, algorithm, secret_file | secret_env }' });
  if (!map) return undefined;
  const nameField = r.need(map, 'name', field);
  const nameText = nameField && r.string(nameField);
  const name = nameField && nameText !== undefined ? r.take(nameField, checkDomainName(nameText, 'key name', { minLabels: 1 })) : undefined;
  const algorithmField = map.get('algorithm');
  const algorithm = algorithmField ? r.oneOf(algorithmField, POLICY_ENUMS.tsig_algorithm) : 'hmac-sha256';
  const secret = readSecretRef(r, field, map, { word: 'secret', owner: 'key' });
  if (!secret) return undefined;
  const secretFile = secret.file;
  const secretEnv = secret.env;
  if (name === undefined || algorithm === undefined || (secretFile === undefined && secretEnv === undefined)) return undefined;
  const out: TsigKeyRef = { name, algorithm };
  if (secretFile !== undefined) out.secretFile = secretFile;
  if (secretEnv !== undefined) out.secretEnv = secretEnv;
  return out;
}
