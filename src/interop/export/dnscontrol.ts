// Desired records -> DNSControl JavaScript: one D() (or D_EXTEND()) per zone with TXT(), MX(), SRV(), TLSA() and CNAME() calls.

import type { DesiredZone } from '../../build/zone-records.js';
import { chunkTxt, txtText, type RR } from '../../dns-types/rr.js';
import { absolute, EXPORT_MARK, relativeName, rrsetsOf, type ExportFile } from './names.js';
import { ExportError } from '../../base/errors.js';

export interface DnscontrolOptions {
  /** D_EXTEND("zone", ...) into a D() the user's dnsconfig.js already declares, instead of a D() of its own. */
  extend?: boolean;
  /** The JavaScript variable holding the registrar, e.g. `var REG_NONE = NewRegistrar("none");`. */
  registrar?: string;
  /** The JavaScript variable holding the DNS provider, e.g. `var DSP_MAILREC = NewDnsProvider("cloudflare");`. */
  provider?: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JavaScript string literal (JSON is a subset of JavaScript for strings, U+2028/2029 aside). */
function js(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** DNSControl labels: "@" for the apex, else the name relative to the zone (DNSControl appends the zone). */
function label(name: string, zone: string): string {
  const rel = relativeName(name, zone);
  return rel === '' ? '@' : rel;
}

/**
 * TXT contents: one string when mailrec's own 255-octet split applies (DNSControl splits long
 * strings the same way), else the exact strings as an array (a raw: entry split otherwise).
 */
function txtArgument(rr: RR & { type: 'TXT' }): string {
  const text = txtText(rr);
  const canonical = chunkTxt(text);
  const same = canonical.length === rr.strings.length && canonical.every((s, i) => s === rr.strings[i]);
  return same ? js(text) : `[${rr.strings.map(js).join(', ')}]`;
}

function call(rr: RR, zone: string): string {
  const name = js(label(rr.name, zone));
  const ttl = `TTL(${rr.ttl})`;
  switch (rr.type) {
    case 'TXT':
      return `TXT(${name}, ${txtArgument(rr)}, ${ttl})`;
    case 'MX':
      return `MX(${name}, ${rr.preference}, ${js(absolute(rr.exchange))}, ${ttl})`;
    case 'SRV':
      return `SRV(${name}, ${rr.priority}, ${rr.weight}, ${rr.port}, ${js(absolute(rr.target))}, ${ttl})`;
    case 'TLSA':
      return `TLSA(${name}, ${rr.usage}, ${rr.selector}, ${rr.matchingType}, ${js(rr.certificate.toLowerCase())}, ${ttl})`;
    case 'CNAME':
      return `CNAME(${name}, ${js(absolute(rr.target))}, ${ttl})`;
    default:
      throw new ExportError(`${rr.name} ${rr.type}: mailrec does not export this type`);
  }
}

export function renderDnscontrolZone(zone: DesiredZone, sources: readonly string[], options: DnscontrolOptions = {}): string {
  const registrar = options.registrar ?? 'REG_NONE';
  const provider = options.provider ?? 'DSP_MAILREC';
  for (const v of [registrar, provider]) if (!IDENTIFIER.test(v)) throw new ExportError(`${JSON.stringify(v)} is not a JavaScript variable name`);
  const calls = rrsetsOf(zone).flatMap((set) => set.records.map((rr) => call(rr, zone.zone)));
  const head = options.extend
    ? [`D_EXTEND(${js(zone.zone)},`]
    : [`D(${js(zone.zone)}, ${registrar}, DnsProvider(${provider}),`];
  const lines = [
    `// ${EXPORT_MARK} from ${sources.join(', ')}: the mail records of zone ${zone.zone}. Do not edit: run mailrec export again.`,
    options.extend
      ? `// D_EXTEND adds them to the D(${js(zone.zone)}) your dnsconfig.js declares; require() this file after it.`
      : `// This D() holds only mailrec's records: see docs/interop.md before pointing it at a zone that holds others (IGNORE(), NO_PURGE, or --dnscontrol-extend).`,
    ...head,
    ...calls.map((c, i) => `  ${c}${i === calls.length - 1 ? '' : ','}`),
    ');',
  ];
  // An empty zone still gets its D(): the trailing comma of the head must go.
  if (calls.length === 0) lines[lines.length - 2] = lines[lines.length - 2]!.replace(/,$/, '');
  return `${lines.join('\n')}\n`;
}

export function exportDnscontrol(zones: readonly DesiredZone[], sources: readonly string[], options: DnscontrolOptions = {}): ExportFile[] {
  return zones.map((zone) => ({ path: `${zone.zone}.js`, content: renderDnscontrolZone(zone, sources, options) }));
}
