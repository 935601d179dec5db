/**
 * Request bodies: read with a size cap (413 past 3 MiB, as upstream's default), then decode JSON or YAML
 * with guards against resource exhaustion — nesting deeper than MAX_DEPTH and YAML alias expansion are
 * rejected with 400 before any recursive code sees the value.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge } from '../registry/errors.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
export const MAX_DEPTH = 100;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(entityTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(entityTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(badRequest(`error reading the request body: ${e.message}`));
      }
    });
  });
}

/** Maximum bracket nesting of a JSON or flow-YAML text, counted outside strings; stops early past `cap`. */
export function bracketDepth(text: string, cap = MAX_DEPTH): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"') quote = '"';
    else if (ch === '{' || ch === '[') {
      depth++;
      if (depth > max) max = depth;
      if (max > cap) return max;
    } else if (ch === '}' || ch === ']') depth--;
  }
  return max;
}

/** Nesting depth of a decoded value, iteratively (never overflows the stack). */
export function valueDepth(value: unknown, cap = MAX_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > cap) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return max;
}

function tooDeep(): Error {
  return badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
}

export function parseJson(buf: Buffer | string): unknown {
  const text = typeof buf === 'string' ? buf : buf.toString('utf8');
  if (bracketDepth(text) > MAX_DEPTH) throw tooDeep();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** YAML (a JSON superset): one document, at most 100 alias expansions, bounded nesting. */
export function parseYamlBody(buf: Buffer | string): unknown {
  const text = typeof buf === 'string' ? buf : buf.toString('utf8');
  if (bracketDepth(text) > MAX_DEPTH) throw tooDeep();
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100, merge: true, uniqueKeys: false, strict: false });
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (valueDepth(value) > MAX_DEPTH) throw tooDeep();
  return value;
}

/** Decodes a body by media type: JSON for json-ish types, YAML for yaml ones. */
export function decodeBody(buf: Buffer, mediaType: string): unknown {
  if (buf.length === 0) throw badRequest('the request body is empty');
  if (mediaType.endsWith('yaml')) return parseYamlBody(buf);
  return parseJson(buf);
}
