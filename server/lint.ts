/**
 * Best-practice warnings on pod templates, each behind its own setting (LintSettings): resources, image tags,
 * probes, privileged containers, dangerous hostPath volumes.
 */
import { Sev } from './diag.ts';
import type { RawDiag } from './diag.ts';
import type { ParsedDoc } from './model.ts';
import type { LintSettings } from './protocol.ts';
import { rangeOf } from './validation.ts';
import { isObj, podTemplateOf } from './workspace.ts';

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);
const DANGEROUS_HOST_PATHS = new Set(['/', '/var/run/docker.sock', '/run/docker.sock', '/var/run', '/run', '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock']);

/** Image reference without a tag or digest, or with `:latest`. */
export function untaggedOrLatest(image: string): boolean {
  if (image.includes('@')) return false;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 || image.slice(colon + 1) === 'latest';
}

export function lintDiagnostics(p: ParsedDoc, settings: LintSettings): RawDiag[] {
  const out: RawDiag[] = [];
  if (!p.isObject || !p.kind || !isObj(p.value) || !p.kindSchema) return out;
  const t = podTemplateOf(p.kind, p.value);
  if (!t) return out;
  const base = [...t.path, 'spec'];
  const add = (path: (string | number)[], severity: Sev, code: RawDiag['code'], message: string) => {
    const [s, e] = rangeOf(p, path);
    out.push({ start: s, end: e, severity, code, message });
  };
  const containers = Array.isArray(t.spec.containers) ? t.spec.containers : [];
  containers.forEach((c, i) => {
    if (!isObj(c)) return;
    const cp = [...base, 'containers', i];
    const label = typeof c.name === 'string' ? `Container "${c.name}"` : 'This container';
    const at = typeof c.name === 'string' ? [...cp, 'name'] : cp;
    if (settings.resources) {
      const r = isObj(c.resources) ? c.resources : {};
      // Requests default to the limits when only limits are set, so that case is complete.
      if (!isObj(r.requests) && !isObj(r.limits)) {
        add(at, Sev.Warning, 'no-resources', `${label} sets no resource requests or limits: the scheduler cannot place it well and it may starve its neighbours.`);
      } else if (!isObj(r.limits)) {
        add(at, Sev.Warning, 'no-resources', `${label} sets no resource limits: a leak or a spike can take the node's memory from its neighbours.`);
      }
    }
    if (settings.latestTag && typeof c.image === 'string' && untaggedOrLatest(c.image)) {
      add([...cp, 'image'], Sev.Warning, 'latest-tag', `Image "${c.image}" has no fixed tag (it means :latest): rollouts and rollbacks cannot tell versions apart. Pin a tag or digest.`);
    }
    if (settings.probes && LONG_RUNNING.has(p.kind!) && !isObj(c.readinessProbe) && !isObj(c.livenessProbe)) {
      add(at, Sev.Warning, 'no-probes', `${label} has no readinessProbe or livenessProbe: traffic reaches it before it is ready, and a hung process is never restarted.`);
    }
    if (settings.privileged && isObj(c.securityContext) && c.securityContext.privileged === true) {
      add([...cp, 'securityContext', 'privileged'], Sev.Warning, 'privileged', `${label} runs privileged: it has full access to the host.`);
    }
  });
  if (settings.hostPath) {
    (Array.isArray(t.spec.volumes) ? t.spec.volumes : []).forEach((v, i) => {
      if (!isObj(v) || !isObj(v.hostPath) || typeof v.hostPath.path !== 'string') return;
      const path = v.hostPath.path.replace(/\/+$/, '') || '/';
      if (DANGEROUS_HOST_PATHS.has(path)) {
        add([...base, 'volumes', i, 'hostPath', 'path'], Sev.Warning, 'dangerous-hostpath', `hostPath "${v.hostPath.path}" gives the pod control of the host${path.includes('sock') || path.endsWith('/run') ? ' (the container runtime socket)' : ''}.`);
      }
    });
  }
  return out;
}
