/**
 * Fuzz targets over the request-body decode paths: each `run(rng)` builds one input, feeds it through a
 * decoder and answers 'ok' or 'rejected' (a clean PatchError / ProtobufError / JSON SyntaxError, which the
 * API answers with a 4xx Status). Anything else thrown — a TypeError, a RangeError, a non-object result —
 * is a crash, and the harness reports it with the input.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { PatchError, applyPatch, decodeApplyBody } from '../../engine/apiserver/patch/index.ts';
import { serverSideApply, trackUpdate } from '../../engine/apiserver/patch/apply.ts';
import { ProtobufError, decodeProtobuf } from '../../engine/apiserver/protobuf/index.ts';
import { R } from '../../engine/api/resources.ts';
import type { KubeObject } from '../../engine/api/client.ts';
import { toTable } from '../../engine/registry/printers/index.ts';
import { envelope, lenField, varintField } from './protobuf-encode.ts';
import { KEYS, chance, int, mutateBytes, mutateJson, mutateText, pick, randomJson } from './random.ts';
import type { Rng } from './random.ts';

export type Outcome = 'ok' | 'rejected';

export interface Target {
  name: string;
  /** Share of the total input budget. */
  weight: number;
  run(r: Rng): { outcome: Outcome; input: unknown };
}

/** Thrown for anything that is not a clean rejection. */
export class FuzzCrash extends Error {
  constructor(readonly input: unknown, readonly reason: unknown) {
    super(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  }
}

function guard(input: unknown, fn: () => unknown, clean: (e: unknown) => boolean): { outcome: Outcome; input: unknown } {
  try {
    const out = fn();
    if (out !== undefined && (typeof out !== 'object' || out === null || Array.isArray(out))) {
      throw new Error(`decoder answered a non-object: ${JSON.stringify(out)?.slice(0, 100)}`);
    }
    return { outcome: 'ok', input };
  } catch (err) {
    if (clean(err)) return { outcome: 'rejected', input };
    throw new FuzzCrash(input, err);
  }
}

const isPatchError = (e: unknown): boolean => e instanceof PatchError;

const container = (name: string, image: string) => ({
  name, image,
  ports: [{ containerPort: 80, protocol: 'TCP' }],
  env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
});

export const SEEDS: { gvk: { group: string; version: string; kind: string }; obj: Record<string, unknown> }[] = [
  {
    gvk: { group: 'apps', version: 'v1', kind: 'Deployment' },
    obj: {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a/b'], ownerReferences: [{ uid: 'u1', name: 'o', kind: 'K', apiVersion: 'v1' }] },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('nginx', 'nginx:1.25'), container('side', 'busybox')], volumes: [{ name: 'data', emptyDir: {} }] } },
      },
      status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
    },
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Pod' },
    obj: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } },
      spec: { containers: [container('a', 'x')], initContainers: [container('i', 'y')], tolerations: [{ key: 'k', operator: 'Exists' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '10.0.0.1' }] },
    },
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Node' },
    obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { podCIDRs: ['10.0.0.0/24'] }, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '1.2.3.4' }] } },
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Service' },
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { a: 'b' } } },
  },
  {
    gvk: { group: 'example.com', version: 'v1', kind: 'Widget' },
    obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [1, 2], size: 3 } },
  },
];

function jsonPatchOps(r: Rng, doc: unknown): unknown {
  const ops = ['add', 'add', 'remove', 'replace', 'replace', 'move', 'copy', 'test'];
  const pointer = (): string => {
    if (chance(r, 0.1)) return pick(r, ['', '/', 'x', '/-', '/a~', '/a~2', '/~1~0', '/spec/template/spec/containers/-', '/metadata/labels/a~1b', '/spec/template/spec/containers/01']);
    const parts: string[] = [];
    let cur: unknown = doc;
    const depth = int(r, 6);
    for (let i = 0; i < depth; i++) {
      if (Array.isArray(cur) && cur.length > 0) {
        const idx = chance(r, 0.8) ? int(r, cur.length + 1) : -1;
        parts.push(idx < 0 ? '-' : String(idx));
        cur = cur[idx];
      } else if (cur !== null && typeof cur === 'object') {
        const keys = Object.keys(cur);
        const k = chance(r, 0.85) && keys.length > 0 ? pick(r, keys) : pick(r, KEYS);
        parts.push(k.replace(/~/g, '~0').replace(/\//g, '~1'));
        cur = (cur as Record<string, unknown>)[k];
      } else {
        parts.push(pick(r, KEYS));
      }
    }
    return `/${parts.join('/')}`;
  };
  const n = 1 + int(r, 3);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const op: Record<string, unknown> = { op: chance(r, 0.03) ? pick(r, ['bogus', '', 'ADD']) : pick(r, ops), path: pointer() };
    if (chance(r, 0.8)) op.value = chance(r, 0.5) ? randomJson(r, 2) : pick(r, ['x', 1, { name: 'a' }]);
    if (chance(r, 0.5)) op.from = pointer();
    out.push(chance(r, 0.05) ? mutateJson(r, op) : op);
  }
  return chance(r, 0.03) ? randomJson(r) : out;
}

function smpPatch(r: Rng): unknown {
  const base = pick(r, [
    { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } },
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'nginx' }], containers: [{ name: 'nginx', env: [{ name: 'C', value: '3' }] }] } } } },
    { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } },
    { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } },
    { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    { metadata: { finalizers: ['c/d'], '$deleteFromPrimitiveList/finalizers': ['a/b'], '$setElementOrder/finalizers': ['c/d', 'a/b'] } },
    { metadata: { labels: { app: null, $patch: 'replace' } } },
    { status: { conditions: [{ type: 'Ready', status: 'False' }] }, spec: { podCIDRs: ['x'], unschedulable: true } },
    { spec: { ports: [{ port: 80, protocol: 'UDP' }] } },
  ]);
  return chance(r, 0.1) ? randomJson(r) : mutateJson(r, base);
}

const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'protobuf');
let fixtures: Buffer[] | undefined;
function protobufFixtures(): Buffer[] {
  fixtures ??= readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.bin')).sort().map((f) => readFileSync(join(FIXTURE_DIR, f)));
  return fixtures;
}

const KINDS = [
  ['v1', 'Namespace'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['batch/v1', 'Job'],
  ['authorization.k8s.io/v1', 'SelfSubjectAccessReview'], ['apps/v1', 'StatefulSet'], ['', ''],
];

/** A structurally plausible message: random fields with random wire types, nested. */
function randomMessage(r: Rng, depth: number): Buffer {
  const parts: Buffer[] = [];
  const n = int(r, 6);
  for (let i = 0; i < n; i++) {
    const field = pick(r, [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 17, 99, 536870911]);
    if (depth > 0 && chance(r, 0.4)) parts.push(lenField(field, randomMessage(r, depth - 1)));
    else if (chance(r, 0.5)) parts.push(lenField(field, pick(r, ['', 'x', 'nginx', '\u00e9'])));
    else parts.push(varintField(field, pick(r, [0, 1, -1, 2 ** 40, 300])));
  }
  return Buffer.concat(parts);
}

const isProtobufError = (e: unknown): boolean => e instanceof ProtobufError;

export const TARGETS: Target[] = [
  {
    name: 'protobuf: mutated kubectl bodies',
    weight: 30,
    run: (r) => {
      const body = mutateBytes(r, pick(r, protobufFixtures()));
      return guard(body, () => decodeProtobuf(body), isProtobufError);
    },
  },
  {
    name: 'protobuf: random messages in valid envelopes',
    weight: 10,
    run: (r) => {
      const [apiVersion, kind] = pick(r, KINDS);
      let body = envelope(apiVersion, kind, randomMessage(r, 3));
      if (chance(r, 0.3)) body = mutateBytes(r, body);
      return guard(body, () => decodeProtobuf(body), isProtobufError);
    },
  },
  {
    name: 'protobuf: random bytes',
    weight: 5,
    run: (r) => {
      const n = int(r, 64);
      const raw = Buffer.from(Array.from({ length: n }, () => int(r, 256)));
      const body = chance(r, 0.7) ? Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), raw]) : raw;
      return guard(body, () => decodeProtobuf(body), isProtobufError);
    },
  },
  {
    name: 'json patch',
    weight: 12,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const doc = chance(r, 0.1) ? mutateJson(r, seed.obj) : seed.obj;
      const patch = jsonPatchOps(r, doc);
      return guard({ doc, patch }, () => applyPatch(doc as object, 'json', patch, seed.gvk), isPatchError);
    },
  },
  {
    name: 'merge patch',
    weight: 6,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const patch = chance(r, 0.5) ? randomJson(r) : mutateJson(r, seed.obj);
      return guard({ patch }, () => applyPatch(seed.obj, 'merge', patch, seed.gvk), isPatchError);
    },
  },
  {
    name: 'strategic merge patch',
    weight: 15,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const doc = chance(r, 0.2) ? mutateJson(r, seed.obj) : seed.obj;
      const patch = chance(r, 0.3) ? mutateJson(r, seed.obj) : smpPatch(r);
      return guard({ doc, patch }, () => applyPatch(doc as object, 'strategic', patch, seed.gvk), isPatchError);
    },
  },
  {
    name: 'JSON text → strategic merge patch',
    weight: 5,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const text = mutateText(r, JSON.stringify(smpPatch(r)));
      return guard(text, () => {
        let patch: unknown;
        try {
          patch = JSON.parse(text);
        } catch (err) {
          if (err instanceof SyntaxError) throw new PatchError(400, err.message);
          throw err;
        }
        return applyPatch(seed.obj, 'strategic', patch, seed.gvk);
      }, isPatchError);
    },
  },
  {
    name: 'server-side apply',
    weight: 7,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const live0 = chance(r, 0.2) ? undefined : serverSideApply(undefined, seed.obj, { manager: 'm1', force: false, gvk: seed.gvk, now: new Date(0) }).object;
      const live = live0 !== undefined && chance(r, 0.3) ? mutateJson(r, live0) : live0;
      const applied = chance(r, 0.1) ? randomJson(r) : mutateJson(r, seed.obj);
      const manager = pick(r, ['m1', 'm2', 'kubectl', '']);
      const input = { live, applied, manager };
      return guard(input, () => {
        const res = serverSideApply(live as object | undefined, applied as object, { manager, force: chance(r, 0.5), gvk: seed.gvk, now: new Date(0) });
        if (!Array.isArray(res.conflicts)) throw new Error('conflicts is not a list');
        return res.object;
      }, isPatchError);
    },
  },
  {
    name: 'update tracking',
    weight: 3,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const old = chance(r, 0.2) ? undefined : trackUpdate(undefined, seed.obj, 'a', new Date(0));
      const next = mutateJson(r, old ?? seed.obj);
      return guard({ old, next }, () => trackUpdate(old, next as object, 'b', new Date(0)), isPatchError);
    },
  },
  {
    name: 'YAML apply body → server-side apply',
    weight: 5,
    run: (r) => {
      const seed = pick(r, SEEDS);
      const text = chance(r, 0.8) ? mutateText(r, yamlStringify(seed.obj)) : mutateText(r, JSON.stringify(seed.obj));
      return guard(text, () => {
        const cfg = decodeApplyBody(text);
        return serverSideApply(undefined, cfg, { manager: 'm', force: false, gvk: seed.gvk, now: new Date(0) }).object;
      }, isPatchError);
    },
  },
  {
    name: 'printers',
    weight: 2,
    run: (r) => {
      const types = Object.values(R);
      const type = pick(r, types);
      const objs = [mutateJson(r, pick(r, SEEDS).obj), randomJson(r)].filter((o) => o !== null && typeof o === 'object') as KubeObject[];
      return guard(objs, () => toTable(type, objs, { wide: chance(r, 0.5), now: new Date(0) }), () => false);
    },
  },
];
