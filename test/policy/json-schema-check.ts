// A small JSON Schema (2020-12) checker for the keywords POLICY_SCHEMA uses, so that the
// schema test needs no validator package. Unknown keywords are errors, not ignored.

import type { JsonSchema } from '../../src/policy/schema.js';

export const KNOWN_KEYWORDS = new Set([
  '$schema', '$id', '$ref', '$defs', 'title', 'description', 'default', 'examples',
  'type', 'properties', 'additionalProperties', 'propertyNames', 'required', 'minProperties', 'maxProperties',
  'items', 'minItems', 'enum', 'const', 'oneOf', 'anyOf', 'not',
  'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
]);

/** Every keyword used anywhere in `schema` that the checker does not know. */
export function unknownKeywords(schema: JsonSchema, path = '#'): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (!KNOWN_KEYWORDS.has(key)) out.push(`${path}/${key}`);
    const sub = (s: unknown, p: string): void => {
      if (s && typeof s === 'object') out.push(...unknownKeywords(s as JsonSchema, p));
    };
    if (key === 'properties' || key === '$defs') {
      for (const [name, s] of Object.entries(value as Record<string, JsonSchema>)) sub(s, `${path}/${key}/${name}`);
    } else if (key === 'oneOf' || key === 'anyOf') {
      (value as JsonSchema[]).forEach((s, i) => sub(s, `${path}/${key}/${i}`));
    } else if (key === 'items' || key === 'not' || key === 'propertyNames' || key === 'additionalProperties') {
      sub(value, `${path}/${key}`);
    }
  }
  return out;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The errors of `value` against `schema` (empty when valid), each with its JSON pointer. */
export function checkJsonSchema(root: JsonSchema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): JsonSchema => {
    const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
    const found = name === undefined ? undefined : root.$defs?.[name];
    if (!found) throw new Error(`unresolvable $ref ${ref}`);
    return found;
  };
  const valid = (schema: JsonSchema, v: unknown, at: string): boolean => {
    const before = errors.length;
    visit(schema, v, at);
    const ok = errors.length === before;
    errors.length = before;
    return ok;
  };
  const visit = (schema: JsonSchema, v: unknown, at: string): void => {
    const fail = (message: string): void => {
      errors.push(`${at || '/'}: ${message}`);
    };
    if (schema.$ref) visit(resolve(schema.$ref), v, at);
    const type = typeOf(v);
    if (schema.type && schema.type !== type) return fail(`expected ${schema.type}, got ${type}`);
    if (schema.const !== undefined && v !== schema.const) fail(`expected ${JSON.stringify(schema.const)}`);
    if (schema.enum && !schema.enum.includes(v as never)) fail(`${JSON.stringify(v)} not in enum`);
    if (typeof v === 'string') {
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) fail(`${JSON.stringify(v)} does not match ${schema.pattern}`);
      if (schema.minLength !== undefined && v.length < schema.minLength) fail('too short');
      if (schema.maxLength !== undefined && v.length > schema.maxLength) fail('too long');
    }
    if (typeof v === 'number') {
      if (schema.minimum !== undefined && v < schema.minimum) fail(`${v} < ${schema.minimum}`);
      if (schema.maximum !== undefined && v > schema.maximum) fail(`${v} > ${schema.maximum}`);
    }
    if (Array.isArray(v)) {
      if (schema.minItems !== undefined && v.length < schema.minItems) fail('too few items');
      if (schema.items) v.forEach((item, i) => visit(schema.items!, item, `${at}/${i}`));
    }
    if (type === 'object') {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (const key of schema.required ?? []) if (!(key in obj)) fail(`missing ${key}`);
      if (schema.minProperties !== undefined && keys.length < schema.minProperties) fail('too few properties');
      if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) fail('too many properties');
      for (const key of keys) {
        if (schema.propertyNames) visit(schema.propertyNames, key, `${at}/${key}(name)`);
        const property = schema.properties?.[key];
        if (property) visit(property, obj[key], `${at}/${key}`);
        else if (schema.additionalProperties === false) fail(`unknown property ${key}`);
        else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          visit(schema.additionalProperties, obj[key], `${at}/${key}`);
        }
      }
    }
    if (schema.anyOf && !schema.anyOf.some((s) => valid(s, v, at))) fail('matches no anyOf branch');
    if (schema.oneOf) {
      const matches = schema.oneOf.filter((s) => valid(s, v, at)).length;
      if (matches !== 1) fail(`matches ${matches} oneOf branches, not 1`);
    }
    if (schema.not && valid(schema.not, v, at)) fail('matches not');
  };
  visit(root, value, '');
  return errors;
}
