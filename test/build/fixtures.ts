// Test fixtures for the record builders: a DomainPolicy and a Policy with sensible defaults.

import { execFileSync } from 'node:child_process';
import type { DomainPolicy, Policy } from '../../src/policy/model.js';
import { DEFAULT_DKIM_KEYS } from '../../src/policy/vocabulary.js';

export const pos = { file: 'policies/mail.yaml', line: 1, column: 1 };

export function makeDomain(name: string, overrides: Partial<DomainPolicy> = {}): DomainPolicy {
  return {
    name,
    zone: name,
    ttl: 3600,
    noMail: false,
    spfAll: 'softfail',
    dkim: [],
    srv: [],
    tlsa: [],
    position: pos,
    ...overrides,
  };
}

export function makePolicy(zones: string[], domains: DomainPolicy[]): Policy {
  return {
    version: 1,
    files: ['policies/mail.yaml'],
    defaults: { ttl: 3600, spfAll: 'softfail' },
    zones: zones.map((apex) => ({ apex, fragment: `zones/${apex}.mail.zone` })),
    domains,
    targets: [],
    dkimKeys: { ...DEFAULT_DKIM_KEYS },
    signers: {},
  };
}

/** Run a shell pipeline (the openssl oracle) with stdin, return stdout. */
export function sh(command: string, input?: string | Buffer): Buffer {
  return execFileSync('sh', ['-c', command], { input, stdio: ['pipe', 'pipe', 'pipe'] });
}
