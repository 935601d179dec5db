/**
 * Cross-resource checks of one document against the workspace index: selector vs template labels, Services
 * selecting nothing or naming a port no container has, references to missing ConfigMaps/Secrets/keys/PVCs/
 * ServiceAccounts, Ingress backends, HPA targets, and the same object defined twice. Objects may also exist only
 * in the cluster, so a missing reference is a warning, while a selector that does not match its own template
 * (which the API server rejects) is an error.
 */
import { Sev } from './diag.ts';
import type { RawDiag } from './diag.ts';
import type { ParsedDoc } from './model.ts';
import { rangeOf } from './validation.ts';
import { effectiveNamespace, isObj, labelsOf, podTemplateOf, referencesOf, selectorMatches } from './workspace.ts';
import type { ObjectEntry, WorkspaceIndex } from './workspace.ts';

const SELECTOR_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

/** Pod templates in the workspace that a Service's selector picks, in its namespace. */
export function selectedTemplates(index: WorkspaceIndex, namespace: string, selector: Record<string, string>): { entry: ObjectEntry; spec: Record<string, unknown> }[] {
  const out: { entry: ObjectEntry; spec: Record<string, unknown> }[] = [];
  if (Object.keys(selector).length === 0) return out;
  for (const o of index.objects()) {
    if (o.namespace !== namespace || !isObj(o.parsed.value)) continue;
    const t = podTemplateOf(o.kind, o.parsed.value);
    if (t && selectorMatches(selector, t.labels, true)) out.push({ entry: o, spec: t.spec });
  }
  return out;
}

function containerPorts(spec: Record<string, unknown>): { names: Set<string>; numbers: Set<number> } {
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isObj(c)) continue;
    for (const p of Array.isArray(c.ports) ? c.ports : []) {
      if (!isObj(p)) continue;
      if (typeof p.name === 'string') names.add(p.name);
      if (typeof p.containerPort === 'number') numbers.add(p.containerPort);
    }
  }
  return { names, numbers };
}

/** `self` identifies the document (identical documents share one ParsedDoc). */
export function crossResourceDiagnostics(p: ParsedDoc, index: WorkspaceIndex, partial: boolean, self: { uri: string; index: number }): RawDiag[] {
  const out: RawDiag[] = [];
  if (!p.isObject || !isObj(p.value) || !p.kind) return out;
  const obj = p.value;
  const kind = p.kind;
  const ns = effectiveNamespace(kind, p.namespace);
  const add = (path: (string | number)[], severity: Sev, code: RawDiag['code'], message: string, data?: RawDiag['data'], onKey = false) => {
    const [s, e] = rangeOf(p, path, onKey);
    out.push({ start: s, end: e, severity, code, message, data });
  };
  const spec = isObj(obj.spec) ? obj.spec : undefined;

  // Selector vs template labels (the API server rejects a mismatch).
  if (SELECTOR_KINDS.has(kind) && spec && isObj(spec.selector)) {
    const t = podTemplateOf(kind, obj);
    if (t && !selectorMatches(spec.selector, t.labels)) {
      add(['spec', 'selector'], Sev.Error, 'selector-mismatch', `spec.selector does not match the template labels (${Object.entries(t.labels).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}): the API server rejects this ${kind}.`, undefined, true);
    }
  }

  if (kind === 'Service' && spec && spec.type !== 'ExternalName' && isObj(spec.selector) && !partial) {
    const selector = labelsOf(spec.selector);
    const selected = selectedTemplates(index, ns, selector);
    if (Object.keys(selector).length > 0 && selected.length === 0 && index.clusterPodsMatching(ns, selector).length === 0) {
      add(['spec', 'selector'], Sev.Warning, 'service-selects-nothing', `Service selector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(', ')} matches no pod template in namespace "${ns}" in the workspace.`, undefined, true);
    }
    if (selected.length > 0) {
      (Array.isArray(spec.ports) ? spec.ports : []).forEach((port, i) => {
        if (!isObj(port) || typeof port.targetPort !== 'string' || /^\d+$/.test(port.targetPort)) return;
        const named = selected.some((s) => containerPorts(s.spec).names.has(port.targetPort as string));
        if (!named) add(['spec', 'ports', i, 'targetPort'], Sev.Warning, 'unknown-target-port', `targetPort "${port.targetPort}" names no container port of the selected pods (${selected.map((s) => `${s.entry.kind} ${s.entry.name}`).join(', ')}).`);
      });
    }
  }

  if (!partial) {
    for (const ref of referencesOf(kind, obj, ns)) {
      const found = index.find(ref.kind, ref.namespace, ref.name);
      if (found.length === 0) {
        if (ref.optional) continue;
        const live = index.findInCluster(ref.kind, ref.namespace, ref.name);
        if (live) {
          // Exists in the connected cluster: fine, unless a key it is asked for is missing there.
          if (ref.key && ref.keyPath && live.keys && !live.keys.includes(ref.key)) {
            add(ref.keyPath, Sev.Warning, 'missing-key', `${ref.kind} "${ref.name}" in cluster "${index.clusterContext}" has no key "${ref.key}" (keys: ${[...live.keys].sort().join(', ') || 'none'}).`, { kind: ref.kind, name: ref.name, namespace: ref.namespace, key: ref.key });
          }
          continue;
        }
        const code = ({ ConfigMap: 'missing-configmap', Secret: 'missing-secret', PersistentVolumeClaim: 'missing-pvc', ServiceAccount: 'missing-serviceaccount', Service: 'missing-service' } as const)[ref.kind as 'ConfigMap'] ?? (kind === 'HorizontalPodAutoscaler' ? 'missing-scale-target' : undefined);
        if (!code) continue;
        // One diagnostic per missing object and place (volume items repeat the name for each key).
        if (out.some((d) => d.code === code && d.message.includes(`"${ref.name}"`) && rangeOf(p, ref.path)[0] === d.start)) continue;
        add(ref.path, Sev.Warning, code, `${ref.kind} "${ref.name}" is not defined in namespace "${ref.namespace || 'cluster'}" in the workspace.`, { kind: ref.kind, name: ref.name, namespace: ref.namespace, key: ref.key });
        continue;
      }
      const target = found[0];
      if (ref.key && ref.keyPath && !ref.optional && (ref.kind === 'ConfigMap' || ref.kind === 'Secret') && isObj(target.parsed.value)) {
        const t = target.parsed.value;
        const keys = new Set([...Object.keys(isObj(t.data) ? t.data : {}), ...Object.keys(isObj(t.binaryData) ? t.binaryData : {}), ...Object.keys(isObj(t.stringData) ? t.stringData : {})]);
        if (!keys.has(ref.key)) add(ref.keyPath, Sev.Warning, 'missing-key', `${ref.kind} "${ref.name}" has no key "${ref.key}"${keys.size ? ` (keys: ${[...keys].sort().join(', ')})` : ''}.`, { kind: ref.kind, name: ref.name, namespace: ref.namespace, key: ref.key });
      }
      if (ref.port !== undefined && ref.portPath && isObj(target.parsed.value) && isObj(target.parsed.value.spec)) {
        const ports = Array.isArray(target.parsed.value.spec.ports) ? target.parsed.value.spec.ports.filter(isObj) : [];
        const ok = ports.some((sp) => (typeof ref.port === 'number' ? sp.port === ref.port : sp.name === ref.port));
        if (!ok) add(ref.portPath, Sev.Warning, 'missing-service-port', `Service "${ref.name}" has no port ${typeof ref.port === 'number' ? ref.port : `named "${ref.port}"`} (ports: ${ports.map((sp) => sp.name ?? sp.port).join(', ') || 'none'}).`);
      }
    }
    if (p.name) {
      const same = index.find(kind, ns, p.name).filter((o) => !(o.uri === self.uri && o.slot.index === self.index) && o.apiVersion.split('/').slice(0, -1).join('/') === p.apiVersion!.split('/').slice(0, -1).join('/'));
      if (same.length > 0) {
        add(['metadata', 'name'], Sev.Warning, 'duplicate-object', `${kind} "${p.name}" in namespace "${ns || 'cluster'}" is also defined in ${same.map((o) => `${o.uri.slice(o.uri.lastIndexOf('/') + 1)} (document ${o.slot.index + 1})`).join(', ')}.`);
      }
    }
  }
  return out;
}
