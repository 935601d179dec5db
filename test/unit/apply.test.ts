import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conflictStatus, managerFromUserAgent, serverSideApply, trackUpdate } from '../../engine/apiserver/patch/apply.ts';
import { PatchError } from '../../engine/apiserver/patch/errors.ts';
import { FieldSet, pathString } from '../../engine/apiserver/patch/fieldset.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test navigation of JSON objects

const DEPLOY = { group: 'apps', version: 'v1', kind: 'Deployment' };
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:05:00.123Z');

const manifest = (image = 'nginx:1.25', replicas = 2, labels: Record<string, string> = { app: 'web' }): Any => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    },
  },
});

/** The FieldsV1 upstream records for manifest(): leaves, list items by their keys with ".", no metadata.name. */
const MANIFEST_FIELDS = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': { 'f:matchLabels': { 'f:app': {} } },
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
          },
        },
      },
    },
  },
};

const apply = (live: object | undefined, cfg: object, manager = 'kubectl', force = false, now = T0) =>
  serverSideApply(live, cfg, { manager, force, gvk: DEPLOY, now });

const entries = (o: object): Any[] => (o as Any).metadata.managedFields ?? [];
const entry = (o: object, manager: string, operation = 'Apply'): Any | undefined =>
  entries(o).find((e) => e.manager === manager && e.operation === operation);
const owned = (o: object, manager: string, operation = 'Apply'): string[] => {
  const e = entry(o, manager, operation);
  return e ? FieldSet.fromFieldsV1(e.fieldsV1).paths().map(pathString).sort() : [];
};

describe('server-side apply', () => {
  it('creates the object and records Apply ownership in FieldsV1', () => {
    const { object, conflicts } = apply(undefined, manifest());
    assert.deepEqual(conflicts, []);
    const o = object as Any;
    assert.equal(o.spec.replicas, 2);
    const mf = entries(o);
    assert.equal(mf.length, 1);
    assert.deepEqual(
      { manager: mf[0].manager, operation: mf[0].operation, apiVersion: mf[0].apiVersion, time: mf[0].time, fieldsType: mf[0].fieldsType },
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1' },
    );
    assert.deepEqual(mf[0].fieldsV1, MANIFEST_FIELDS);
  });

  it('applying the same configuration twice changes nothing and reports no conflict', () => {
    const first = apply(undefined, manifest()).object;
    const second = apply(first, manifest(), 'kubectl', false, T1);
    assert.deepEqual(second.conflicts, []);
    const a = structuredClone(first) as Any;
    const b = structuredClone(second.object) as Any;
    delete a.metadata.managedFields[0].time;
    delete b.metadata.managedFields[0].time;
    assert.deepEqual(b, a);
  });

  it('a changed configuration updates the object; fields no longer applied are removed', () => {
    const first = apply(undefined, manifest('nginx:1.25', 2, { app: 'web', tier: 'fe' })).object;
    const { object } = apply(first, manifest('nginx:1.26', 2, { app: 'web' }));
    const o = object as Any;
    assert.equal(o.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.deepEqual(o.metadata.labels, { app: 'web' });
    assert.ok(!owned(o, 'kubectl').includes('.metadata.labels.tier'));
  });

  it('dropping the last label leaves no empty labels map', () => {
    const first = apply(undefined, manifest('nginx:1.25', 2, { tier: 'fe' })).object;
    const cfg = manifest();
    delete cfg.metadata.labels;
    const o = apply(first, cfg).object as Any;
    assert.equal(o.metadata.labels, undefined);
  });

  it('conflicts with a field another manager owns and the apply would change; force moves ownership', () => {
    // kubectl create (an Update by kubectl-create) owns everything it set.
    const created = trackUpdate(undefined, { ...manifest(), metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } }, 'kubectl-create', T0);
    const r = apply(created, manifest('nginx:1.25', 3));
    assert.deepEqual(r.conflicts, [{ field: '.spec.replicas', manager: 'kubectl-create' }]);
    assert.deepEqual(r.object, created, 'the live object is answered unchanged');
    const msg = conflictStatus(r.conflicts, DEPLOY, 'web');
    assert.equal(msg.message, 'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas');
    assert.deepEqual(msg.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using apps/v1', field: '.spec.replicas' }]);

    const forced = apply(created, manifest('nginx:1.25', 3), 'kubectl', true);
    assert.equal((forced.object as Any).spec.replicas, 3);
    assert.ok(owned(forced.object, 'kubectl').includes('.spec.replicas'));
    assert.ok(!owned(forced.object, 'kubectl-create', 'Update').includes('.spec.replicas'));
    assert.ok(owned(forced.object, 'kubectl-create', 'Update').includes('.spec.template.spec.containers[name="nginx"].image'), 'shared fields stay shared');
  });

  it('the same value owned by another manager is shared, not a conflict, and survives the applier dropping it', () => {
    const a = apply(undefined, manifest(), 'alpha').object;
    const b = apply(a, manifest(), 'beta');
    assert.deepEqual(b.conflicts, []);
    assert.ok(owned(b.object, 'alpha').includes('.spec.replicas'));
    assert.ok(owned(b.object, 'beta').includes('.spec.replicas'));
    const cfg = manifest();
    delete cfg.spec.replicas;
    const c = apply(b.object, cfg, 'beta').object as Any;
    assert.equal(c.spec.replicas, 2, 'alpha still owns it');
  });

  it('associative lists: managers own their own containers', () => {
    const a = apply(undefined, manifest(), 'alpha').object;
    const bCfg = manifest();
    bCfg.spec.template.spec.containers = [{ name: 'sidecar', image: 'busybox' }];
    delete bCfg.spec.replicas;
    const b = apply(a, bCfg, 'beta');
    assert.deepEqual(b.conflicts, []);
    assert.deepEqual((b.object as Any).spec.template.spec.containers.map((c: Any) => c.name), ['nginx', 'sidecar']);
    // beta stops applying its container: it goes; nginx (alpha's) stays.
    const bCfg2 = manifest();
    bCfg2.spec.template.spec.containers = [];
    delete bCfg2.spec.replicas;
    const c = apply(b.object, { ...bCfg2, spec: { ...bCfg2.spec, template: { metadata: { labels: { app: 'web' } } } } }, 'beta').object as Any;
    assert.deepEqual(c.spec.template.spec.containers.map((x: Any) => x.name), ['nginx']);
  });

  it('items match their defaulted live twins (a port without protocol is the TCP port)', () => {
    const cfg = manifest();
    delete cfg.spec.template.spec.containers[0].ports[0].protocol;
    // What the registry stores after the first apply: defaults filled in.
    const first = apply(undefined, cfg).object as Any;
    const stored = structuredClone(first);
    stored.spec.template.spec.containers[0].ports[0].protocol = 'TCP';
    stored.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    const second = apply(stored, cfg, 'kubectl', false, T1);
    assert.deepEqual(second.conflicts, []);
    const o = second.object as Any;
    assert.deepEqual(o.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.equal(o.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent', 'defaults nobody applied stay');
    assert.ok(owned(o, 'kubectl').includes('.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort'));
    // Dropping the port removes the defaulted live item too.
    const noPorts = structuredClone(cfg);
    delete noPorts.spec.template.spec.containers[0].ports;
    const third = apply(o, noPorts).object as Any;
    assert.equal(third.spec.template.spec.containers[0].ports, undefined);
  });

  it('status is neither applied nor owned through the main resource', () => {
    const cfg = { ...manifest(), status: { replicas: 9 } };
    const live = { ...manifest(), status: { replicas: 1 } };
    const o = apply(live, cfg).object as Any;
    assert.deepEqual(o.status, { replicas: 1 });
    assert.ok(!owned(o, 'kubectl').some((p) => p.startsWith('.status')));
  });

  it('set lists are owned per value (v:)', () => {
    const cfg = { ...manifest(), metadata: { name: 'web', finalizers: ['example.com/a'] } };
    const o = apply(undefined, cfg).object as Any;
    assert.deepEqual(entry(o, 'kubectl')?.fieldsV1['f:metadata'], { 'f:finalizers': { 'v:"example.com/a"': {} } });
  });

  it('custom resources: lists atomic, maps granular', () => {
    const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
    const o = serverSideApply(undefined, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [1, 2], size: 3 } }, { manager: 'm', force: false, gvk, now: T0 }).object as Any;
    assert.deepEqual(entry(o, 'm')?.fieldsV1, { 'f:spec': { 'f:items': {}, 'f:size': {} } });
  });

  it('refuses managedFields in the configuration and a missing manager', () => {
    assert.throws(() => apply(undefined, { ...manifest(), metadata: { name: 'web', managedFields: [{}] } }), (e) => e instanceof PatchError && e.code === 400);
    assert.throws(() => apply(undefined, manifest(), ''), (e) => e instanceof PatchError && e.code === 400);
  });

  it('does not mutate its inputs', () => {
    const live = apply(undefined, manifest()).object;
    const before = JSON.stringify(live);
    const cfg = manifest('x', 5);
    const cfgBefore = JSON.stringify(cfg);
    apply(live, cfg, 'other', true);
    assert.equal(JSON.stringify(live), before);
    assert.equal(JSON.stringify(cfg), cfgBefore);
  });
});

describe('trackUpdate', () => {
  it('a create gives the manager every field it set', () => {
    const o = trackUpdate(undefined, manifest(), 'kubectl-client-side-apply', T0) as Any;
    const e = entry(o, 'kubectl-client-side-apply', 'Update');
    assert.ok(e);
    assert.equal(e.time, '2026-01-01T00:00:00Z');
    assert.ok(owned(o, 'kubectl-client-side-apply', 'Update').includes('.spec.replicas'));
    assert.deepEqual(e.fieldsV1, MANIFEST_FIELDS, 'the same set an apply of it records: no "." on spec or metadata');
  });

  it('an update moves changed fields to the writer; removed fields leave everyone', () => {
    const created = trackUpdate(undefined, manifest('nginx:1.25', 2, { app: 'web', tier: 'fe' }), 'kubectl-create', T0) as Any;
    const next = structuredClone(created);
    next.spec.template.spec.containers[0].image = 'nginx:1.26';
    delete next.metadata.labels.tier;
    const o = trackUpdate(created, next, 'kubectl-edit', T1) as Any;
    const edit = owned(o, 'kubectl-edit', 'Update');
    assert.deepEqual(edit, ['.spec.template.spec.containers[name="nginx"].image']);
    const create = owned(o, 'kubectl-create', 'Update');
    assert.ok(!create.includes('.spec.template.spec.containers[name="nginx"].image'));
    assert.ok(!create.includes('.metadata.labels.tier'));
    assert.equal(entry(o, 'kubectl-edit', 'Update')?.time, '2026-01-01T00:05:00Z');
  });

  it('a write that changes nothing adds no entry', () => {
    const created = trackUpdate(undefined, manifest(), 'kubectl-create', T0);
    const o = trackUpdate(created, structuredClone(created), 'kubectl-label', T1);
    assert.equal(entry(o, 'kubectl-label', 'Update'), undefined);
  });

  it('an empty managedFields list from the writer resets ownership', () => {
    const created = trackUpdate(undefined, manifest(), 'kubectl-create', T0) as Any;
    const next = structuredClone(created);
    next.metadata.managedFields = [];
    next.spec.replicas = 4;
    const o = trackUpdate(created, next, 'kubectl-edit', T1);
    assert.deepEqual(entries(o).map((e) => e.manager), ['kubectl-edit']);
  });

  it('Apply then a conflicting Update then Apply again: the conflict names the Update manager', () => {
    const applied = apply(undefined, manifest()).object as Any;
    const scaled = structuredClone(applied);
    scaled.spec.replicas = 5;
    const afterScale = trackUpdate(applied, scaled, 'kubectl-scale', T1);
    assert.deepEqual(owned(afterScale, 'kubectl-scale', 'Update'), ['.spec.replicas']);
    assert.ok(!owned(afterScale, 'kubectl').includes('.spec.replicas'));
    const r = apply(afterScale, manifest());
    assert.deepEqual(r.conflicts, [{ field: '.spec.replicas', manager: 'kubectl-scale' }]);
  });
});

describe('field paths', () => {
  it('renders paths as upstream does in conflict messages', () => {
    assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), '.spec.template.spec.containers[name="nginx"].image');
    assert.equal(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]');
    assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
  });

  it('FieldsV1 round-trips, with "." for members that have members', () => {
    const s = FieldSet.of([['f:a', 'k:{"name":"x"}'], ['f:a', 'k:{"name":"x"}', 'f:image'], ['f:b']]);
    const json = s.toFieldsV1();
    assert.deepEqual(json, { 'f:a': { 'k:{"name":"x"}': { '.': {}, 'f:image': {} } }, 'f:b': {} });
    assert.deepEqual(FieldSet.fromFieldsV1(json).paths().sort(), s.paths().sort());
    assert.throws(() => FieldSet.fromFieldsV1({ 'x:bad': {} }), PatchError);
  });

  it('managerFromUserAgent takes the program name', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerFromUserAgent(undefined), 'unknown');
  });
});


describe('metadata ownership', () => {
  it('a controller adding an annotation owns the annotations map, not metadata itself', () => {
    const applied = serverSideApply(undefined, manifest(), { manager: 'kubectl', force: false, gvk: DEPLOY, now: T0 }).object as Any;
    const next = structuredClone(applied);
    next.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
    const o = trackUpdate(applied, next, 'kube-controller-manager', T1) as Any;
    const e = o.metadata.managedFields.find((x: Any) => x.manager === 'kube-controller-manager');
    assert.deepEqual(e.fieldsV1, { 'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } } });
    const cm = serverSideApply(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }, { manager: 'kubectl', force: false, gvk: { group: '', version: 'v1', kind: 'ConfigMap' }, now: T0 }).object as Any;
    assert.deepEqual(cm.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:a': {} } });
  });
});

describe('status writes', () => {
  it('a status subresource write is recorded with subresource status and only status fields', () => {
    const created = trackUpdate(undefined, manifest(), 'kubectl-create', T0) as Any;
    const next = structuredClone(created);
    next.status = { replicas: 2, readyReplicas: 2 };
    const o = trackUpdate(created, next, 'kube-controller-manager', T1, 'status') as Any;
    const e = o.metadata.managedFields.find((x: Any) => x.manager === 'kube-controller-manager');
    assert.equal(e.subresource, 'status');
    assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } });
    // A main-resource write by the same manager is a separate entry and does not see status.
    const main = structuredClone(o);
    main.metadata.annotations = { a: 'b' };
    const o2 = trackUpdate(o, main, 'kube-controller-manager', T1) as Any;
    assert.equal(o2.metadata.managedFields.filter((x: Any) => x.manager === 'kube-controller-manager').length, 2);
  });
});
