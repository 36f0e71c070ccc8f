// Command-line values the commands share, checked once: a bad one is a UsageError naming its flag.

import type { FailOn } from '../audit/summary.js';
import { UsageError } from '../base/errors.js';

/** A whole number from min to max given with `flag`; undefined when the flag was not given. */
export function parseInteger(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag}: "${value}" is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/** A severity given with `flag` (--fail-on, --fail-on-new): error or warning; undefined when not given. */
export function parseFailOn(value: string | undefined, flag: string): FailOn | undefined {
  if (value === undefined) return undefined;
  if (value !== 'error' && value !== 'warning') throw new UsageError(`${flag}: unknown severity '${value}'`, `use ${flag} error or ${flag} warning`);
  return value;
}
