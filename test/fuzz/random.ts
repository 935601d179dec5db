/**
 * Deterministic randomness for the fuzz tests: a seeded PRNG and generators/mutators of JSON values, text
 * and bytes. Every input is derived from (seed, target, index), so a failure is reproducible from those.
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough to drive mutations. */
export function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];
export const chance = (r: Rng, p: number): boolean => r() < p;

/** Keys that matter to the decoders: directives, merge keys, prototype names, pointer escapes. */
export const KEYS = [
  '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/env', '$setElementOrder/finalizers',
  '$deleteFromPrimitiveList/finalizers', '$deleteFromPrimitiveList/args', '$bogus', '__proto__', 'constructor', 'prototype',
  'name', 'image', 'containers', 'initContainers', 'env', 'value', 'ports', 'containerPort', 'protocol', 'volumes',
  'volumeMounts', 'mountPath', 'metadata', 'spec', 'status', 'template', 'labels', 'annotations', 'finalizers',
  'ownerReferences', 'uid', 'conditions', 'type', 'replicas', 'strategy', 'rollingUpdate', 'managedFields', 'fieldsV1',
  'f:spec', 'k:{"name":"a"}', 'v:"x"', '.', 'apiVersion', 'kind', '', '~', '~1', '/', 'a/b', 'x', 'y',
];
const STRINGS = ['', 'a', 'nginx', 'replace', 'delete', 'merge', 'Apply', 'Update', 'TCP', '-', '0', '/', '~0', '\u0000', 'é', '🙂', 'x'.repeat(300)];
const NUMBERS = [0, -0, 1, -1, 80, 2 ** 31, -(2 ** 31), 2 ** 53, 1e308, -1e-308, 0.5];

export function randomJson(r: Rng, depth = 4): unknown {
  const k = int(r, depth <= 0 ? 4 : 7);
  switch (k) {
    case 0:
      return null;
    case 1:
      return chance(r, 0.5);
    case 2:
      return pick(r, NUMBERS);
    case 3:
      return pick(r, STRINGS);
    case 4:
    case 5: {
      const o: Record<string, unknown> = {};
      const n = int(r, 4);
      for (let i = 0; i < n; i++) defineKey(o, pick(r, KEYS), randomJson(r, depth - 1));
      return o;
    }
    default: {
      const n = int(r, 4);
      return Array.from({ length: n }, () => randomJson(r, depth - 1));
    }
  }
}

function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
}

/** Every path (as key lists) to a node of a JSON value, bounded. */
export function paths(v: unknown, max = 200): (string | number)[][] {
  const out: (string | number)[][] = [[]];
  const stack: [unknown, (string | number)[]][] = [[v, []]];
  while (stack.length > 0 && out.length < max) {
    const [cur, p] = stack.pop() as [unknown, (string | number)[]];
    if (Array.isArray(cur)) cur.forEach((c, i) => { out.push([...p, i]); stack.push([c, [...p, i]]); });
    else if (cur !== null && typeof cur === 'object') {
      for (const [k, c] of Object.entries(cur)) { out.push([...p, k]); stack.push([c, [...p, k]]); }
    }
  }
  return out;
}

/** A mutated deep copy: some nodes replaced, removed, duplicated, wrapped or given directive keys. */
export function mutateJson(r: Rng, value: unknown, rounds = 1 + int(r, 4)): unknown {
  let root = structuredClone(value);
  for (let i = 0; i < rounds; i++) {
    const ps = paths(root);
    const p = pick(r, ps);
    if (p.length === 0) {
      if (chance(r, 0.1)) root = randomJson(r);
      continue;
    }
    let parent: unknown = root;
    for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k];
    const last = p[p.length - 1];
    const container = parent as Record<string | number, unknown> & unknown[];
    switch (int(r, 7)) {
      case 0:
        container[last] = randomJson(r, 2);
        break;
      case 1:
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete container[last];
        break;
      case 2:
        container[last] = null;
        break;
      case 3:
        container[last] = [container[last]];
        break;
      case 4: {
        const target = container[last];
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
          defineKey(target as Record<string, unknown>, pick(r, KEYS), pick(r, [pick(r, STRINGS), [pick(r, STRINGS)], { name: 'a' }, randomJson(r, 1)]));
        }
        break;
      }
      case 5:
        if (Array.isArray(container)) container.push(structuredClone(container[Number(last)]));
        break;
      default:
        container[last] = pick(r, STRINGS);
    }
  }
  return root;
}

/** Byte-level mutations: flips, inserts, deletes, splices, truncation, duplication. */
export function mutateBytes(r: Rng, input: Uint8Array, rounds = 1 + int(r, 4)): Buffer {
  let b = Buffer.from(input);
  for (let i = 0; i < rounds; i++) {
    const pos = b.length === 0 ? 0 : int(r, b.length);
    switch (int(r, 7)) {
      case 0:
        if (b.length > 0) b[pos] ^= 1 << int(r, 8);
        break;
      case 1:
        if (b.length > 0) b[pos] = int(r, 256);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, pos), Buffer.from(Array.from({ length: 1 + int(r, 8) }, () => int(r, 256))), b.subarray(pos)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, pos), b.subarray(Math.min(b.length, pos + 1 + int(r, 16)))]);
        break;
      case 4:
        b = b.subarray(0, pos);
        break;
      case 5: {
        const len = int(r, 32);
        b = Buffer.concat([b.subarray(0, pos), b.subarray(pos, pos + len), b.subarray(pos)]);
        break;
      }
      default:
        // A plausible varint that is huge or a field tag with an odd wire type.
        b = Buffer.concat([b.subarray(0, pos), Buffer.from(pick(r, [[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80], [0x0b], [0x0c], [0x7a, 0x05], [0x3a, 0xff, 0x01]])), b.subarray(pos)]);
    }
  }
  return b;
}

/** Text mutations aimed at YAML/JSON syntax. */
export function mutateText(r: Rng, s: string, rounds = 1 + int(r, 4)): string {
  const pieces = ['[', ']', '{', '}', ':', ': ', '- ', '\n', '  ', '"', "'", '&a ', '*a', '!!binary ', '? ', '#', ',', '\t', '|', '>', '---\n', '...\n', '\\u0000', '%YAML 1.2\n', '<<: *a'];
  let t = s;
  for (let i = 0; i < rounds; i++) {
    const pos = int(r, t.length + 1);
    switch (int(r, 4)) {
      case 0:
        t = t.slice(0, pos) + pick(r, pieces) + t.slice(pos);
        break;
      case 1:
        t = t.slice(0, pos) + t.slice(pos + 1 + int(r, 8));
        break;
      case 2:
        t = t.slice(0, pos) + t.slice(pos, pos + int(r, 40)) + t.slice(pos);
        break;
      default:
        t = t.slice(0, pos);
    }
  }
  return t;
}
