import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaCatalog, validateValue, unknownFields, formatPath } from '../../schema/index.ts';
import { enumFromDescription } from '../../schema/generate.ts';
import { R } from '../../engine/api/resources.ts';

const cat = schemaCatalog();

describe('generated Kubernetes schema', () => {
  it('has every kind of the engine R table', () => {
    for (const r of Object.values(R)) {
      const k = cat.byGvk(r.group, r.version, r.kind);
      assert.ok(k, `${r.group}/${r.version} ${r.kind} has a schema`);
      assert.deepEqual(k.schema['x-kubernetes-group-version-kind'], [{ group: r.group, version: r.version, kind: r.kind }]);
    }
  });

  it('describes Deployment with required fields and a read-only status', () => {
    const dep = cat.byApiVersionKind('apps/v1', 'Deployment');
    assert.equal(dep?.definition, 'io.k8s.api.apps.v1.Deployment');
    assert.match(dep!.schema.description ?? '', /declarative updates/);
    assert.equal(dep!.schema.properties?.status?.readOnly, true);
    const spec = cat.resolve(dep!.schema.properties!.spec);
    assert.deepEqual(spec.required, ['selector', 'template']);
    assert.match(spec.description ?? '', /desired behavior/);
    assert.equal(cat.resolve(spec.properties!.replicas).type, 'integer');
  });

  it('models int-or-string, quantities, times and maps', () => {
    const port = cat.definition('io.k8s.api.core.v1.ServicePort')!;
    const target = cat.resolve(port.properties!.targetPort);
    assert.equal(target['x-kubernetes-int-or-string'], true);
    assert.match(target.description ?? '', /Number or name of the port/);
    const q = cat.definition('io.k8s.apimachinery.pkg.api.resource.Quantity')!;
    assert.equal(q.format, 'quantity');
    const rr = cat.definition('io.k8s.api.core.v1.ResourceRequirements')!;
    assert.equal((rr.properties!.limits.additionalProperties as { $ref: string }).$ref, '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
    assert.equal(cat.definition('io.k8s.apimachinery.pkg.apis.meta.v1.Time')!.format, 'date-time');
    const meta = cat.definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!;
    assert.deepEqual(meta.properties!.labels.additionalProperties, { type: 'string' });
  });

  it('takes enums from the descriptions, conservatively', () => {
    const c = cat.definition('io.k8s.api.core.v1.Container')!;
    assert.deepEqual(c.properties!.imagePullPolicy.enum, ['Always', 'Never', 'IfNotPresent']);
    assert.deepEqual(cat.definition('io.k8s.api.core.v1.ServiceSpec')!.properties!.type.enum, ['ExternalName', 'ClusterIP', 'NodePort', 'LoadBalancer']);
    assert.deepEqual(cat.definition('io.k8s.api.apps.v1.DeploymentStrategy')!.properties!.type.enum, ['Recreate', 'RollingUpdate']);
    assert.equal(enumFromDescription('Valid values are "None", empty string (""), or a valid IP address.'), undefined);
    assert.deepEqual(enumFromDescription('Possible enum values:\n - `"Always"` means x.\n - `"Never"` means y.'), ['Always', 'Never']);
  });

  it('lists kinds without meta helpers, sorted', () => {
    const kinds = cat.kinds();
    assert.ok(kinds.length > 100);
    assert.ok(!kinds.some((k) => k.definition.startsWith('io.k8s.apimachinery.')));
    assert.ok(kinds.find((k) => k.kind === 'DeploymentList')?.list);
    assert.equal(cat.byGvk('', 'v1', 'Pod')?.definition, 'io.k8s.api.core.v1.Pod');
  });
});

describe('validateValue', () => {
  const dep = cat.byApiVersionKind('apps/v1', 'Deployment')!.schema;
  it('reports unknown fields, types, enums, required and quantities with paths', () => {
    const issues = validateValue({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replica: 2, replicas: '3',
        template: { spec: { containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Sometimes', imagePulPolicy: 'Always', resources: { limits: { cpu: '1 core' } } }] } },
      },
    }, dep, cat);
    const got = issues.map((i) => `${i.code} ${formatPath(i.path)}${i.field && i.code === 'required' ? ' ' + i.field : ''}`).sort();
    assert.deepEqual(got, [
      'enum spec.template.spec.containers[0].imagePullPolicy',
      'format spec.template.spec.containers[0].resources.limits.cpu',
      'required spec selector',
      'type spec.replicas',
      'unknown-field spec.replica',
      'unknown-field spec.template.spec.containers[0].imagePulPolicy',
    ]);
  });

  it('accepts int-or-string and numeric quantities; null is absent', () => {
    const svc = cat.byApiVersionKind('v1', 'Service')!.schema;
    assert.deepEqual(validateValue({ spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8080 }], selector: null } }, svc, cat), []);
    const pod = cat.byApiVersionKind('v1', 'Pod')!.schema;
    assert.deepEqual(validateValue({ spec: { containers: [{ name: 'a', resources: { requests: { cpu: 0.5, memory: '64Mi' } } }] } }, pod, cat), []);
  });

  it('unknownFields gives upstream-style paths', () => {
    assert.deepEqual(unknownFields({ spec: { replica: 1, template: { spec: { containers: [{ name: 'a', imagePulPolicy: 'x' }] } } } }, dep, cat),
      ['spec.replica', 'spec.template.spec.containers[0].imagePulPolicy']);
  });
});

describe('openApiV3Schemas', () => {
  it('gives a group/version its kinds and everything they reference, with component refs', async () => {
    const { openApiV3Schemas, servedGroupVersions } = await import('../../schema/openapi.ts');
    const apps = openApiV3Schemas('apps', 'v1')!;
    assert.ok(apps['io.k8s.api.apps.v1.Deployment']);
    assert.ok(apps['io.k8s.api.core.v1.PodSpec'], 'transitive reference');
    assert.ok(apps['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(!apps['io.k8s.api.batch.v1.Job']);
    assert.equal(JSON.stringify(apps).includes('#/definitions/'), false);
    assert.match(JSON.stringify(apps['io.k8s.api.apps.v1.Deployment']), /#\/components\/schemas\/io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
    assert.equal(openApiV3Schemas('nope.example.com', 'v1'), undefined);
    assert.ok(servedGroupVersions().includes('v1') && servedGroupVersions().includes('apps/v1'));
  });
});
