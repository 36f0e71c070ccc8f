// Writes an imported policy as YAML with the yaml Document API: one comment wherever the import made a judgement.

import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { MailrecError } from '../../base/errors.js';
import type { SpfAll } from '../../policy/model.js';
import type { DmarcModel } from './dmarc.js';
import type { SenderItem } from './spf.js';
import type { MxModel, SrvItem, TlsaItem, TlsRptModel } from './transport.js';

export interface RawEntry {
  name: string;
  type: string;
  value: string | string[];
  ttl?: number;
}

/** Everything that goes into the policy file, each entry tagged with the record group it stands for. */
export interface DraftPolicy {
  header: string[];
  defaults: { ttl: number; spfAll?: SpfAll };
  zones: { apex: string; fragment: string; zoneFile?: string; comment?: string }[];
  domains: DraftDomain[];
}

export interface DraftDomain {
  name: string;
  ttl?: number;
  comment?: string;
  noMail?: { comment: string };
  senders?: { group: string; items: SenderItem[]; all?: SpfAll };
  mx?: { group: string; value: MxModel; comment?: string };
  dkim: { group: string; selector: string; key?: string; state: 'active' | 'retired'; keyComment?: string; stateComment?: string }[];
  dmarc?: { group: string; value: DmarcModel };
  srv: { group: string; item: SrvItem }[];
  tlsa: { group: string; item: TlsaItem; comment?: string }[];
  mtaSts?: { group: string; value: { mode: string; max_age: number; mx?: string[] }; comment?: string };
  tlsRpt?: { group: string; value: TlsRptModel };
  raw: { group: string; entry: RawEntry; comment?: string }[];
}

export interface RenderedPolicy {
  text: string;
  /** Document paths (as the loader names them in issues) and the group each stands for; "mail:<domain>" for mail: none. */
  paths: [string, string][];
}

/** Lines of a comment, each "# " prefixed by the yaml library ("#" + text). */
function comment(text: string): string {
  return text
    .split('\n')
    .map((line) => ` ${line}`)
    .join('\n');
}

/** Flow style for a small map, block style when the line would be long. */
function mapNode(doc: Document, value: object, flowLimit = 96): YAMLMap {
  const node = doc.createNode(value) as YAMLMap;
  node.flow = JSON.stringify(value).length <= flowLimit && !Object.values(value).some((v) => Array.isArray(v));
  return node;
}

function add(map: YAMLMap, doc: Document, key: string, value: Node | unknown, options: { before?: string; after?: string } = {}): void {
  const keyNode = doc.createNode(key) as Scalar;
  if (options.before) keyNode.commentBefore = comment(options.before);
  const valueNode = (value instanceof Scalar || value instanceof YAMLMap || value instanceof YAMLSeq ? value : doc.createNode(value)) as Node;
  if (options.after) (valueNode as Scalar).comment = comment(options.after);
  map.items.push(new Pair(keyNode, valueNode));
}

function addDefaultsAndZones(root: YAMLMap, doc: Document, draft: DraftPolicy): void {
  const defaults = new YAMLMap();
  add(defaults, doc, 'ttl', draft.defaults.ttl, { after: 'the most common TTL of the imported records' });
  if (draft.defaults.spfAll !== undefined) add(defaults, doc, 'spf', mapNode(doc, { all: draft.defaults.spfAll }), { after: 'the most common all term of the imported SPF records' });
  add(root, doc, 'defaults', defaults);

  const zones = new YAMLMap();
  for (const zone of draft.zones) {
    const z = new YAMLMap();
    add(z, doc, 'fragment', zone.fragment);
    if (zone.zoneFile !== undefined) add(z, doc, 'zone_file', zone.zoneFile);
    add(zones, doc, zone.apex, z, zone.comment ? { before: zone.comment } : {});
  }
  add(root, doc, 'zones', zones);
}

/**
 * The policy text and the map from document paths to record groups (to demote the right group
 * when the loader refuses something). `domainsOnly`: a further part of a policy split over
 * files (renderPolicyParts), with no defaults and no zones.
 */
export function renderPolicy(draft: DraftPolicy, domainsOnly = false): RenderedPolicy {
  const doc = new Document({});
  const root = doc.contents as YAMLMap;
  doc.commentBefore = comment(draft.header.join('\n'));
  const paths: [string, string][] = [];

  add(root, doc, 'version', 1);
  if (!domainsOnly) addDefaultsAndZones(root, doc, draft);
  const domains = new YAMLMap();
  for (const d of draft.domains) {
    const base = `domains.${d.name}`;
    const m = new YAMLMap();
    if (d.noMail) {
      add(m, doc, 'mail', 'none', { after: d.noMail.comment });
      paths.push([`${base}.mail`, `mail:${d.name}`]);
    }
    if (d.ttl !== undefined) add(m, doc, 'ttl', d.ttl);
    if (d.senders) {
      const seq = new YAMLSeq();
      for (const item of d.senders.items) {
        const node = typeof item.value === 'string' ? doc.createNode(item.value) : mapNode(doc, item.value);
        if (item.comment) (node as Scalar).comment = comment(item.comment);
        seq.items.push(node);
      }
      add(m, doc, 'senders', seq);
      paths.push([`${base}.senders`, d.senders.group]);
      if (d.senders.all !== undefined) {
        add(m, doc, 'spf', mapNode(doc, { all: d.senders.all }));
        paths.push([`${base}.spf`, d.senders.group]);
      }
    }
    if (d.mx) {
      const value = d.mx.value === 'none' ? 'none' : doc.createNode(d.mx.value.map((h) => mapNode(doc, h)));
      add(m, doc, 'mx', value, d.mx.comment ? { before: d.mx.comment } : {});
      paths.push([`${base}.mx`, d.mx.group]);
    }
    if (d.dkim.length > 0) {
      const seq = new YAMLSeq();
      d.dkim.forEach((key, i) => {
        const item = new YAMLMap();
        add(item, doc, 'selector', key.selector);
        if (key.key !== undefined) add(item, doc, 'key', key.key, key.keyComment ? { after: key.keyComment } : {});
        add(item, doc, 'state', key.state, key.stateComment ? { after: key.stateComment } : {});
        seq.items.push(item);
        paths.push([`${base}.dkim[${i}]`, key.group]);
      });
      add(m, doc, 'dkim', seq);
    }
    if (d.dmarc) {
      add(m, doc, 'dmarc', mapNode(doc, d.dmarc.value, 80));
      paths.push([`${base}.dmarc`, d.dmarc.group]);
    }
    if (d.srv.length > 0) {
      const seq = new YAMLSeq();
      d.srv.forEach((srv, i) => {
        seq.items.push(mapNode(doc, srv.item));
        paths.push([`${base}.srv[${i}]`, srv.group]);
      });
      add(m, doc, 'srv', seq);
    }
    if (d.tlsa.length > 0) {
      const seq = new YAMLSeq();
      d.tlsa.forEach((tlsa, i) => {
        const node = mapNode(doc, tlsa.item, 0);
        if (tlsa.comment) node.commentBefore = comment(tlsa.comment);
        seq.items.push(node);
        paths.push([`${base}.tlsa[${i}]`, tlsa.group]);
      });
      add(m, doc, 'tlsa', seq);
    }
    if (d.mtaSts) {
      add(m, doc, 'mta_sts', mapNode(doc, d.mtaSts.value), d.mtaSts.comment ? { after: d.mtaSts.comment } : {});
      paths.push([`${base}.mta_sts`, d.mtaSts.group]);
    }
    if (d.tlsRpt) {
      add(m, doc, 'tls_rpt', mapNode(doc, d.tlsRpt.value));
      paths.push([`${base}.tls_rpt`, d.tlsRpt.group]);
    }
    if (d.raw.length > 0) {
      const seq = new YAMLSeq();
      d.raw.forEach((raw, i) => {
        const node = mapNode(doc, raw.entry);
        if (raw.comment) node.commentBefore = comment(raw.comment);
        seq.items.push(node);
        paths.push([`${base}.raw[${i}]`, raw.group]);
      });
      add(m, doc, 'raw', seq, {
        before: 'kept verbatim: published exactly as written (see the comment above each entry for why)',
      });
    }
    add(domains, doc, d.name, m, d.comment ? { before: d.comment } : {});
  }
  add(root, doc, 'domains', domains);

  return { text: doc.toString({ lineWidth: 0 }), paths };
}


/**
 * The policy over files of at most `maxBytes` octets each, because mailrec reads a policy file
 * only up to a cap (FILE_CAPS.policy): the first holds the defaults, the zones and the first
 * domains; each further one, more domains in order. One file when the whole fits. `pathOf(k)`
 * names part k (from 1).
 */
export function renderPolicyParts(draft: DraftPolicy, whole: string, maxBytes: number, pathOf: (k: number) => string): { path: string; text: string }[] {
  if (Buffer.byteLength(whole) <= maxBytes) return [{ path: pathOf(1), text: whole }];
  // Domains are of much the same size: split them evenly, one part more until every part fits.
  for (let n = Math.ceil(Buffer.byteLength(whole) / maxBytes); n <= draft.domains.length; n++) {
    const size = Math.ceil(draft.domains.length / n);
    const count = Math.ceil(draft.domains.length / size);
    const paths = Array.from({ length: count }, (_, i) => pathOf(i + 1));
    const parts = paths.map((path, i) => {
      const domains = draft.domains.slice(i * size, (i + 1) * size);
      const header =
        i === 0
          ? [...draft.header, `The policy is split over ${count} files (${paths.join(', ')}): a policy file is read up to ${maxBytes} octets. plan reads them together.`]
          : [`Part ${i + 1} of ${count} of the policy mailrec import wrote; its defaults and zones are in ${paths[0]}.`];
      return { path, text: renderPolicy({ ...draft, header, domains }, i > 0).text };
    });
    if (parts.every((part) => Buffer.byteLength(part.text) <= maxBytes)) return parts;
  }
  throw new MailrecError(`import: one domain's policy is over ${maxBytes} octets, more than a policy file may hold; nothing was written`, 'import that zone on its own and keep its largest records out of mailrec');
}

/** The group a loader issue path points into: the longest registered prefix ending at a path boundary. */
export function groupAtPath(paths: readonly [string, string][], path: string): string | undefined {
  let best: [string, string] | undefined;
  for (const entry of paths) {
    const [prefix] = entry;
    const boundary = path.length === prefix.length || path[prefix.length] === '.' || path[prefix.length] === '[';
    if (path.startsWith(prefix) && boundary && (!best || prefix.length > best[0].length)) best = entry;
  }
  return best?.[1];
}
