/**
 * Every folder of examples/ applied unchanged to a full in-process engine on real Docker, each checked for
 * the promise its README makes. Offline: when no `busybox:1.36` image exists locally, the offline busybox
 * test image is tagged as `busybox:1.36` (and the tag removed afterwards), so the manifests run as written
 * (imagePullPolicy IfNotPresent). Each folder goes into its own namespace; three folders run at a time and
 * each namespace is deleted after its check to keep the load low.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import type { Endpoints, Event, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { ApiClient, KubeObject } from '../../engine/api/client.ts';
import { apiVersionOf, R, type ResourceType } from '../../engine/api/resources.ts';
import { podExec, podLogs } from '../../engine/kubelet/streams.ts';
import { connectDocker } from '../../engine/runtime/docker.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages } from '../support/images.ts';
import { startFullEngine, type FullEngine } from '../support/full-engine.ts';
import { waitFor as waitUntil } from '../support/wait.ts';
import { freePort } from '../support/ports.ts';

const EXAMPLES = resolve(import.meta.dirname, '..', '..', 'examples');
const EXAMPLE_IMAGE = 'busybox:1.36';

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> => waitUntil(what, fn, timeoutMs, 300);

function httpGet(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const types = new Map<string, ResourceType>(Object.values(R).map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));

/** The objects of an example folder, in file order (files sorted by name, documents in order). */
async function folderObjects(folder: string): Promise<KubeObject[]> {
  const dir = join(EXAMPLES, folder);
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: KubeObject[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(await readFile(join(dir, f), 'utf8'))) {
      assert.equal(doc.errors.length, 0, `${folder}/${f}: ${doc.errors[0]?.message}`);
      const o = doc.toJS() as KubeObject | null;
      if (o) out.push(o);
    }
  }
  return out;
}

describe('examples/ on the engine, each promise checked', { skip: await dockerSkip(), concurrency: 3 }, () => {
  const cluster = uniqueName('ex');
  let dataDir: string;
  let full: FullEngine;
  let client: ApiClient;
  let ingressPort: number;
  let taggedByUs = false;

  before(async () => {
    const images = await ensureTestImages();
    const runtime = await connectDocker();
    const exists = await runtime.inspectImage(EXAMPLE_IMAGE).then(() => true, () => false);
    if (!exists) {
      await runtime.tagImage(images.busybox, EXAMPLE_IMAGE);
      taggedByUs = true;
    }
    dataDir = await mkdtemp(join(tmpdir(), 'wh-examples-e2e-'));
    ingressPort = await freePort();
    full = await startFullEngine({ dataDir, clusterName: cluster, sandboxImage: images.busybox, infraImage: images.node, ingressHttpPort: ingressPort, ingressHttpsPort: await freePort() });
    client = full.engine.client;
  });

  after(async () => {
    await full?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (taggedByUs) {
      // Only the tag goes: the image itself stays as the test image.
      const runtime = await connectDocker();
      await runtime.removeImage(EXAMPLE_IMAGE).catch(() => undefined);
    }
  });

  /** Applies a folder into namespace `ns` (created here), runs `check`, then deletes the namespace. */
  async function example(folder: string, check: (ns: string) => Promise<void>): Promise<void> {
    const ns = `ex-${folder.slice(0, 2)}-${cluster.slice(-4)}`;
    await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    try {
      for (const o of await folderObjects(folder)) {
        const type = types.get(`${o.apiVersion}/${o.kind}`);
        assert.ok(type, `${folder}: no resource for ${o.apiVersion} ${o.kind}`);
        await client.create(type, { ...o, metadata: { ...o.metadata, namespace: ns } });
      }
      await check(ns);
    } finally {
      await client.delete(R.namespaces, ns).catch(() => undefined);
    }
  }

  const pods = async (ns: string, selector?: string) =>
    (await client.list<Pod>(R.pods, ns, selector ? { labelSelector: selector } : undefined)).items.filter((p) => !p.metadata?.deletionTimestamp);
  const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const exec = async (pod: Pod, script: string): Promise<string> => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const s = await podExec(full.nodes.streams, pod, undefined, ['sh', '-c', script], { stdout: out, stderr: out }, false);
    await s.exitCode;
    return text;
  };
  const logs = async (pod: Pod, container?: string): Promise<string> => {
    let text = '';
    const h = await podLogs(full.nodes.streams, pod, container, {}, (d) => (text += d.toString()));
    await h.done;
    return text;
  };
  const rolledOut = async (ns: string, name: string, replicas: number) => {
    const d = await client.get<Deployment>(R.deployments, name, ns);
    const s = d.status ?? {};
    return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas;
  };

  it('01 service discovery: three endpoints, and the client is answered by at least two different pods', async () => {
    await example('01-service-discovery', async (ns) => {
      await waitFor('3 ready endpoints of web', async () => {
        const ep = await client.get<Endpoints>(R.endpoints, 'web', ns);
        return (ep.subsets ?? []).flatMap((s) => s.addresses ?? []).length === 3;
      });
      const c = await waitFor('client running', async () => (await pods(ns, 'app=client')).find((p) => p.status?.phase === 'Running'));
      const answers = await waitFor('answers from 2 pods in the client log', async () => {
        const names = new Set([...(await logs(c)).matchAll(/hello from (\S+)/g)].map((m) => m[1]));
        return names.size >= 2 ? names : undefined;
      }, 60_000);
      const web = new Set((await pods(ns, 'app=web')).map((p) => p.metadata!.name));
      for (const n of answers) assert.ok(web.has(n), `${n} is a web pod`);
    });
  });

  it('02 rolling update: VERSION=v2 rolls out to every pod; undo returns to v1', async () => {
    await example('02-rolling-update', async (ns) => {
      await waitFor('greeter rolled out', () => rolledOut(ns, 'greeter', 4), 120_000);
      const served = async () => new Set(await Promise.all((await pods(ns, 'app=greeter')).filter(ready).map(async (p) => (await exec(p, 'cat /www/index.html')).split(' ')[1])));
      assert.deepEqual([...await served()], ['v1']);
      // `kubectl set env deployment/greeter VERSION=v2`: a template change.
      const d = await client.get<Deployment>(R.deployments, 'greeter', ns);
      d.spec!.template.spec!.containers[0]!.env = [{ name: 'VERSION', value: 'v2' }];
      await client.update(R.deployments, d);
      await waitFor('v2 rolled out', () => rolledOut(ns, 'greeter', 4), 120_000);
      await waitFor('only v2 pods', async () => (await pods(ns, 'app=greeter')).length === 4);
      assert.deepEqual([...await served()], ['v2']);
      // `kubectl rollout undo`: the previous revision's template (without pod-template-hash) goes back.
      const rss = (await client.list<ReplicaSet>(R.replicasets, ns)).items;
      const revision = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
      rss.sort((a, b) => revision(b) - revision(a));
      assert.ok(rss.length >= 2, 'two revisions');
      const previous = structuredClone(rss[1]!.spec!.template!);
      delete previous.metadata!.labels!['pod-template-hash'];
      const cur = await client.get<Deployment>(R.deployments, 'greeter', ns);
      cur.spec!.template = previous;
      await client.update(R.deployments, cur);
      await waitFor('v1 rolled back', () => rolledOut(ns, 'greeter', 4), 120_000);
      await waitFor('only v1 pods', async () => (await pods(ns, 'app=greeter')).length === 4);
      assert.deepEqual([...await served()], ['v1']);
      const after = (await client.list<ReplicaSet>(R.replicasets, ns)).items;
      assert.equal(after.length, 2, 'the undo reuses the first ReplicaSet');
    });
  });

  it('03 self-healing: the crasher is restarted, the failing liveness probe restarts its container', async () => {
    await example('03-self-healing', async (ns) => {
      await waitFor('crasher restarted', async () => ((await client.get<Pod>(R.pods, 'crasher', ns)).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 90_000);
      await waitFor('unhealthy restarted by its liveness probe', async () => ((await client.get<Pod>(R.pods, 'unhealthy', ns)).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 120_000);
      // Events are written asynchronously after the probe fails (as upstream's recorder), so the restart
      // can be visible before its Event: wait for it. Until it comes, each try throws what the pod went
      // through, which waitFor quotes if it never does.
      await waitFor('an Unhealthy event naming the liveness probe', async () => {
        const events = (await client.list<Event>(R.events, ns)).items.filter((e) => e.involvedObject?.name === 'unhealthy');
        if (events.some((e) => e.reason === 'Unhealthy' && /Liveness probe failed/.test(e.message ?? ''))) return true;
        const p = await client.get<Pod>(R.pods, 'unhealthy', ns);
        const seen = events.map((e) => `${e.reason} ×${e.count ?? 1}: ${e.message}`).join('; ');
        throw new Error(`lastState ${JSON.stringify(p.status?.containerStatuses?.[0]?.lastState)}; events: ${seen}`);
      }, 30_000);
      await waitFor('3 survivors available', () => rolledOut(ns, 'survivor', 3));
    });
  });

  it('04 bin packing: too-big stays Pending with a FailedScheduling event', async () => {
    await example('04-bin-packing', async (ns) => {
      const ev = await waitFor('FailedScheduling for too-big', async () =>
        (await client.list<Event>(R.events, ns)).items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject?.name === 'too-big'), 60_000);
      assert.match(ev.message ?? '', /Insufficient memory/);
      const p = await client.get<Pod>(R.pods, 'too-big', ns);
      assert.equal(p.status?.phase, 'Pending');
      assert.equal(p.spec?.nodeName, undefined);
      await waitFor('6 packed pods available', () => rolledOut(ns, 'packed', 6), 120_000);
    });
  });

  it('05 config and secrets: the reader sees the ConfigMap value as a variable and as a file, and the Secret', async () => {
    await example('05-config-and-secrets', async (ns) => {
      const p = await waitFor('reader running', async () => {
        const r = await client.get<Pod>(R.pods, 'reader', ns);
        return r.status?.phase === 'Running' ? r : undefined;
      });
      const text = await waitFor('reader output', async () => {
        const t = await logs(p);
        // The reader prints its four lines every 5 s: wait for the last one, not the third.
        return /secret file length/.test(t) ? t : undefined;
      }, 30_000);
      assert.match(text, /env GREETING=hello, password length 28/);
      assert.match(text, /file greeting: hello/);
      assert.match(text, /file app\.properties: color=blue retries=3/);
      assert.match(text, /secret file length: 28/);
    });
  });

  it('06 storage: the PVC is Bound and its data survives the pod being replaced', async () => {
    await example('06-storage', async (ns) => {
      const first = await waitFor('writer ready', async () => (await pods(ns, 'app=writer')).find(ready), 120_000);
      const pvc = await client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'notes', ns);
      assert.equal(pvc.status?.phase, 'Bound');
      const line = await waitFor('a line written', async () => (await exec(first, 'head -n1 /data/log.txt')).trim() || undefined);
      await client.delete(R.pods, first.metadata!.name!, ns);
      const second = await waitFor('a new writer ready', async () => (await pods(ns, 'app=writer')).find((p) => ready(p) && p.metadata?.uid !== first.metadata?.uid), 120_000);
      const text = await exec(second, 'cat /data/log.txt');
      assert.ok(text.startsWith(`${line}\n`), `the new pod sees the old data: ${text}`);
      assert.match(text, new RegExp(`from ${second.metadata!.name}`));
    });
  });

  it('07 statefulset: db-0, db-1, db-2 with stable names that survive replacement', async () => {
    await example('07-statefulset', async (ns) => {
      await waitFor('db-0..2 ready', async () => {
        const names = (await pods(ns, 'app=db')).filter(ready).map((p) => p.metadata!.name).sort();
        return names.join(',') === 'db-0,db-1,db-2';
      }, 120_000);
      const db1 = await client.get<Pod>(R.pods, 'db-1', ns);
      assert.equal((await exec(db1, 'cat /data/id')).trim(), 'db-1');
      await client.delete(R.pods, 'db-1', ns);
      const again = await waitFor('db-1 back', async () => {
        const p = await client.get<Pod>(R.pods, 'db-1', ns);
        return p.metadata?.uid !== db1.metadata?.uid && ready(p) ? p : undefined;
      }, 120_000);
      assert.equal((await exec(again, 'cat /data/id; hostname')).trim(), 'db-1\ndb-1', 'same name, same volume');
    });
  });

  it('08 jobs: count-to-five completes five times', async () => {
    await example('08-jobs', async (ns) => {
      const job = await waitFor('count-to-five complete', async () => {
        const j = await client.get<Job>(R.jobs, 'count-to-five', ns);
        return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
      }, 120_000);
      assert.equal(job.status?.succeeded, 5);
    });
  });

  it('09 autoscaling: the Deployment and the HPA apply (scaling is covered by the HPA e2e)', async () => {
    await example('09-autoscaling', async (ns) => {
      const hpa = await client.get(R.horizontalpodautoscalers, 'burner', ns);
      assert.equal(hpa.metadata?.name, 'burner');
      await client.get(R.deployments, 'burner', ns);
    });
  });

  it('10 ingress: both hosts answer on the ingress port, with the path routed', async () => {
    await example('10-ingress', async (ns) => {
      await waitFor('site available', () => rolledOut(ns, 'site', 1), 120_000);
      const get = async (host: string, path: string, want: string) =>
        waitFor(`${host}${path} → ${want}`, async () => {
          const r = await httpGet(ingressPort, path, host);
          return r.status === 200 && r.body.trim() === want ? r : undefined;
        }, 60_000);
      await get('shop.localhost', '/', 'shop');
      await get('shop.localhost', '/api/', 'shop api');
      await get('blog.localhost', '/', 'blog');
    });
  });
});
