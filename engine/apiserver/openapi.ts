/**
 * OpenAPI v3 (`/openapi/v3` and `/openapi/v3/<api|apis/g>/<v>`), built from the generated schema package
 * for built-in kinds and from CRDs' openAPIV3Schema for custom ones. Each group-version document is
 * self-contained (components.schemas holds every definition it references) and declares the
 * `fieldValidation` query parameter on PATCH, so kubectl uses server-side field validation and
 * `kubectl explain` works (kubectl-compat.md §9). The strategic-merge-patch media type is deliberately not
 * listed: kubectl then computes its patches from its compiled-in types, which carry the merge keys.
 */
import { createHash } from 'node:crypto';
import { schemaCatalog, type JsonSchema } from '../../schema/index.ts';
import type { Catalog, ResourceInfo } from '../registry/catalog.ts';
import type { KubeObject } from '../api/client.ts';
import { readCrd, crdVersion } from '../registry/crd.ts';

const DEF = '#/definitions/';
const COMP = '#/components/schemas/';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function collectRefs(schema: unknown, out: Set<string>, defs: Readonly<Record<string, JsonSchema>>): void {
  const stack: unknown[] = [schema];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    for (const [k, child] of Object.entries(v)) {
      if (k === '$ref' && typeof child === 'string' && child.startsWith(DEF)) {
        const name = child.slice(DEF.length);
        if (!out.has(name) && defs[name]) {
          out.add(name);
          stack.push(defs[name]);
        }
      } else if (child && typeof child === 'object') stack.push(child);
    }
  }
}

const param = (name: string, inWhere: 'query' | 'path', description: string, type = 'string', required = false): object => ({
  name, in: inWhere, description, required, schema: { type, uniqueItems: true },
});

const Q = {
  dryRun: param('dryRun', 'query', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: param('fieldManager', 'query', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: param('fieldValidation', 'query', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict'),
  force: param('force', 'query', 'Force is going to "force" Apply requests.', 'boolean'),
  pretty: param('pretty', 'query', "If 'true', then the output is pretty printed."),
  labelSelector: param('labelSelector', 'query', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: param('fieldSelector', 'query', 'A selector to restrict the list of returned objects by their fields.'),
  limit: param('limit', 'query', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  cont: param('continue', 'query', 'The continue option should be set when retrieving more results from the server.'),
  watch: param('watch', 'query', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  resourceVersion: param('resourceVersion', 'query', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
};

function ok(ref: string): object {
  return { 200: { description: 'OK', content: { 'application/json': { schema: { $ref: ref } }, 'application/yaml': { schema: { $ref: ref } } } } };
}

function pathsFor(r: ResourceInfo, kindRef: string | undefined): Record<string, object> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const base = `/${gvPath(r.group, r.version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
  const ref = kindRef ? `${COMP}${kindRef}` : `${COMP}io.k8s.apimachinery.pkg.apis.meta.v1.Status`;
  const nsParam = r.namespaced ? [param('namespace', 'path', 'object name and auth scope, such as for teams and projects', 'string', true)] : [];
  const op = (action: string, extra: object): object => ({
    operationId: `${action}${r.kind}`, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, ...extra,
  });
  const body = { content: { '*/*': { schema: { $ref: ref } } }, required: true };
  const out: Record<string, object> = {};
  if (r.virtual) {
    out[base] = { post: op('post', { requestBody: body, responses: ok(ref), parameters: [Q.dryRun, Q.fieldManager, Q.fieldValidation] }) };
    return out;
  }
  out[base] = {
    parameters: [...nsParam, Q.pretty],
    get: op('list', { parameters: [Q.labelSelector, Q.fieldSelector, Q.limit, Q.cont, Q.watch, Q.resourceVersion], responses: ok(ref) }),
    post: op('post', { requestBody: body, parameters: [Q.dryRun, Q.fieldManager, Q.fieldValidation], responses: ok(ref) }),
  };
  const patchBody = {
    content: {
      'application/json-patch+json': { schema: { $ref: `${COMP}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } },
      'application/merge-patch+json': { schema: { $ref: `${COMP}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } },
      'application/apply-patch+yaml': { schema: { $ref: `${COMP}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } },
    },
    required: true,
  };
  const itemOps = {
    parameters: [param('name', 'path', `name of the ${r.kind}`, 'string', true), ...nsParam, Q.pretty],
    get: op('get', { responses: ok(ref) }),
    put: op('put', { requestBody: body, parameters: [Q.dryRun, Q.fieldManager, Q.fieldValidation], responses: ok(ref) }),
    patch: op('patch', { requestBody: patchBody, parameters: [Q.dryRun, Q.fieldManager, Q.fieldValidation, Q.force], responses: ok(ref) }),
    delete: op('delete', { responses: ok(`${COMP}io.k8s.apimachinery.pkg.apis.meta.v1.Status`), parameters: [Q.dryRun] }),
  };
  out[`${base}/{name}`] = itemOps;
  for (const s of r.subresources) {
    if (s.name !== 'status' && s.name !== 'scale') continue;
    out[`${base}/{name}/${s.name}`] = {
      parameters: itemOps.parameters,
      get: op('get', { responses: ok(ref) }),
      put: op('put', { requestBody: body, parameters: [Q.dryRun, Q.fieldManager, Q.fieldValidation], responses: ok(ref) }),
      patch: op('patch', { requestBody: patchBody, parameters: [Q.dryRun, Q.fieldManager, Q.fieldValidation, Q.force], responses: ok(ref) }),
    };
  }
  return out;
}

/** The schema of a custom resource as a components entry: apiVersion/kind/metadata added, GVK tagged. */
function crdSchema(crd: KubeObject, version: string): Record<string, unknown> | undefined {
  const c = readCrd(crd);
  const v = crdVersion(c, version);
  const s = v?.schema?.openAPIV3Schema as Record<string, unknown> | undefined;
  if (!s) return undefined;
  const props = { ...((s.properties as Record<string, unknown> | undefined) ?? {}) };
  props.apiVersion = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
  props.kind = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  props.metadata = { description: "Standard object's metadata.", allOf: [{ $ref: `${DEF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` }] };
  return { ...s, type: 'object', properties: props, 'x-kubernetes-group-version-kind': [{ group: c.group, version, kind: c.kind }] };
}

export class OpenApi {
  private readonly docs = new Map<string, { body: string; hash: string }>();
  private crdStamp = '';

  constructor(private readonly catalog: Catalog, private readonly crdFor: (r: ResourceInfo) => KubeObject | undefined, private readonly version: string) {}

  private stamp(): string {
    return this.catalog.all().filter((r) => r.crd).map((r) => `${r.crd}@${String(this.crdFor(r)?.metadata?.resourceVersion)}/${r.version}`).join(',');
  }

  private invalidate(): void {
    const s = this.stamp();
    if (s !== this.crdStamp) {
      this.crdStamp = s;
      this.docs.clear();
    }
  }

  /** `/openapi/v3`: every served group-version and its document URL (with a content hash). */
  index(): object {
    this.invalidate();
    const paths: Record<string, object> = {};
    for (const g of this.catalog.groups()) {
      for (const v of g.versions) {
        const p = gvPath(g.name, v);
        const doc = this.document(g.name, v);
        if (doc) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${doc.hash}` };
      }
    }
    return { paths };
  }

  /** The JSON text of one group-version document, or undefined when not served. */
  document(group: string, version: string): { body: string; hash: string } | undefined {
    this.invalidate();
    const key = gvPath(group, version);
    const hit = this.docs.get(key);
    if (hit) return hit;
    const infos = this.catalog.all().filter((r) => r.group === group && r.version === version);
    if (infos.length === 0) return undefined;
    const sc = schemaCatalog();
    const defs = sc.definitions;
    const schemas: Record<string, unknown> = {};
    const needed = new Set<string>(['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch']);
    const paths: Record<string, object> = {};
    for (const r of infos) {
      let kindRef: string | undefined;
      if (r.crd) {
        const crd = this.crdFor(r);
        const s = crd ? crdSchema(crd, r.version) : undefined;
        if (s) {
          kindRef = `${r.group}.${r.version}.${r.kind}`;
          schemas[kindRef] = s;
          collectRefs(s, needed, defs);
        }
      } else {
        const ks = sc.byGvk(r.group, r.version, r.kind);
        if (ks) {
          kindRef = ks.definition;
          needed.add(ks.definition);
          collectRefs(ks.schema, needed, defs);
          const list = sc.byGvk(r.group, r.version, `${r.kind}List`);
          if (list) {
            needed.add(list.definition);
            collectRefs(list.schema, needed, defs);
          }
        }
      }
      Object.assign(paths, pathsFor(r, kindRef));
    }
    collectRefs([...needed].map((n) => defs[n]), needed, defs);
    for (const n of needed) if (defs[n]) schemas[n] = defs[n];
    if (!schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch']) {
      schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
    }
    const doc = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: this.version },
      paths,
      components: { schemas },
    };
    const body = JSON.stringify(doc).replaceAll(DEF, COMP);
    const hash = createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase();
    const entry = { body, hash };
    this.docs.set(key, entry);
    return entry;
  }
}
