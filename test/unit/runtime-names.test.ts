import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerName, infraName, isDockerName, MAX_NAME_LENGTH, sandboxName, volumeName } from '../../engine/runtime/names.ts';
import { fromDockerLabels, LABELS, labelFilter, labelsMatch, toDockerLabels } from '../../engine/runtime/labels.ts';
import { familiarImageRef, isLatest, normalizeImageRef, parseImageRef } from '../../engine/runtime/refs.ts';

const ref = { cluster: 'dev', namespace: 'default', pod: 'web-7d4b9c-x2x9z', container: 'nginx', attempt: 0 };

describe('container names', () => {
  it('are deterministic, readable and valid Docker names', () => {
    assert.equal(containerName(ref), 'wh_dev_default_web-7d4b9c-x2x9z_nginx_0');
    assert.equal(containerName(ref), containerName({ ...ref }));
    assert.equal(sandboxName(ref), 'wh_dev_default_web-7d4b9c-x2x9z_POD_0');
    assert.equal(containerName({ ...ref, podUid: '0b8f7c2e-1111-2222-3333-444455556666' }), 'wh_dev_default_web-7d4b9c-x2x9z_0b8f7c2e_nginx_0');
    assert.equal(infraName('dev', 'proxy', 'kube-dns'), 'wh_dev_infra_proxy_kube-dns');
    assert.equal(volumeName('dev', 'pvc-1234'), 'wh_dev_vol_pvc-1234');
    for (const n of [containerName(ref), sandboxName(ref), infraName('dev', 'dns'), volumeName('dev', 'x')]) assert.ok(isDockerName(n), n);
  });

  it('differ for every part that differs', () => {
    const names = new Set([
      containerName(ref),
      containerName({ ...ref, attempt: 1 }),
      containerName({ ...ref, container: 'sidecar' }),
      containerName({ ...ref, namespace: 'other' }),
      containerName({ ...ref, cluster: 'prod' }),
      containerName({ ...ref, pod: 'web' }),
      containerName({ ...ref, podUid: 'aaaaaaaa' }),
      sandboxName(ref),
    ]);
    assert.equal(names.size, 8);
    // The separator cannot be forged from Kubernetes names (which never contain `_`), and rewritten
    // characters are disambiguated by a hash.
    assert.notEqual(containerName({ ...ref, container: 'a b' }), containerName({ ...ref, container: 'a-b' }));
    assert.ok(isDockerName(containerName({ ...ref, container: 'a b/ü' })));
  });

  it('stay bounded, keeping a readable prefix and a hash of the whole', () => {
    const long = { ...ref, namespace: 'n'.repeat(63), pod: 'p'.repeat(253), container: 'c'.repeat(63) };
    const a = containerName(long);
    const b = containerName({ ...long, attempt: 1 });
    assert.ok(a.length <= MAX_NAME_LENGTH && b.length <= MAX_NAME_LENGTH);
    assert.notEqual(a, b);
    assert.ok(a.startsWith('wh_dev_nnnn'));
    assert.ok(isDockerName(a));
  });

  it('refuse bad input', () => {
    assert.throws(() => containerName({ ...ref, attempt: -1 }), /attempt/);
    assert.throws(() => containerName({ ...ref, pod: '' }), /pod name/);
    assert.equal(isDockerName('_x'), false);
    assert.equal(isDockerName('a'), false);
  });
});

describe('container labels', () => {
  it('map ContainerLabels to io.wheelhouse. keys and back', () => {
    const labels = { cluster: 'dev', namespace: 'default', podName: 'web', podUid: 'u1', container: 'nginx', attempt: 2, node: 'node-1', role: 'container' as const, serviceName: 'svc' };
    const docker = toDockerLabels(labels);
    assert.deepEqual(docker, {
      'io.wheelhouse.cluster': 'dev',
      'io.wheelhouse.namespace': 'default',
      'io.wheelhouse.pod-name': 'web',
      'io.wheelhouse.pod-uid': 'u1',
      'io.wheelhouse.container': 'nginx',
      'io.wheelhouse.attempt': '2',
      'io.wheelhouse.node': 'node-1',
      'io.wheelhouse.role': 'container',
      'io.wheelhouse.service-name': 'svc',
    });
    assert.deepEqual(fromDockerLabels({ ...docker, 'com.example.other': 'x' }), labels);
    assert.equal(fromDockerLabels({ 'com.example.other': 'x' }), undefined, 'not ours');
    assert.equal(LABELS.podUid, 'io.wheelhouse.pod-uid');
  });

  it('filter with labelFilter / labelsMatch', () => {
    const docker = toDockerLabels({ cluster: 'dev', node: 'node-1', attempt: 0 });
    assert.ok(labelsMatch(docker, labelFilter({ cluster: 'dev' })));
    assert.ok(labelsMatch(docker, labelFilter({ cluster: 'dev', node: 'node-1' })));
    assert.ok(!labelsMatch(docker, labelFilter({ cluster: 'dev', node: 'node-2' })));
    assert.deepEqual(labelFilter({ cluster: 'dev', node: undefined }), { 'io.wheelhouse.cluster': 'dev' });
    assert.throws(() => toDockerLabels({ cluster: 'dev', attempt: 1.5 }), /attempt/);
  });
});

describe('image references', () => {
  it('normalise as Docker does', () => {
    assert.equal(normalizeImageRef('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeImageRef('library/busybox:1.36'), 'docker.io/library/busybox:1.36');
    assert.equal(normalizeImageRef('wheelhouse-test/busybox:abc'), 'docker.io/wheelhouse-test/busybox:abc');
    assert.equal(normalizeImageRef('localhost:5000/app'), 'localhost:5000/app:latest');
    assert.equal(normalizeImageRef('ghcr.io/o/app:v1'), 'ghcr.io/o/app:v1');
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(parseImageRef(`nginx@${digest}`), { registry: 'docker.io', path: 'library/nginx', digest });
    assert.equal(familiarImageRef('docker.io/library/nginx:1'), 'nginx:1');
    assert.equal(familiarImageRef('127.0.0.1:1/x/y:2'), '127.0.0.1:1/x/y:2');
  });

  it('tell when imagePullPolicy defaults to Always', () => {
    assert.equal(isLatest('nginx'), true);
    assert.equal(isLatest('nginx:latest'), true);
    assert.equal(isLatest('nginx:1.25'), false);
    assert.equal(isLatest(`nginx@sha256:${'b'.repeat(64)}`), false);
  });

  it('reject bad references with a clear message', () => {
    assert.throws(() => parseImageRef('Nginx'), /lowercase/);
    assert.throws(() => parseImageRef(''), /invalid image reference/);
    assert.throws(() => parseImageRef('nginx:bad tag'), /invalid image reference/);
    assert.throws(() => parseImageRef('nginx@sha256:xyz'), /digest/);
  });
});
