// Shared by the interop tests: import inline zone texts through the pure core, and the round-trip property.

import { createPublicKey } from 'node:crypto';
import { expect } from 'vitest';
import { importEstate, type ImportResult } from '../../src/interop/import/estate.js';
import { valueKey } from '../../src/plan/diff.js';
import { typeOf, type RR } from '../../src/dns-types/rr.js';
import { parseZoneText } from '../../src/zone/reader.js';
import { renderFragment } from '../../src/zone/writer.js';

export interface ZoneText {
  apex: string;
  text: string;
}

export interface ImportTextOptions {
  /** Files $INCLUDE may read, by path as the reader asks (relative to zones/). */
  includes?: Record<string, string>;
  /** Repo files the import may read (MTA-STS policies, key files). */
  files?: Record<string, string>;
  normalize?: boolean;
  /** The largest policy file to write (importEstate's maxPolicyBytes). */
  maxPolicyBytes?: number;
}

/** Import zone texts as if read from zones/<apex>.zone. */
export function importZones(zones: ZoneText[], options: ImportTextOptions = {}): ImportResult {
  const includes = options.includes ?? {};
  const inputs = zones.map((z) => {
    const file = `zones/${z.apex}.zone`;
    const { records } = parseZoneText(z.text, {
      origin: z.apex,
      file,
      readInclude: (path) => {
        const text = includes[path];
        if (text === undefined) throw new Error(`no include ${path}`);
        return text;
      },
    });
    return { apex: z.apex, records, zoneFile: file, fragments: [] };
  });
  return importEstate({
    zones: inputs,
    files: new Map(Object.entries(options.files ?? {})),
    options: {
      policyFile: 'policies/imported.yaml',
      sources: inputs.map((z) => z.zoneFile),
      normalize: options.normalize ?? false,
      ...(options.maxPolicyBytes !== undefined ? { maxPolicyBytes: options.maxPolicyBytes } : {}),
    },
  });
}

export function recordKeys(records: readonly RR[]): string[] {
  return records.map((rr) => `${rr.name} ${typeOf(rr)} ${valueKey(rr)}`).sort();
}

/**
 * The property import promises: the records the policy builds are the records read, byte for
 * byte (TTL and TXT strings included), so the fragment plan would write is the one import wrote.
 */
export function expectRoundTrip(result: ImportResult): void {
  expect(result.changes).toEqual([]);
  expect(result.fileChanges).toEqual([]);
  expect(recordKeys(result.desired.flatMap((z) => z.records))).toEqual(recordKeys(result.records));
  for (const zone of result.desired) {
    const fragment = result.files.find((f) => f.kind === 'fragment' && f.content.includes(`for ${zone.zone}. `));
    expect(fragment?.content).toBe(renderFragment(zone.zone, zone.records));
  }
  expect(result.desired.flatMap((z) => z.notices).filter((n) => n.severity === 'error')).toEqual([]);
}

/** The policy's raw: entries, as "name TYPE". */
export function rawEntries(result: ImportResult): string[] {
  return result.raw.map((r) => `${r.name} ${r.type}`).sort();
}

export function codes(result: ImportResult): string[] {
  return [...new Set(result.findings.map((f) => f.code))].sort();
}

/** The DKIM p= a PEM file publishes: SPKI for RSA, the raw 32 octets for Ed25519 (RFC 8463 §4.2). */
export function dkimP(pem: string): string {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType === 'ed25519') return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

export const RSA2048 =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0ZEl3/L1dksRftz8+/VJk1wRDvr2FnWWCRyV96jGR0+/2BxcitLWBJBrGu76/PMEgiyn9MZt1VJyjdIJHxcdFRDKE79OvRp26cyvNkI/u8CvF2+wBFzVVuS1WVijHhIkGutl5cTYmYbaqCc18Fbv0jihiIrsh50NPVsQvS+ffUzt9mT+69dgF4YC+GrMWioXuHXiOlAsqQPxBn2PWNhPhLLTfnTys1KNSMqKBEJ6O9AOpbrsDHj3lBN6Nd2aAMQ25hZBCoGP83duw85zjeVmraI/khpN5oDv/mMJgj1u9q22CiMif8gOBYzoeuhscky/5ju/UvvKUNNXZXgPZE0VbwIDAQAB';
export const RSA1024 =
  'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDNDO5ZIvltrOdk/Nlpktka8ErE6MU6g/E7/4WPY1aDm5RcIL+h7kOTsqTC95plVUZEvarYMuWe1iPx15s+FaV9Rsn6sBKvMxq/sYRp3AgxdLyMOuPDNLGpubyZN7waFg01jr3r3DQyNz0XPvWpyuBHRzHxKZF4b4uQOpQTJwr5RwIDAQAB';
export const ED25519 = '5JZPGt/3nuM6l7ig85Rjn2L56kTngRHB3GxPcbitXaQ=';

/** A zone text with SOA and NS around the records. */
export function zone(apex: string, ...lines: string[]): ZoneText {
  return { apex, text: [`$ORIGIN ${apex}.`, '$TTL 3600', `@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300`, '@ IN NS ns1', 'ns1 IN A 192.0.2.53', ...lines, ''].join('\n') };
}
