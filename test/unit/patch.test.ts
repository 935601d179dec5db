import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyPatch, patchTypeOf } from '../../engine/apiserver/patch/index.ts';
import { applyMergePatch } from '../../engine/apiserver/patch/merge-patch.ts';
import { applyJsonPatch, parsePointer } from '../../engine/apiserver/patch/json-patch.ts';
import { TYPES } from '../../engine/apiserver/patch/strategy.ts';

const DEPLOY = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD = { group: '', version: 'v1', kind: 'Pod' };
const NODE = { group: '', version: 'v1', kind: 'Node' };
const CM = { group: '', version: 'v1', kind: 'ConfigMap' };
const CR = { group: 'example.com', version: 'v1', kind: 'Widget' };

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PatchError, `expected PatchError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected a PatchError');
}

describe('patchTypeOf', () => {
  it('maps the four patch content types and ignores parameters', () => {
    assert.equal(patchTypeOf('application/json-patch+json'), 'json');
    assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge');
    assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic');
    assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
    assert.equal(patchTypeOf('application/json'), undefined);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { name: 'a', labels: { x: '1' } }, spec: { list: [1, 2, 3] } };

  it('adds, removes, replaces, moves, copies and tests', () => {
    const out = applyPatch(doc, 'json', [
      { op: 'add', path: '/metadata/labels/y', value: '2' },
      { op: 'remove', path: '/metadata/labels/x' },
      { op: 'replace', path: '/spec/list/0', value: 10 },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'add', path: '/spec/list/1', value: 99 },
      { op: 'copy', from: '/spec/list', path: '/spec/copy' },
      { op: 'move', from: '/metadata/labels/y', path: '/metadata/moved' },
      { op: 'test', path: '/spec/copy/0', value: 10 },
    ], POD);
    assert.deepEqual(out, { metadata: { name: 'a', labels: {}, moved: '2' }, spec: { list: [10, 99, 2, 3, 4], copy: [10, 99, 2, 3, 4] } });
    assert.deepEqual(doc.spec.list, [1, 2, 3], 'input not mutated');
  });

  it('unescapes ~1 and ~0 in pointers (annotation keys with slashes)', () => {
    const o = { metadata: { annotations: { 'a/b': 'x', 'c~d': 'y' } } };
    const out = applyPatch(o, 'json', [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'z' },
      { op: 'remove', path: '/metadata/annotations/c~0d' },
    ], POD);
    assert.deepEqual(out, { metadata: { annotations: { 'a/b': 'z' } } });
    assert.deepEqual(parsePointer('/a~01/b~1c'), ['a~1', 'b/c']);
  });

  it('reads array indexes as upstream does: negative from the end, leading zeros allowed', () => {
    assert.deepEqual((applyPatch(doc, 'json', [{ op: 'remove', path: '/spec/list/-1' }], POD) as typeof doc).spec.list, [1, 2]);
    assert.deepEqual((applyPatch(doc, 'json', [{ op: 'replace', path: '/spec/list/01', value: 9 }], POD) as typeof doc).spec.list, [1, 9, 3]);
  });

  it('test compares deeply and fails with 422', () => {
    assert.doesNotThrow(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/labels', value: { x: '1' } }]));
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'test', path: '/metadata/name', value: 'b' }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'test', path: '/nope', value: 1 }], POD)), 422);
  });

  it('answers 422 for operations that cannot apply', () => {
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'remove', path: '/metadata/missing' }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'replace', path: '/metadata/missing', value: 1 }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'add', path: '/a/b/c', value: 1 }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'add', path: '/spec/list/9', value: 1 }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'add', path: '/spec/list/x', value: 1 }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'remove', path: '/spec/list/-4' }], POD)), 422);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'move', from: '/spec', path: '/spec/x' }], POD)), 422);
  });

  it('answers 400 for malformed documents', () => {
    assert.equal(code(() => applyPatch(doc, 'json', { op: 'add' }, POD)), 400);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'frobnicate', path: '/a' }], POD)), 400);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'add', path: 'no-slash', value: 1 }], POD)), 400);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'add', path: '/a' }], POD)), 400);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'copy', path: '/a' }], POD)), 400);
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'add', path: '/a~2', value: 1 }], POD)), 400);
    assert.equal(code(() => applyPatch(doc, 'json', [7], POD)), 400);
  });

  it('refuses a result that is not an object', () => {
    assert.equal(code(() => applyPatch(doc, 'json', [{ op: 'replace', path: '', value: [1] }], POD)), 400);
  });

  it('never turns __proto__ keys into prototype changes', () => {
    const out = applyPatch({}, 'json', [{ op: 'add', path: '/__proto__', value: { polluted: true } }], POD) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), want);
    });
  }

  it('replaces lists whole, even merge-keyed ones', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
    assert.deepEqual(applyPatch(pod, 'merge', { spec: { containers: [{ name: 'b', image: 'z' }] } }, POD), { spec: { containers: [{ name: 'b', image: 'z' }] } });
  });

  it('scale-style and label-style patches', () => {
    const d = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1 } };
    assert.deepEqual(applyPatch(d, 'merge', { spec: { replicas: 3 } }, DEPLOY), { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 3 } });
    assert.deepEqual(applyPatch(d, 'merge', { metadata: { labels: { app: null, tier: 'fe' } } }, DEPLOY), { metadata: { name: 'web', labels: { tier: 'fe' } }, spec: { replicas: 1 } });
  });

  it('refuses a non-object result with 400', () => {
    assert.equal(code(() => applyPatch({ a: 1 }, 'merge', [1], CM)), 400);
  });
});

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', finalizers: ['a.example/x'], ownerReferences: [{ uid: 'u1', name: 'o1', kind: 'K', apiVersion: 'v1' }] },
  spec: {
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
});

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test navigation of patched JSON
const podSpec = (o: object): Any => (o as Any).spec.template.spec;

describe('strategic merge patch', () => {
  it('merges containers by name, keeping the others (kubectl set image)', () => {
    const out = applyPatch(deployment(), 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } }, DEPLOY);
    const cs = podSpec(out).containers;
    assert.equal(cs.length, 2);
    assert.equal(cs[0].image, 'nginx:1.26');
    assert.deepEqual(cs[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], 'untouched fields stay');
    assert.equal(cs[1].name, 'sidecar');
  });

  it('puts new list elements before the server-only ones, as upstream (kubectl patch docs), and merges env by name', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '20' }, { name: 'C', value: '3' }] }, { name: 'new', image: 'x' }] } } },
    }, DEPLOY);
    const cs = podSpec(out).containers;
    assert.deepEqual(cs.map((c: Any) => c.name), ['nginx', 'new', 'sidecar']);
    assert.deepEqual(cs[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '20' }, { name: 'C', value: '3' }]);
  });

  it('merges ports by containerPort, volumeMounts by mountPath and volumes by name', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: {
        containers: [{ name: 'nginx', ports: [{ containerPort: 443 }], volumeMounts: [{ mountPath: '/data', readOnly: true }] }],
        volumes: [{ name: 'cfg', configMap: { name: 'c' } }],
      } } },
    }, DEPLOY);
    const c = podSpec(out).containers[0];
    assert.deepEqual(c.ports, [{ containerPort: 443 }, { containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
    assert.deepEqual(podSpec(out).volumes.map((v: Any) => v.name), ['cfg', 'data']);
  });

  it('replaces lists without a patch strategy (tolerations)', () => {
    const out = applyPatch(deployment(), 'strategic', { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } } }, DEPLOY);
    assert.deepEqual(podSpec(out).tolerations, [{ key: 'b', operator: 'Exists' }]);
  });

  it('$patch: delete removes a list element by merge key', () => {
    const out = applyPatch(deployment(), 'strategic', { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } }, DEPLOY);
    assert.deepEqual(podSpec(out).containers.map((c: Any) => c.name), ['nginx']);
  });

  it('$patch: replace on a list replaces it with the other elements', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } },
    }, DEPLOY);
    assert.deepEqual(podSpec(out).containers, [{ name: 'only', image: 'x' }]);
  });

  it('$patch: replace on a map replaces the map', () => {
    const out = applyPatch(deployment(), 'strategic', { spec: { template: { metadata: { labels: { tier: 'fe', $patch: 'replace' } } } } }, DEPLOY);
    assert.deepEqual((out as Any).spec.template.metadata.labels, { tier: 'fe' });
  });

  it('$patch: delete on a map removes it', () => {
    const out = applyPatch(deployment(), 'strategic', { spec: { strategy: { $patch: 'delete' } } }, DEPLOY);
    assert.equal((out as Any).spec.strategy, undefined);
  });

  it('null deletes a field (rollout resume)', () => {
    const d = { ...deployment(), spec: { ...deployment().spec, paused: true } };
    const out = applyPatch(d, 'strategic', { spec: { paused: null } }, DEPLOY);
    assert.equal('paused' in (out as Any).spec, false);
  });

  it('$retainKeys clears the union members the patch does not keep (Recreate strategy)', () => {
    const out = applyPatch(deployment(), 'strategic', { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOY);
    assert.deepEqual((out as Any).spec.strategy, { type: 'Recreate' });
    // What kubectl apply really sends when a manifest switches to Recreate.
    const kubectl = applyPatch(deployment(), 'strategic', { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } }, DEPLOY);
    assert.deepEqual((kubectl as Any).spec.strategy, { type: 'Recreate' });
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { strategy: { $retainKeys: 'type' } } }, DEPLOY)), 400);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, DEPLOY)), 422);
  });

  it('finalizers merge as a set (server order, then new ones); $deleteFromPrimitiveList removes entries', () => {
    const out = applyPatch(deployment(), 'strategic', { metadata: { finalizers: ['b.example/y', 'a.example/x'] } }, DEPLOY);
    assert.deepEqual((out as Any).metadata.finalizers, ['a.example/x', 'b.example/y']);
    const out2 = applyPatch(out, 'strategic', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example/x'] } }, DEPLOY);
    assert.deepEqual((out2 as Any).metadata.finalizers, ['b.example/y']);
  });

  it('ownerReferences merge by uid', () => {
    const out = applyPatch(deployment(), 'strategic', { metadata: { ownerReferences: [{ uid: 'u2', name: 'o2', kind: 'K', apiVersion: 'v1' }, { uid: 'u1', controller: true }] } }, DEPLOY);
    assert.deepEqual((out as Any).metadata.ownerReferences, [
      { uid: 'u2', name: 'o2', kind: 'K', apiVersion: 'v1' },
      { uid: 'u1', name: 'o1', kind: 'K', apiVersion: 'v1', controller: true },
    ]);
  });

  it('$setElementOrder orders the merged list (client-side apply body)', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }],
        containers: [{ name: 'nginx', image: 'nginx:1.26' }],
      } } },
    }, DEPLOY);
    assert.deepEqual(podSpec(out).containers.map((c: Any) => `${c.name}=${c.image}`), ['sidecar=busybox', 'nginx=nginx:1.26']);
  });

  it('$setElementOrder for finalizers reorders a primitive list', () => {
    const out = applyPatch(deployment(), 'strategic', { metadata: { '$setElementOrder/finalizers': ['b', 'a.example/x'], finalizers: ['b'] } }, DEPLOY);
    assert.deepEqual((out as Any).metadata.finalizers, ['b', 'a.example/x']);
  });

  it('$setElementOrder for env, with a new element in the middle', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: { containers: [{
        name: 'nginx',
        '$setElementOrder/env': [{ name: 'A' }, { name: 'N' }, { name: 'B' }],
        env: [{ name: 'N', value: 'new' }],
      }] } } },
    }, DEPLOY);
    assert.deepEqual(podSpec(out).containers[0].env.map((e: Any) => e.name), ['A', 'N', 'B']);
  });

  it('the research example: kubectl apply with last-applied annotation', () => {
    const out = applyPatch(deployment(), 'strategic', {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } } },
    }, DEPLOY);
    assert.equal((out as Any).metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{}\n');
    assert.equal(podSpec(out).containers[0].image, 'nginx:1.26');
    assert.equal(podSpec(out).containers.length, 2, 'the server-only container stays');
  });

  it('node conditions and addresses merge by type; podCIDRs as a set (cordon too)', () => {
    const node = { spec: { podCIDRs: ['10.0.0.0/24'] }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }], addresses: [{ type: 'InternalIP', address: '1.1.1.1' }] } };
    const out = applyPatch(node, 'strategic', { spec: { unschedulable: true, podCIDRs: ['10.0.1.0/24'] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }, NODE) as Any;
    assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }]);
    assert.deepEqual(out.spec.podCIDRs, ['10.0.0.0/24', '10.0.1.0/24']);
    assert.equal(out.spec.unschedulable, true);
  });

  it('pod status conditions merge by type; containers in a Pod by name', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'x' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
    const out = applyPatch(pod, 'strategic', { spec: { containers: [{ name: 'a', image: 'y' }] }, status: { conditions: [{ type: 'PodScheduled', status: 'True' }] } }, POD) as Any;
    assert.deepEqual(out.spec.containers, [{ name: 'a', image: 'y' }]);
    assert.deepEqual(out.status.conditions.map((c: Any) => c.type), ['PodScheduled', 'Ready']);
  });

  it('CronJob pod templates are found through jobTemplate', () => {
    const cj = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } } } };
    const out = applyPatch(cj, 'strategic', { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'z' }] } } } } } }, { group: 'batch', version: 'v1', kind: 'CronJob' }) as Any;
    assert.deepEqual(out.spec.jobTemplate.spec.template.spec.containers, [{ name: 'a', image: 'x' }, { name: 'b', image: 'z' }]);
  });

  it('built-in kinds without lists behave as merge patch', () => {
    const out = applyPatch({ data: { a: '1', b: '2' } }, 'strategic', { data: { a: null, c: '3' } }, CM);
    assert.deepEqual(out, { data: { b: '2', c: '3' } });
  });

  it('refuses custom resources with 415', () => {
    assert.equal(code(() => applyPatch({ spec: {} }, 'strategic', { spec: { a: 1 } }, CR)), 415);
    assert.doesNotThrow(() => applyPatch({ spec: {} }, 'merge', { spec: { a: 1 } }, CR));
  });

  it('answers 422 for an element without its merge key and 400 for bad directives', () => {
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, DEPLOY)), 422);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, DEPLOY)), 422);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { $patch: 'explode' } }, DEPLOY)), 400);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { template: { spec: { containers: ['x'] } } } }, DEPLOY)), 400);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, DEPLOY)), 400);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { spec: { template: { spec: { '$setElementOrder/containers': {} } } } }, DEPLOY)), 400);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', [1], DEPLOY)), 400);
    assert.equal(code(() => applyPatch(deployment(), 'strategic', { $bogus: 1 }, DEPLOY)), 400);
  });

  it('does not mutate its inputs', () => {
    const d = deployment();
    const before = JSON.stringify(d);
    const patch = { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'z' }, { name: 'sidecar', $patch: 'delete' }] } } } };
    const pBefore = JSON.stringify(patch);
    applyPatch(d, 'strategic', patch, DEPLOY);
    assert.equal(JSON.stringify(d), before);
    assert.equal(JSON.stringify(patch), pBefore);
  });

  it('refuses absurdly deep input with 400 instead of recursing', () => {
    let deep: unknown = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    assert.equal(code(() => applyPatch({}, 'strategic', deep, DEPLOY)), 400);
    assert.equal(code(() => applyPatch({}, 'merge', deep, DEPLOY)), 400);
  });

  it('the strategy table only names types it defines', () => {
    for (const [tname, fields] of Object.entries(TYPES)) {
      for (const [fname, f] of Object.entries(fields)) {
        if (f.type) assert.ok(f.type in TYPES || f.list === 'map', `${tname}.${fname} → ${f.type}`);
        if (f.list === 'map') assert.ok(f.mergeKey, `${tname}.${fname} needs a merge key`);
      }
    }
  });
});
