// @kubernetes/client-node (the library the extension uses) against the engine over real HTTPS: CRUD, each
// patch strategy, watch, and an informer that survives a 410 Expired relist. The engine runs in-process
// with a short watch history so a reconnecting watch is provably too old.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startInProcessEngine, type InProcessHandle } from '../support/engine.ts';

describe('@kubernetes/client-node against the engine', () => {
  let h: InProcessHandle;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  before(async () => {
    h = await startInProcessEngine({ storeHistory: { minHistoryRevisions: 10, minHistoryMs: 0 } });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(h.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await h?.stop();
  });

  it('creates, reads, lists, replaces and deletes', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn1', labels: { t: 'crud' } }, data: { a: '1' } } });
    assert.ok(created.metadata?.uid);
    const read = await core.readNamespacedConfigMap({ name: 'cn1', namespace: 'default' });
    assert.equal(read.data?.a, '1');
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 't=crud' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cn1']);
    read.data = { a: '2' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'cn1', namespace: 'default', body: read });
    assert.equal(replaced.data?.a, '2');
    await assert.rejects(core.replaceNamespacedConfigMap({ name: 'cn1', namespace: 'default', body: read }), (e: unknown) => {
      assert.equal((e as { code?: number }).code, 409);
      return true;
    });
    await core.deleteNamespacedConfigMap({ name: 'cn1', namespace: 'default' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'cn1', namespace: 'default' }), (e: unknown) => (e as { code?: number }).code === 404);
  });

  it('patches with JSON patch (its default), merge, strategic merge and server-side apply', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'cd' },
        spec: { selector: { matchLabels: { app: 'cd' } }, template: { metadata: { labels: { app: 'cd' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } },
      },
    });
    const j = await apps.patchNamespacedDeployment({ name: 'cd', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
    assert.equal(j.spec?.replicas, 2);
    const m = await apps.patchNamespacedDeployment({ name: 'cd', namespace: 'default', body: { metadata: { labels: { x: 'y' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.equal(m.metadata?.labels?.x, 'y');
    const s = await apps.patchNamespacedDeployment({ name: 'cd', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    assert.equal(s.spec?.template.spec?.containers[0]?.image, 'nginx:1.26');
    assert.equal(s.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort, 80);
    const a = await core.patchNamespacedConfigMap({
      name: 'ssa', namespace: 'default', fieldManager: 'client-node-test',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { k: 'v' } },
    }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply));
    assert.equal(a.data?.k, 'v');
    assert.equal(a.metadata?.managedFields?.[0]?.manager, 'client-node-test');
    const scaled = await apps.patchNamespacedDeploymentScale({ name: 'cd', namespace: 'default', body: { spec: { replicas: 4 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.equal(scaled.spec?.replicas, 4);
  });

  it('watches with newline-delimited events', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const req = await watch.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion, fieldSelector: 'metadata.name=cw' },
      (type, obj: k8s.V1ConfigMap) => {
        events.push(`${type}:${obj.data?.v ?? ''}`);
        if (type === 'DELETED') done();
      }, () => undefined);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cw' }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'cw', namespace: 'default', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'cw', namespace: 'default' });
    await finished;
    req.abort();
    assert.deepEqual(events, ['ADDED:1', 'MODIFIED:2', 'DELETED:2']);
  });

  it('an informer relists after 410 Expired and converges', async () => {
    let lists = 0;
    const listFn = (): Promise<k8s.V1ConfigMapList> => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'inf=yes' });
    };
    // A Watch whose next (re)connection waits for a gate: the test holds it while it writes past the history.
    let gate: Promise<void> | undefined;
    class GatedWatch extends k8s.Watch {
      override async watch(...args: Parameters<k8s.Watch['watch']>): ReturnType<k8s.Watch['watch']> {
        if (gate) await gate;
        return super.watch(...args);
      }
    }
    const informer = new k8s.ListWatch<k8s.V1ConfigMap>('/api/v1/namespaces/default/configmaps', new GatedWatch(kc), listFn, false, 'inf=yes');
    const errors: unknown[] = [];
    let stopped = false;
    informer.on('error', (e) => {
      errors.push(e);
      // Restart as an application would, but never after the test stopped it: once the engine is gone every
      // restart fails again, and the retries would keep the test process alive.
      if (!stopped) setTimeout(() => void (stopped ? undefined : informer.start()), 100);
    });
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf1', labels: { inf: 'yes' } }, data: { n: '0' } } });
      await until(() => informer.list().some((c) => c.metadata?.name === 'inf1'));
      // Cut every watch, then write well past the 10-revision history so the re-watch is too old (410).
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      h.engine.apiServer.closeAllWatches();
      for (let i = 1; i <= 30; i++) {
        await core.patchNamespacedConfigMap({ name: 'inf1', namespace: 'default', body: { data: { n: String(i) } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      }
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf2', labels: { inf: 'yes' } } } });
      gate = undefined;
      open();
      await until(() => informer.list().find((c) => c.metadata?.name === 'inf1')?.data?.n === '30' && informer.list().some((c) => c.metadata?.name === 'inf2'));
      assert.ok(lists >= 2, `the informer should have relisted after 410 (lists: ${lists})`);
    } finally {
      stopped = true;
      await informer.stop();
    }
  });
});

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
