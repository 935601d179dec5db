import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VALIDATORS } from '../../engine/registry/validation.ts';

const sts = (mountName: string) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default' },
  spec: {
    serviceName: 'db',
    replicas: 1,
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'busybox:1.36', volumeMounts: [{ name: mountName, mountPath: '/data' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

test('a StatefulSet template may mount its volumeClaimTemplates; other unknown mounts are still refused', () => {
  const validate = VALIDATORS['apps/StatefulSet']!;
  assert.deepEqual(validate(sts('data') as never, undefined), []);
  const bad = validate(sts('nope') as never, undefined);
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.field, 'spec.template.spec.containers[0].volumeMounts[0].name');
});
