// Fuzzed request bodies against every write endpoint of the in-process API server over real HTTPS: POST
// (create, subresources, access reviews), PUT, PATCH with each patch content type (and a bad one), DELETE
// with DeleteOptions bodies, deletecollection. JSON, YAML, protobuf and raw bytes, mutated from valid ones.
// Passes when no request is answered 5xx, every error reply is an upstream-shaped Status whose code is the
// HTTP status, and the engine still answers /readyz afterwards. WHEELHOUSE_FUZZ_HTTP sets the request count.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { startInProcessEngine, request, type InProcessHandle, type RawResponse } from '../support/engine.ts';
import { R, type ResourceType } from '../../engine/api/resources.ts';
import { rngFrom, seedOf, pick, chance, int, mutateJson, mutateBytes, mutateText, randomJson, type Rng } from '../fuzz/random.ts';
import { SEEDS } from '../fuzz/targets.ts';

const REQUESTS = Number(process.env.WHEELHOUSE_FUZZ_HTTP ?? 3000);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'protobuf');

function collection(t: ResourceType, ns = 'default'): string {
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  return t.namespaced ? `${base}/namespaces/${ns}/${t.resource}` : `${base}/${t.resource}`;
}

/** A valid-looking object of each kind, to mutate. */
function sample(t: ResourceType, name: string): Record<string, unknown> {
  const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
  const seed = SEEDS.find((s) => s.gvk.kind === t.kind);
  const base = seed ? structuredClone(seed.obj) : {};
  const podSpec = { containers: [{ name: 'c', image: 'busybox' }] };
  const specs: Record<string, unknown> = {
    ConfigMap: { data: { a: '1' } },
    Secret: { stringData: { a: '1' } },
    Job: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } },
    CronJob: { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } } } },
    StatefulSet: { spec: { selector: { matchLabels: { a: 'b' } }, serviceName: 's', template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } },
    ReplicaSet: { spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } },
    DaemonSet: { spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } },
    Pod: { spec: podSpec },
  };
  return { ...base, ...(specs[t.kind] as object ?? {}), apiVersion, kind: t.kind, metadata: { name, namespace: t.namespaced ? 'default' : undefined, labels: { fuzz: 'yes' } } };
}

interface Body {
  payload: string | Buffer;
  contentType: string;
}

function jsonBody(r: Rng, obj: unknown): Body {
  if (chance(r, 0.15)) return { payload: mutateText(r, JSON.stringify(obj)), contentType: 'application/json' };
  return { payload: JSON.stringify(chance(r, 0.1) ? randomJson(r) : mutateJson(r, obj)), contentType: 'application/json' };
}

let fixtures: Buffer[] = [];

function anyBody(r: Rng, obj: unknown): Body {
  switch (int(r, 8)) {
    case 0:
      return { payload: mutateBytes(r, pick(r, fixtures)), contentType: 'application/vnd.kubernetes.protobuf' };
    case 1:
      return { payload: chance(r, 0.5) ? pick(r, fixtures) : mutateBytes(r, Buffer.from(JSON.stringify(obj))), contentType: pick(r, ['application/vnd.kubernetes.protobuf', 'application/json', 'text/plain', 'application/yaml']) };
    case 2:
      return { payload: mutateText(r, yamlStringify(obj)), contentType: 'application/yaml' };
    default:
      return jsonBody(r, obj);
  }
}

function patchBody(r: Rng, obj: Record<string, unknown>): Body {
  switch (int(r, 6)) {
    case 0: {
      const ops = [{ op: pick(r, ['add', 'replace', 'remove', 'test', 'move', 'copy']), path: pick(r, ['/metadata/labels/x', '/spec/replicas', '/metadata/annotations', '/data/a', '/spec', '/metadata/name', '/-', '']), value: randomJson(r, 2), from: '/metadata/labels' }];
      return { payload: JSON.stringify(chance(r, 0.2) ? mutateJson(r, ops) : ops), contentType: 'application/json-patch+json' };
    }
    case 1:
      return { ...jsonBody(r, { metadata: { labels: { x: 'y' } }, spec: obj.spec }), contentType: 'application/merge-patch+json' };
    case 2:
      return { ...jsonBody(r, { metadata: { labels: { x: 'y' }, finalizers: ['a/b'] }, spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ name: 'c', image: 'x' }] } } } }), contentType: 'application/strategic-merge-patch+json' };
    case 3:
      return chance(r, 0.5)
        ? { payload: mutateText(r, yamlStringify(obj)), contentType: 'application/apply-patch+yaml' }
        : { ...jsonBody(r, obj), contentType: 'application/apply-patch+yaml' };
    case 4:
      return { payload: mutateBytes(r, Buffer.from(JSON.stringify(obj))), contentType: pick(r, ['application/strategic-merge-patch+json', 'application/json-patch+json', 'application/merge-patch+json']) };
    default:
      return { ...jsonBody(r, obj), contentType: pick(r, ['application/json', 'application/vnd.kubernetes.protobuf', 'text/plain', '']) };
  }
}

function assertStatus(res: RawResponse, what: string): void {
  assert.ok(res.status < 500, `${what}: answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    const b = res.body;
    assert.ok(b && typeof b === 'object', `${what}: ${res.status} without a JSON body: ${res.text.slice(0, 200)}`);
    assert.equal(b.kind, 'Status', `${what}: ${res.text.slice(0, 200)}`);
    assert.equal(b.apiVersion, 'v1');
    assert.equal(b.status, 'Failure');
    assert.equal(b.code, res.status, `${what}: Status.code ${b.code} vs HTTP ${res.status}`);
    assert.equal(typeof b.message, 'string');
    assert.equal(typeof b.reason, 'string');
  }
}

describe('fuzz over HTTPS: every write endpoint', () => {
  let h: InProcessHandle;
  before(async () => {
    fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin')).map((f) => readFileSync(join(FIXTURES, f)));
    h = await startInProcessEngine();
  });
  after(async () => {
    await h?.stop();
  });

  it(`${REQUESTS} fuzzed requests: 0 5xx, every error a Status`, async () => {
    const types = Object.values(R).filter((t) => t.kind !== 'Namespace' && t.kind !== 'Node' && t.kind !== 'CustomResourceDefinition');
    const seedObjects = async (): Promise<void> => {
      for (const t of types) {
        const res = await request(h, 'POST', collection(t), sample(t, 'fz'));
        assertStatus(res, `seed ${t.kind}`);
      }
    };
    await seedObjects();
    const counts = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      if (i > 0 && i % 250 === 0) await seedObjects();
      const r = rngFrom(seedOf(20261122, 'http', i));
      const t = pick(r, [...types, R.namespaces, R.nodes, R.customresourcedefinitions]);
      const name = chance(r, 0.8) ? 'fz' : pick(r, ['fz2', 'UPPER', 'a'.repeat(300), '..', '%00']);
      const item = `${collection(t)}/${encodeURIComponent(name)}`;
      const obj = sample(t, name);
      let method: string;
      let path: string;
      let body: Body | undefined;
      const q = pick(r, ['', '?fieldManager=fuzz', '?fieldManager=fuzz&force=true', '?dryRun=All', '?fieldValidation=Strict', '?fieldValidation=Bogus', '?dryRun=Maybe']);
      switch (int(r, 10)) {
        case 0:
        case 1:
          method = 'POST';
          path = collection(t) + q;
          body = anyBody(r, obj);
          break;
        case 2:
          method = 'POST';
          path = pick(r, [
            '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
            `${collection(R.pods)}/fz/eviction`, `${collection(R.pods)}/fz/binding`, `${collection(R.serviceaccounts)}/fz/token`,
          ]);
          body = chance(r, 0.5) ? { payload: mutateBytes(r, pick(r, fixtures)), contentType: 'application/vnd.kubernetes.protobuf' } : anyBody(r, { kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'fz' }, target: { kind: 'Node', name: 'n' } });
          break;
        case 3:
        case 4:
          method = 'PUT';
          path = item + pick(r, ['', '/status', '/scale']) + q;
          body = anyBody(r, obj);
          break;
        case 5:
        case 6:
        case 7:
          method = 'PATCH';
          path = item + pick(r, ['', '', '', '/status', '/scale']) + (q || '?fieldManager=fuzz');
          body = patchBody(r, obj);
          break;
        case 8:
          method = 'DELETE';
          // Mostly dry runs, so the objects the other requests aim at stay there.
          path = item + pick(r, ['?dryRun=All', '?dryRun=All&gracePeriodSeconds=0', '?dryRun=All&propagationPolicy=Orphan', '?gracePeriodSeconds=-5', '?propagationPolicy=Sideways', '', '?dryRun=All&propagationPolicy=Foreground']);
          body = chance(r, 0.6) ? jsonBody(r, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', preconditions: { uid: 'x' }, gracePeriodSeconds: 0 }) : undefined;
          break;
        default:
          method = 'DELETE';
          path = collection(t) + pick(r, ['?dryRun=All', '?dryRun=All&labelSelector=fuzz%3Dyes', '?labelSelector=%21%21', '?dryRun=All&fieldSelector=metadata.name%3Dfz', '?fieldSelector=bogus', '?labelSelector=nomatch%3Dx']);
          body = chance(r, 0.3) ? jsonBody(r, { propagationPolicy: 'Background' }) : undefined;
      }
      const headers: Record<string, string> = body ? { 'Content-Type': body.contentType } : {};
      const res = await request(h, method, path, body?.payload, headers);
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      assertStatus(res, `#${i} ${method} ${path} (${body?.contentType ?? 'no body'})`);
    }
    if (process.env.WHEELHOUSE_FUZZ_VERBOSE) console.log(JSON.stringify([...counts].sort((a, b) => a[0] - b[0])));
    const ready = await request(h, 'GET', '/readyz', undefined, {}, { auth: false });
    assert.equal(ready.status, 200);
    // The run must reach the success paths too, not only refusals.
    const ok = [...counts].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    assert.ok(ok > REQUESTS / 20, `only ${ok} successful requests: ${JSON.stringify([...counts])}`);
  });
});
