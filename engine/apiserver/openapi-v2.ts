/**
 * OpenAPI v2 (`/openapi/v2`) for kubectl 1.27/1.28, which validate (`create -f`, `apply`) and `explain` from
 * it: they ask for the gnostic protobuf form (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`),
 * so the swagger 2.0 document built from the same generated schema is encoded here with a minimal protobuf
 * writer following gnostic's openapiv2/OpenAPIv2.proto field numbers. JSON is served to clients asking for it.
 * The document declares `fieldValidation` on PATCH operations (kubectl then validates server-side) and tags
 * definitions with x-kubernetes-group-version-kind (explain finds kinds by it).
 */
import { stringify } from 'yaml';
import { schemaCatalog, type JsonSchema } from '../../schema/index.ts';
import type { Catalog, ResourceInfo } from '../registry/catalog.ts';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** A protobuf message under construction (proto3 wire format). */
class Msg {
  private readonly parts: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = n;
    while (v > 127) {
      bytes.push((v & 127) | 128);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  str(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.tag(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  strs(field: number, list: string[] | undefined): this {
    for (const s of list ?? []) {
      const b = Buffer.from(s, 'utf8');
      this.tag(field, 2);
      this.varint(b.length);
      this.parts.push(b);
    }
    return this;
  }

  bool(field: number, v: boolean | undefined): this {
    if (!v) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  msg(field: number, m: Msg | undefined): this {
    if (!m) return this;
    const b = m.bytes();
    this.tag(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** gnostic Any: the value as YAML text. */
const anyYaml = (v: unknown): Msg => new Msg().str(2, stringify(v));
const namedAny = (name: string, v: unknown): Msg => new Msg().str(1, name).msg(2, anyYaml(v));

const DEF = '#/definitions/';

function schemaMsg(s: JsonSchema): Msg {
  const m = new Msg();
  let ref = s.$ref;
  if (!ref && s.allOf?.length === 1 && s.allOf[0]!.$ref) ref = s.allOf[0]!.$ref;
  m.str(1, ref);
  m.str(2, s.format);
  m.str(4, s.description);
  if (s.default !== undefined) m.msg(5, anyYaml(s.default));
  m.strs(19, s.required);
  for (const e of s.enum ?? []) m.msg(20, anyYaml(e));
  if (s.additionalProperties !== undefined) {
    const ap = new Msg();
    if (typeof s.additionalProperties === 'boolean') ap.bool(2, s.additionalProperties);
    else ap.msg(1, schemaMsg(s.additionalProperties));
    m.msg(21, ap);
  }
  if (s.type) m.msg(22, new Msg().strs(1, [s.type]));
  if (s.items) m.msg(23, new Msg().msg(1, schemaMsg(s.items)));
  if (s.properties) {
    const props = new Msg();
    for (const [k, v] of Object.entries(s.properties)) props.msg(1, new Msg().str(1, k).msg(2, schemaMsg(v)));
    m.msg(25, props);
  }
  m.bool(27, s.readOnly);
  const gvk = s['x-kubernetes-group-version-kind'];
  if (gvk) m.msg(31, namedAny('x-kubernetes-group-version-kind', gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }))));
  if (s['x-kubernetes-int-or-string']) m.msg(31, namedAny('x-kubernetes-int-or-string', true));
  if (s['x-kubernetes-preserve-unknown-fields']) m.msg(31, namedAny('x-kubernetes-preserve-unknown-fields', true));
  return m;
}

const queryParam = (name: string, type = 'string'): Msg =>
  new Msg().msg(1, new Msg().msg(2, new Msg().msg(3, new Msg().str(2, 'query').str(4, name).str(6, type).bool(20, true))));

function operation(r: ResourceInfo, action: string, ref: string | undefined, params: string[], body: boolean): Msg {
  const op = new Msg().str(5, `${action}${r.group.replace(/\./g, '')}${r.version}${r.kind}`);
  op.strs(6, ['application/json', 'application/yaml']);
  if (action === 'patch') op.strs(7, ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  else op.strs(7, ['*/*']);
  if (body) {
    op.msg(8, new Msg().msg(1, new Msg().msg(1, new Msg().str(2, 'body').str(3, 'body').bool(4, true)
      .msg(5, new Msg().str(1, action === 'patch' ? `${DEF}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` : ref)))));
  }
  for (const p of params) op.msg(8, queryParam(p, p === 'force' ? 'boolean' : 'string'));
  const resp = new Msg().str(1, 'OK');
  if (ref) resp.msg(2, new Msg().msg(1, new Msg().str(1, ref)));
  op.msg(9, new Msg().msg(1, new Msg().str(1, '200').msg(2, new Msg().msg(1, resp))));
  op.msg(13, namedAny('x-kubernetes-action', action));
  op.msg(13, namedAny('x-kubernetes-group-version-kind', { group: r.group, kind: r.kind, version: r.version }));
  return op;
}

export class OpenApiV2 {
  private cached?: { stamp: string; pb: Buffer; json: string };

  constructor(private readonly catalog: Catalog, private readonly version: string) {}

  private resources(): ResourceInfo[] {
    return this.catalog.all().filter((r) => !r.crd);
  }

  /** The document as gnostic protobuf and as JSON (built-in kinds; custom resources are validated server-side). */
  document(): { pb: Buffer; json: string } {
    const stamp = String(this.resources().length);
    if (this.cached?.stamp === stamp) return this.cached;
    const sc = schemaCatalog();
    const doc = new Msg().str(1, '2.0').msg(2, new Msg().str(1, 'Kubernetes').str(2, this.version));
    const paths = new Msg();
    const jsonPaths: Record<string, object> = {};
    for (const r of this.resources()) {
      const ks = sc.byGvk(r.group, r.version, r.kind);
      const ref = ks ? `${DEF}${ks.definition}` : undefined;
      const gv = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const base = `${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
      if (r.virtual) {
        paths.msg(2, new Msg().str(1, base).msg(2, new Msg().msg(4, operation(r, 'post', ref, ['dryRun', 'fieldManager', 'fieldValidation'], true))));
        continue;
      }
      paths.msg(2, new Msg().str(1, base).msg(2, new Msg()
        .msg(2, operation(r, 'list', ref, ['labelSelector', 'fieldSelector'], false))
        .msg(4, operation(r, 'post', ref, ['dryRun', 'fieldManager', 'fieldValidation'], true))));
      paths.msg(2, new Msg().str(1, `${base}/{name}`).msg(2, new Msg()
        .msg(2, operation(r, 'get', ref, [], false))
        .msg(3, operation(r, 'put', ref, ['dryRun', 'fieldManager', 'fieldValidation'], true))
        .msg(5, operation(r, 'delete', undefined, ['dryRun'], false))
        .msg(8, operation(r, 'patch', ref, ['dryRun', 'fieldManager', 'fieldValidation', 'force'], true))));
      const gvk = { group: r.group, kind: r.kind, version: r.version };
      const qp = (n: string): object => ({ name: n, in: 'query', type: n === 'force' ? 'boolean' : 'string', uniqueItems: true });
      jsonPaths[`${base}/{name}`] = {
        get: { operationId: `read${r.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: { 200: { description: 'OK', schema: { $ref: ref } } } },
        patch: {
          operationId: `patch${r.kind}`, 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk,
          consumes: ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'],
          parameters: [{ name: 'body', in: 'body', required: true, schema: { $ref: `${DEF}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } }, ...['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(qp)],
          responses: { 200: { description: 'OK', schema: { $ref: ref } } },
        },
      };
    }
    doc.msg(8, paths);
    const defs = new Msg();
    const jsonDefs: Record<string, JsonSchema> = {};
    for (const [name, s] of Object.entries(sc.definitions)) {
      defs.msg(1, new Msg().str(1, name).msg(2, schemaMsg(s)));
      jsonDefs[name] = s;
    }
    if (!sc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Patch']) {
      const patch: JsonSchema = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
      defs.msg(1, new Msg().str(1, 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch').msg(2, schemaMsg(patch)));
      jsonDefs['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = patch;
    }
    doc.msg(9, defs);
    const json = JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: this.version }, paths: jsonPaths, definitions: jsonDefs });
    this.cached = { stamp, pb: doc.bytes(), json };
    return this.cached;
  }
}
