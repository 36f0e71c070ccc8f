// What one policy file yields before files are merged: drafts of the model's parts,
// each with the place it was declared, and the repo files the policy refers to.

import type { SourcePosition } from '../base/errors.js';
import type { DkimKeySettings, DomainPolicy, ReportsConfig, Rfc2136Target, SignerConfigs, SpfAll } from './model.js';

/** A file the policy refers to, read by the loader (never by the validator). */
export interface FileRef {
  kind: 'dkim-key' | 'tlsa-cert' | 'tlsa-pubkey';
  /** As written in the policy, relative to the repo root; already checked not to escape it. */
  path: string;
  /** Where the path is written: issues about the file point here. */
  position: SourcePosition;
  /** Dotted document path of the value, e.g. "domains.example.org.dkim[0].key". */
  docPath: string;
  /** A retired DKIM key publishes an empty p=, so its file may be gone. */
  optional: boolean;
}

export interface Declared {
  position: SourcePosition;
  path: string;
}

export interface DefaultsDraft extends Declared {
  ttl?: number;
  spfAll?: SpfAll;
}

export interface ZoneDraft extends Declared {
  apex: string;
  /** Set only when the policy gives one; the default is filled in at merge. */
  fragment?: { path: string; at: Declared };
  zoneFile?: { path: string; at: Declared };
  nameservers?: string[];
}

/** `dkim_keys:` as one file declares it: only what it sets. */
export interface DkimKeysDraft extends Declared {
  settings: Partial<DkimKeySettings>;
  /** Where rotate_after and max_age are written, for the rule that ties them. */
  at: Partial<Record<'rotateAfter' | 'maxAge', Declared>>;
}

/** `signers:` as one file declares it, with where each output path is written. */
export interface SignersDraft extends Declared {
  signers: SignerConfigs;
  paths: (Declared & { file: string })[];
}

/** A domain before zone assignment and defaults: ttl and spfAll only when the domain sets them. */
export interface DomainDraft extends Omit<DomainPolicy, 'zone' | 'ttl' | 'spfAll'>, Declared {
  ttl?: number;
  spfAll?: SpfAll;
}

export interface TargetDraft extends Declared {
  /** Undefined when the target has issues of its own. */
  target?: Rfc2136Target;
  /** The zones: list, to check each against the declared zones; undefined when not given (all zones). */
  zoneRefs?: (Declared & { apex: string })[];
}

/** Everything one file declares. */
export interface PolicyPart {
  file: string;
  defaults?: DefaultsDraft;
  dkimKeys?: DkimKeysDraft;
  signers?: SignersDraft;
  zones: ZoneDraft[];
  domains: DomainDraft[];
  targets: TargetDraft[];
  reports?: ReportsDraft;
}

/** A `reports:` section; at most one in all the policy files. */
export interface ReportsDraft extends Declared {
  /** Undefined when the section has issues of its own. */
  config?: ReportsConfig;
}
