// An error thrown in a worker thread, carried to the main thread as data and thrown there
// again as the same error: the same class (so the CLI gives the same one-line message, hint
// and exit code) and the same fields. A structured clone of an Error keeps only its name,
// message and stack.

import * as errors from './errors.js';

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own fields: hint, exitCode, file, reason, position, issues; code, syscall, path of a file-system error. */
  fields: Record<string, unknown>;
}

export function errorToWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (key !== 'name' && key !== 'message' && key !== 'stack') fields[key] = value;
  return { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }), fields };
}

/** Classes a wire error may name; anything else comes back as a plain Error with its fields. */
const CLASSES: ReadonlyMap<string, { prototype: Error }> = new Map(
  Object.entries(errors).flatMap(([name, value]) => (typeof value === 'function' && value.prototype instanceof Error ? [[name, value as { prototype: Error }]] : [])),
);

export function errorFromWire(wire: WireError): Error {
  const kind = CLASSES.get(wire.name);
  // No constructor runs: each class builds its message from its fields, and the message is already built.
  const error: Error = kind ? (Object.create(kind.prototype) as Error) : new Error(wire.message);
  Object.defineProperty(error, 'message', { value: wire.message, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true, enumerable: false });
  if (wire.stack !== undefined) Object.defineProperty(error, 'stack', { value: wire.stack, writable: true, configurable: true, enumerable: false });
  return Object.assign(error, wire.fields);
}
