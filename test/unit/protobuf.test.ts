import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProtobufError, decodeProtobuf, isProtobuf } from '../../engine/apiserver/protobuf/index.ts';
import { envelope, lenField, mapEntry, tag, varint, varintField } from '../fuzz/protobuf-encode.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'protobuf');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, `${name}.bin`));
const decode = (name: string): unknown => decodeProtobuf(fixture(name));

function protobufError(fn: () => unknown): ProtobufError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtobufError, `expected ProtobufError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ProtobufError');
}

describe('isProtobuf', () => {
  it('recognizes the protobuf media type', () => {
    assert.equal(isProtobuf('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isProtobuf('application/vnd.kubernetes.protobuf; charset=utf-8'), true);
    assert.equal(isProtobuf('Application/VND.Kubernetes.Protobuf'), true);
    assert.equal(isProtobuf('application/vnd.kubernetes.protobuf;stream=watch'), false);
    assert.equal(isProtobuf('application/json'), false);
    assert.equal(isProtobuf(''), false);
  });
});

describe('decodeProtobuf: bodies captured from kubectl 1.32 / 1.33', () => {
  it('create namespace', () => {
    assert.deepEqual(decode('namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo-ns' }, spec: {}, status: {} });
    assert.deepEqual(decode('k132-namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns132' }, spec: {}, status: {} });
  });

  it('create deployment --replicas --port', () => {
    const want = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    };
    assert.deepEqual(decode('deployment'), want);
    assert.deepEqual(decode('k132-deployment'), want);
  });

  it('create deployment with several images and with a command', () => {
    const multi = decode('deployment-multi') as { spec: { template: { spec: { containers: { name: string; image: string }[] } } } };
    assert.deepEqual(multi.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['busybox=busybox:1.36', 'nginx=nginx']);
    const cmd = decode('deployment-command') as { spec: { template: { spec: { containers: { command: string[] }[] } } } };
    assert.deepEqual(cmd.spec.template.spec.containers[0].command, ['sleep', '3600']);
  });

  it('create configmap and secrets', () => {
    assert.deepEqual(decode('configmap'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', b: 'two' } });
    assert.deepEqual(decode('secret-generic'), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { password: Buffer.from('hunter2').toString('base64') }, type: 'Opaque',
    });
    const docker = decode('secret-docker') as { type: string; data: Record<string, string> };
    assert.equal(docker.type, 'kubernetes.io/dockerconfigjson');
    const cfg = JSON.parse(Buffer.from(docker.data['.dockerconfigjson'], 'base64').toString('utf8'));
    assert.equal(cfg.auths['r.example'].username, 'u');
    const file = decode('configmap-file') as { data: Record<string, string> };
    assert.match(file.data['cert.pem'], /^-----BEGIN CERTIFICATE-----\n/);
  });

  it('create service clusterip|nodeport|loadbalancer|externalname', () => {
    assert.deepEqual(decode('service-clusterip'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc1', labels: { app: 'svc1' } },
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 },
        ],
        selector: { app: 'svc1' }, type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
    assert.equal((decode('service-headless') as { spec: { clusterIP: string } }).spec.clusterIP, 'None');
    assert.equal((decode('service-nodeport') as { spec: { ports: { nodePort: number }[] } }).spec.ports[0].nodePort, 30080);
    assert.equal((decode('service-loadbalancer') as { spec: { type: string } }).spec.type, 'LoadBalancer');
    assert.equal((decode('service-externalname') as { spec: { externalName: string } }).spec.externalName, 'example.com');
  });

  it('create job and cronjob', () => {
    assert.deepEqual(decode('job'), {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j1' },
      spec: { template: { metadata: {}, spec: { containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' } } },
      status: {},
    });
    const cj = decode('cronjob') as { spec: { schedule: string; jobTemplate: { spec: { template: { spec: { restartPolicy: string } } } } } };
    assert.equal(cj.spec.schedule, '*/5 * * * *');
    assert.equal(cj.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
  });

  it('auth can-i (SelfSubjectAccessReview)', () => {
    assert.deepEqual(decode('cani'), {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } }, status: {},
    });
    assert.deepEqual((decode('cani-subresource') as { spec: unknown }).spec, { resourceAttributes: { namespace: 'kube-system', verb: 'get', resource: 'pods', subresource: 'log' } });
    assert.deepEqual((decode('cani-nonres') as { spec: unknown }).spec, { nonResourceAttributes: { path: '/logs', verb: 'get' } });
    assert.deepEqual((decode('k132-cani') as { spec: unknown }).spec, { resourceAttributes: { namespace: 'default', verb: 'list', group: 'apps', resource: 'deployments' } });
  });

  it('other generators: quota, serviceaccount, role, rolebinding, priorityclass, pdb, ingress, token', () => {
    assert.deepEqual((decode('quota') as { spec: unknown }).spec, { hard: { cpu: '1', pods: '2' } });
    assert.deepEqual(decode('sa'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } });
    assert.deepEqual((decode('role') as { rules: unknown }).rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
    assert.deepEqual((decode('rolebinding') as { roleRef: unknown }).roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' });
    assert.equal((decode('priorityclass') as { value: number }).value, 100);
    assert.deepEqual((decode('pdb') as { spec: unknown }).spec, { minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    assert.deepEqual((decode('ingress') as { spec: unknown }).spec, {
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', backend: { service: { name: 'svc1', port: { number: 80 } } }, pathType: 'Exact' }] } }],
    });
    assert.deepEqual((decode('token-audience') as { spec: unknown }).spec, { audiences: ['api'], expirationSeconds: 600 });
    assert.deepEqual((decode('clusterrole-agg') as { aggregationRule: unknown }).aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] });
    assert.deepEqual((decode('clusterrolebinding') as { subjects: unknown }).subjects, [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }, { kind: 'ServiceAccount', name: 'sa1', namespace: 'default' },
    ]);
    assert.deepEqual((decode('ingress-tls') as { spec: unknown }).spec, {
      defaultBackend: { service: { name: 'def', port: { number: 80 } } },
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/', backend: { service: { name: 'svc1', port: { name: 'http' } } }, pathType: 'Prefix' }] } }],
      ingressClassName: 'nginx',
    });
  });

  it('create job --from=cronjob: every pod template field kubectl re-encoded decodes to the JSON it came from', () => {
    const job = decode('job-from-cronjob') as { metadata: unknown; spec: { template: { spec: Record<string, unknown> } } };
    const cronJob = JSON.parse(readFileSync(join(FIXTURES, 'rich-cronjob.json'), 'utf8'));
    const want = structuredClone(cronJob.spec.jobTemplate.spec);
    // Go's JSON of the decoded struct: a non-pointer struct is always there ("resources": {}), false is omitted.
    for (const c of [...want.template.spec.containers, ...want.template.spec.initContainers]) c.resources ??= {};
    delete want.template.spec.hostNetwork;
    assert.deepEqual(job.spec, want);
    assert.deepEqual(job.metadata, {
      name: 'rich-job', labels: { app: 'rich' }, annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ kind: 'CronJob', name: 'rich', uid: '11111111-2222-3333-4444-555555555555', apiVersion: 'batch/v1', controller: true }],
    });
  });

  it('every fixture decodes to an object with apiVersion and kind', () => {
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.bin'))) {
      const o = decodeProtobuf(readFileSync(join(FIXTURES, f))) as { apiVersion?: string; kind?: string };
      assert.ok(o.apiVersion && o.kind, f);
    }
  });
});

describe('decodeProtobuf: refusals', () => {
  const ns = (meta: Buffer, extra: Buffer = Buffer.alloc(0)) => envelope('v1', 'Namespace', Buffer.concat([lenField(1, meta), extra]));

  it('names the message and field number of an unknown field', () => {
    const e = protobufError(() => decodeProtobuf(ns(lenField(1, 'x'), varintField(99, 1))));
    assert.match(e.message, /unknown field number 99/);
    assert.match(e.message, /k8s\.io\.api\.core\.v1\.Namespace/);
    assert.equal(e.code, 400);
    const e2 = protobufError(() => decodeProtobuf(ns(Buffer.concat([lenField(1, 'x'), lenField(42, 'y')]))));
    assert.match(e2.message, /unknown field number 42 .*k8s\.io\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta/);
  });

  it('answers 415 for a kind without a decoder', () => {
    const e = protobufError(() => decodeProtobuf(envelope('apps/v1', 'StatefulSet', Buffer.alloc(0))));
    assert.equal(e.code, 415);
    assert.match(e.message, /StatefulSet/);
  });

  it('refuses a missing magic, an empty envelope, an encoding, a wrong wire type', () => {
    assert.equal(protobufError(() => decodeProtobuf(Buffer.from('{"kind":"Namespace"}'))).code, 400);
    assert.equal(protobufError(() => decodeProtobuf(Buffer.alloc(0))).code, 400);
    protobufError(() => decodeProtobuf(Buffer.from([0x6b, 0x38, 0x73, 0x00])));
    protobufError(() => decodeProtobuf(envelope('v1', 'Namespace', Buffer.alloc(0), lenField(3, 'gzip'))));
    protobufError(() => decodeProtobuf(ns(varintField(1, 5) /* name as a varint */)));
    protobufError(() => decodeProtobuf(ns(lenField(1, Buffer.from([0xff, 0xfe])) /* not UTF-8 */)));
  });

  it('refuses overlong varints, overrunning lengths and groups', () => {
    const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
    protobufError(() => decodeProtobuf(Buffer.concat([magic, tag(1, 0), Buffer.alloc(11, 0xff)])));
    protobufError(() => decodeProtobuf(Buffer.concat([magic, tag(2, 2), varint(1_000_000), Buffer.from('abc')])));
    protobufError(() => decodeProtobuf(Buffer.concat([magic, tag(2, 3)])));
    protobufError(() => decodeProtobuf(Buffer.concat([magic, tag(2, 2), varint(2n ** 63n)])));
  });

  it('decodes sign-extended negative int32 and keeps zero pointer fields', () => {
    const spec = Buffer.concat([varintField(1, 0) /* replicas: 0, a pointer */, varintField(5, 0) /* minReadySeconds: 0 */]);
    const d = decodeProtobuf(envelope('apps/v1', 'Deployment', lenField(2, spec))) as { spec: Record<string, unknown> };
    assert.deepEqual(d.spec, { replicas: 0 });
    const pc = decodeProtobuf(envelope('scheduling.k8s.io/v1', 'PriorityClass', varintField(2, -5))) as { value: number };
    assert.equal(pc.value, -5);
  });

  it('decodes maps with odd keys as own properties', () => {
    const meta = Buffer.concat([lenField(1, 'x'), mapEntry(11, '__proto__', 'v'), mapEntry(11, 'a', 'b')]);
    const o = decodeProtobuf(ns(meta)) as { metadata: { labels: Record<string, string> } };
    assert.deepEqual(Object.keys(o.metadata.labels), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(o.metadata.labels), Object.prototype);
  });

  it('every truncation and every single-byte corruption of the fixtures fails cleanly', () => {
    let refused = 0;
    let total = 0;
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.bin'))) {
      const body = readFileSync(join(FIXTURES, f));
      const variants: Buffer[] = [];
      for (let i = 0; i < body.length; i++) variants.push(body.subarray(0, i));
      for (let i = 0; i < Math.min(body.length, 300); i++) {
        const b = Buffer.from(body);
        b[i] ^= 0x5a;
        variants.push(b);
      }
      for (const v of variants) {
        total++;
        try {
          decodeProtobuf(v);
        } catch (err) {
          assert.ok(err instanceof ProtobufError, `${f}: ${String(err)}`);
          refused++;
        }
      }
    }
    assert.ok(refused > total / 2, `${refused}/${total} refused`);
  });
});
