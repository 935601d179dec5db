// The `kubernetes` Service in `default`: created at start with the service range's first address and port
// 443; a restarted registry leaves the existing one alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../engine/store/memory.ts';
import { Registry } from '../../engine/registry/registry.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures poke at arbitrary fields

describe('registry: kubernetes Service', () => {
  it('is created at start with the first address of the service CIDR, port 443', async () => {
    const store = openMemoryStore();
    const reg = new Registry({ store, serviceCIDR: '10.120.0.0/16', dnsIP: '10.120.0.10' });
    await reg.start();
    const svcs = reg.catalog.lookup('', 'v1', 'services')!;
    const s = (await reg.get(svcs, 'default', 'kubernetes')) as Obj;
    assert.equal(s.spec.clusterIP, '10.120.0.1');
    assert.deepEqual(s.spec.clusterIPs, ['10.120.0.1']);
    assert.equal(s.spec.type, 'ClusterIP');
    assert.deepEqual(s.spec.ports.map((p: Obj) => [p.name, p.port, p.protocol]), [['https', 443, 'TCP']]);
    assert.deepEqual(s.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    // A new Service never gets that address.
    const other = (await reg.create(svcs, 'default', { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } })).object as Obj;
    assert.notEqual(other.spec.clusterIP, '10.120.0.1');

    const again = new Registry({ store, serviceCIDR: '10.120.0.0/16', dnsIP: '10.120.0.10' });
    await again.start();
    const s2 = (await again.get(svcs, 'default', 'kubernetes')) as Obj;
    assert.equal(s2.metadata.uid, s.metadata.uid);
    assert.equal(s2.metadata.resourceVersion, s.metadata.resourceVersion);
  });
});
