// metrics.k8s.io/v1beta1 over HTTPS on the in-process engine, fed by RuntimeMetricsSource over the fake
// runtime: discovery lists the group, PodMetrics and NodeMetrics list/get as metrics-server answers them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessEngine, request, type InProcessHandle } from '../support/engine.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { RuntimeMetricsSource } from '../../engine/metrics/source.ts';

describe('apiserver metrics.k8s.io', () => {
  let h: InProcessHandle;
  const rt = new FakeRuntime();
  before(async () => {
    h = await startInProcessEngine({
      components: [(ctx) => {
        ctx.apiServer.setMetricsProvider(new RuntimeMetricsSource(rt, ctx.clusterName));
        return { name: 'metrics', stop: () => ctx.apiServer.setMetricsProvider(undefined) };
      }],
    });
    rt.setImage('busybox:1.36');
    for (const n of ['n1', 'n2']) {
      assert.equal((await request(h, 'POST', '/api/v1/nodes', { metadata: { name: n, labels: { zone: n } } })).status, 201);
    }
    for (const [pod, node, cpu, mem] of [['web-1', 'n1', 250e6, 10 << 20], ['web-2', 'n1', 50e6, 6 << 20]] as const) {
      assert.equal((await request(h, 'POST', '/api/v1/namespaces/default/pods', {
        metadata: { name: pod, labels: { app: pod } }, spec: { nodeName: node, containers: [{ name: 'app', image: 'busybox:1.36' }] },
      })).status, 201);
      const id = await rt.createContainer({ name: `${pod}-app`, image: 'busybox:1.36', labels: { cluster: h.clusterName, namespace: 'default', podName: pod, container: 'app', node, role: 'container' } });
      await rt.startContainer(id);
      rt.setStats(id, { cpuNanoCores: cpu, memoryBytes: mem });
    }
  });
  after(async () => {
    await h?.stop();
  });

  it('is in discovery with pods and nodes (get, list)', async () => {
    const groups = await request(h, 'GET', '/apis');
    assert.ok((groups.body.groups as Array<{ name: string }>).some((g) => g.name === 'metrics.k8s.io'));
    const rl = await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1');
    const byName = new Map((rl.body.resources as Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>).map((r) => [r.name, r]));
    assert.deepEqual(byName.get('pods'), { ...byName.get('pods')!, kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] });
    assert.deepEqual(byName.get('nodes'), { ...byName.get('nodes')!, kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] });
  });

  it('lists and gets PodMetrics, honouring labelSelector', async () => {
    const list = await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.kind, 'PodMetricsList');
    assert.deepEqual(list.body.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['web-1', 'web-2']);
    const one = await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1');
    assert.equal(one.body.kind, 'PodMetrics');
    assert.deepEqual(one.body.containers, [{ name: 'app', usage: { cpu: '250000000n', memory: '10240Ki' } }]);
    assert.equal(one.body.window, '1s');
    const sel = await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb-2');
    assert.deepEqual(sel.body.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['web-2']);
    assert.equal((await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope')).status, 404);
    assert.equal((await request(h, 'POST', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', {})).status, 405);
  });

  it('NodeMetrics are the sums of their pods (zero for an idle node)', async () => {
    const list = await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    assert.equal(list.body.kind, 'NodeMetricsList');
    const usage = Object.fromEntries(list.body.items.map((n: { metadata: { name: string }; usage: object }) => [n.metadata.name, n.usage]));
    assert.deepEqual(usage, { n1: { cpu: '300000000n', memory: '16384Ki' }, n2: { cpu: '0n', memory: '0Ki' } });
    const one = await request(h, 'GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1');
    assert.equal(one.body.kind, 'NodeMetrics');
  });
});
