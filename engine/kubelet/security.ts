/**
 * Pod Security admission, the part of the upstream "baseline" level that matters on a shared Docker host:
 * privileged containers, host namespaces, and hostPath mounts of `/` or the Docker socket give a pod the
 * machine. They are refused unless the namespace opts in with the upstream label
 * `pod-security.kubernetes.io/enforce: privileged`. The API server answers 403 with these messages.
 */
import type { Namespace, Pod } from 'kubernetes-types/core/v1';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

export interface PodSecurityViolation {
  field: string;
  message: string;
}

const DANGEROUS_HOST_PATHS = ['/', '/var/run/docker.sock', '/run/docker.sock', '/var/run', '/run'];

function normalizePath(p: string): string {
  const s = p.replace(/\/+/g, '/').replace(/\/$/, '');
  return s === '' ? '/' : s;
}

/** Empty when the pod may run in the namespace. */
export function checkPodSecurity(pod: Pod, namespace: Namespace | undefined): PodSecurityViolation[] {
  if (namespace?.metadata?.labels?.[ENFORCE_LABEL] === 'privileged') return [];
  const out: PodSecurityViolation[] = [];
  const spec = pod.spec;
  if (!spec) return out;
  if (spec.hostNetwork) out.push({ field: 'spec.hostNetwork', message: 'host namespaces (hostNetwork=true)' });
  if (spec.hostPID) out.push({ field: 'spec.hostPID', message: 'host namespaces (hostPID=true)' });
  if (spec.hostIPC) out.push({ field: 'spec.hostIPC', message: 'host namespaces (hostIPC=true)' });
  const lists: ['initContainers' | 'containers' | 'ephemeralContainers', readonly { name: string; securityContext?: { privileged?: boolean } }[]][] = [
    ['initContainers', spec.initContainers ?? []], ['containers', spec.containers ?? []], ['ephemeralContainers', spec.ephemeralContainers ?? []],
  ];
  for (const [list, cs] of lists) {
    cs.forEach((c, i) => {
      if (c.securityContext?.privileged) {
        out.push({ field: `spec.${list}[${i}].securityContext.privileged`, message: `privileged (container "${c.name}" must not set securityContext.privileged=true)` });
      }
    });
  }
  (spec.volumes ?? []).forEach((v, i) => {
    if (v.hostPath && DANGEROUS_HOST_PATHS.includes(normalizePath(v.hostPath.path))) {
      out.push({ field: `spec.volumes[${i}].hostPath.path`, message: `hostPath volumes (volume "${v.name}" mounts ${v.hostPath.path}, which gives the pod the host)` });
    }
  });
  return out;
}

/** Upstream's admission message: `pods "x" is forbidden: violates PodSecurity "baseline:latest": …`. */
export function podSecurityMessage(pod: Pod, violations: PodSecurityViolation[]): string {
  return `pods "${pod.metadata?.name ?? pod.metadata?.generateName ?? ''}" is forbidden: violates PodSecurity "baseline:latest": ${violations.map((v) => v.message).join(', ')} (namespace label ${ENFORCE_LABEL}=privileged allows it)`;
}
