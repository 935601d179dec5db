/**
 * Structural validation of a decoded value (JSON or YAML → plain JS) against the generated schema: unknown
 * fields, wrong types, missing required fields, enum values and the quantity/date-time formats. Issues carry the
 * path to the offending value so callers map it to what they need: the API server to an upstream-shaped cause
 * (`spec.template.spec.containers[0].imagePulPolicy`), the language server to a range in the document.
 *
 * `null` is treated as absent, as the API server's decoder does for optional fields.
 */
import type { JsonSchema } from './types.ts';

export type IssuePath = ReadonlyArray<string | number>;

export interface SchemaIssue {
  readonly code: 'unknown-field' | 'type' | 'required' | 'enum' | 'format' | 'read-only';
  readonly path: IssuePath;
  readonly message: string;
  /** unknown-field: the field's name; required: the missing field's name. */
  readonly field?: string;
  /** unknown-field: the allowed names at that place (for "did you mean"); enum: the allowed values. */
  readonly allowed?: readonly string[];
  /** type: the expected JSON type(s), e.g. `integer`, `integer or string`. */
  readonly expected?: string;
}

export interface ValidateOptions {
  /** Report fields marked readOnly (status) as `read-only` issues. Default false. */
  readonly reportReadOnly?: boolean;
  /** Stop after this many issues. Default 1000. */
  readonly maxIssues?: number;
}

interface Resolver {
  resolve(schema: JsonSchema): JsonSchema;
}

const MAX_DEPTH = 256;

/** Upstream's resource.Quantity grammar: a signed decimal with an optional binary/decimal SI suffix or exponent. */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
/** RFC 3339 date-time, as metav1.Time / MicroTime serialise. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value.trim()) && value.trim() === value;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** `spec.template.spec.containers[0].image`, as the API server names fields. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

/** Expected JSON types of a resolved schema, or undefined when anything goes. */
function expectedTypes(s: JsonSchema, resolver: Resolver): string[] | undefined {
  if (s.type) return [s.type];
  if (s.anyOf) {
    const out: string[] = [];
    for (const alt of s.anyOf) {
      const t = expectedTypes(resolver.resolve(alt), resolver);
      if (!t) return undefined;
      out.push(...t);
    }
    return out;
  }
  return undefined;
}

function typeMatches(actual: string, expected: string[]): boolean {
  return expected.includes(actual) || (actual === 'integer' && expected.includes('number'));
}

/** Validates `value` against `schema`; `path` is the value's own path (usually []). */
export function validateValue(value: unknown, schema: JsonSchema, resolver: Resolver, options: ValidateOptions = {}, path: IssuePath = []): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const max = options.maxIssues ?? 1000;
  const add = (i: SchemaIssue) => { if (issues.length < max) issues.push(i); };

  const visit = (v: unknown, raw: JsonSchema, p: (string | number)[], depth: number): void => {
    if (v === null || v === undefined || issues.length >= max || depth > MAX_DEPTH) return;
    const s = resolver.resolve(raw);
    if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) return;
    const expected = expectedTypes(s, resolver);
    const actual = jsonType(v);
    if (expected && !typeMatches(actual, expected)) {
      const exp = expected.join(' or ');
      add({ code: 'type', path: p, expected: exp, message: `Incorrect type: expected ${exp}, got ${actual === 'integer' ? 'number' : actual}.` });
      return;
    }
    if (s.enum && typeof v === 'string' && !s.enum.includes(v)) {
      add({ code: 'enum', path: p, allowed: s.enum.map(String), message: `Unsupported value "${v}": supported values: ${s.enum.map((e) => `"${String(e)}"`).join(', ')}.` });
    }
    if (s.format && typeof v === 'string') {
      if (s.format === 'quantity' && !isQuantity(v)) {
        add({ code: 'format', path: p, expected: 'quantity', message: `"${v}" is not a quantity: use a number with an optional suffix (e.g. 500m, 1.5, 128Mi, 2Gi).` });
      } else if (s.format === 'date-time' && !DATE_TIME.test(v)) {
        add({ code: 'format', path: p, expected: 'date-time', message: `"${v}" is not an RFC 3339 date-time (e.g. 2024-01-31T12:00:00Z).` });
      }
    }
    if (actual === 'array' && s.items) {
      const arr = v as unknown[];
      for (let i = 0; i < arr.length; i++) visit(arr[i], s.items, [...p, i], depth + 1);
      return;
    }
    if (actual !== 'object') return;
    const obj = v as Record<string, unknown>;
    const props = s.properties;
    if (props) {
      for (const key of Object.keys(obj)) {
        const ps = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
        if (ps) {
          if (ps.readOnly && options.reportReadOnly && obj[key] !== null) {
            add({ code: 'read-only', path: [...p, key], field: key, message: `"${key}" is read-only: it is written by the system and ignored in a manifest.` });
            continue;
          }
          visit(obj[key], ps, [...p, key], depth + 1);
        } else if (typeof s.additionalProperties === 'object') {
          visit(obj[key], s.additionalProperties, [...p, key], depth + 1);
        } else if (!s.additionalProperties && !s['x-kubernetes-preserve-unknown-fields']) {
          add({ code: 'unknown-field', path: [...p, key], field: key, allowed: Object.keys(props), message: `Unknown field "${key}".` });
        }
      }
      for (const req of s.required ?? []) {
        // A read-only field (status) is written by the system, never required of a manifest.
        if (props[req]?.readOnly) continue;
        if (obj[req] === undefined || obj[req] === null) {
          add({ code: 'required', path: p, field: req, message: `Missing required field "${req}".` });
        }
      }
    } else if (typeof s.additionalProperties === 'object') {
      for (const key of Object.keys(obj)) visit(obj[key], s.additionalProperties, [...p, key], depth + 1);
    }
  };
  visit(value, schema, [...path], 0);
  return issues;
}

/**
 * Paths of the fields the schema does not know (`spec.replica`, `spec.template.spec.containers[0].imagePulPolicy`),
 * for strict field validation (`fieldValidation=Strict|Warn`): upstream reports each as `unknown field "<path>"`.
 */
export function unknownFields(value: unknown, schema: JsonSchema, resolver: Resolver): string[] {
  return validateValue(value, schema, resolver, { maxIssues: 10_000 })
    .filter((i) => i.code === 'unknown-field')
    .map((i) => formatPath(i.path));
}
