// RuntimeMetricsSource over the fake runtime: pod usage from container stats (found by labels), sandboxes and
// other clusters ignored, node usage = the sum of its pods' containers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { RuntimeMetricsSource } from '../../engine/metrics/source.ts';
import type { ContainerLabels } from '../../engine/runtime/types.ts';

async function run(rt: FakeRuntime, name: string, labels: ContainerLabels, cpuNanoCores: number, memoryBytes: number): Promise<void> {
  const id = await rt.createContainer({ name, image: 'busybox:1.36', labels });
  await rt.startContainer(id);
  rt.setStats(id, { cpuNanoCores, memoryBytes });
}

describe('RuntimeMetricsSource', () => {
  it('reports pods from container stats and nodes as their sums', async () => {
    const rt = new FakeRuntime({ now: () => 1_700_000_000_000 });
    rt.setImage('busybox:1.36');
    await run(rt, 'a1', { cluster: 'c', namespace: 'default', podName: 'web-1', container: 'app', node: 'n1', role: 'container' }, 250e6, 10 << 20);
    await run(rt, 'a2', { cluster: 'c', namespace: 'default', podName: 'web-1', container: 'side', node: 'n1', role: 'container' }, 50e6, 2 << 20);
    await run(rt, 'b1', { cluster: 'c', namespace: 'default', podName: 'web-2', container: 'app', node: 'n2', role: 'container' }, 1e9, 30 << 20);
    await run(rt, 's1', { cluster: 'c', namespace: 'default', podName: 'web-1', container: 'POD', node: 'n1', role: 'sandbox' }, 1e6, 1 << 20);
    await run(rt, 'x1', { cluster: 'other', namespace: 'default', podName: 'web-1', container: 'app', node: 'n1', role: 'container' }, 9e9, 9 << 20);
    await run(rt, 'k1', { cluster: 'c', namespace: 'kube-system', podName: 'dns', container: 'dns', node: 'n2', role: 'container' }, 5e6, 4 << 20);
    const src = new RuntimeMetricsSource(rt, 'c', () => 1_700_000_000_000);

    const usage = await src.podUsage('default', ['web-1', 'web-2', 'missing']);
    assert.deepEqual(usage, [
      { namespace: 'default', name: 'web-1', timestamp: 1_700_000_000_000, windowMs: 1000, containers: [
        { name: 'app', cpuMilli: 250, memoryBytes: 10 << 20 }, { name: 'side', cpuMilli: 50, memoryBytes: 2 << 20 }] },
      { namespace: 'default', name: 'web-2', timestamp: 1_700_000_000_000, windowMs: 1000, containers: [{ name: 'app', cpuMilli: 1000, memoryBytes: 30 << 20 }] },
    ]);
    assert.deepEqual((await src.allPods()).map((p) => `${p.namespace}/${p.name}@${p.node}`), ['default/web-1@n1', 'default/web-2@n2', 'kube-system/dns@n2']);
    assert.deepEqual(await src.nodes(), [
      { name: 'n1', timestamp: 1_700_000_000_000, windowMs: 1000, cpuMilli: 300, memoryBytes: 12 << 20 },
      { name: 'n2', timestamp: 1_700_000_000_000, windowMs: 1000, cpuMilli: 1005, memoryBytes: 34 << 20 },
    ]);
  });

  it('skips stopped containers (no sample)', async () => {
    const rt = new FakeRuntime();
    rt.setImage('busybox:1.36');
    const id = await rt.createContainer({ name: 'z1', image: 'busybox:1.36', labels: { cluster: 'c', namespace: 'default', podName: 'p', container: 'app', role: 'container' } });
    const src = new RuntimeMetricsSource(rt, 'c');
    assert.deepEqual(await src.podUsage('default', ['p']), []);
    await rt.startContainer(id);
    assert.equal((await src.podUsage('default', ['p'])).length, 1);
  });
});
