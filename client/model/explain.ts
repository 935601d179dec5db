/**
 * "Why is this pod Pending / not Ready / restarting?": the scheduler's and the kubelet's reasons, read from
 * the pod's status and its Events, said in plain words with what to do next.
 *
 * Contract: pure (no vscode). Every sentence goes through `l10n.t` with a literal, so the extension passes
 * `vscode.l10n` and gets Korean where the UI is Korean; tests use the default, which only fills in `{n}`.
 * `events` may hold events of any object: only the pod's own are used (matched by uid, else by name).
 */
import type { Container, ContainerStatus, Event, Node, Pod, Probe } from 'kubernetes-types/core/v1';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { eventTime } from './eventsView.ts';
import { podsOf } from './podSelection.ts';

export interface L10n {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** English: the message itself with `{0}`, `{1}`, … filled in (what vscode.l10n.t does without a bundle). */
export const english: L10n = {
  t: (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)]))),
};

export interface Explanation {
  /** One sentence: what is going on. */
  headline: string;
  /** Why, in plain words, and what to check or change. */
  details: string[];
  /** The pod's state in one word, for icons and titles. */
  state: 'Terminating' | 'Pending' | 'ContainerCreating' | 'ImagePull' | 'ConfigError' | 'Restarting' | 'NotReady' | 'Completed' | 'Failed' | 'Healthy';
}

/** The pod's own events, newest first. */
export function podEvents(pod: Pod, events: readonly Event[]): Event[] {
  const uid = pod.metadata?.uid;
  const name = pod.metadata?.name;
  const ns = pod.metadata?.namespace ?? 'default';
  return events
    .filter((e) => {
      const o = e.involvedObject;
      if (o?.kind !== 'Pod') return false;
      if (uid && o.uid) return o.uid === uid;
      return o.name === name && (o.namespace ?? 'default') === ns;
    })
    .sort((a, b) => eventTime(b) - eventTime(a));
}

const latest = (events: Event[], reason: string, container?: string): Event | undefined =>
  events.find((e) => e.reason === reason && (!container || !e.involvedObject?.fieldPath || e.involvedObject.fieldPath.includes(`{${container}}`)));

/** Plain words for the scheduler's per-node reasons ("2 Insufficient cpu", "1 node(s) had untolerated taint {k: v}"). */
function schedulingReasons(message: string, pod: Pod, l10n: L10n): string[] {
  const out: string[] = [];
  const m = message.match(/^0\/(\d+) nodes are available:?\s*(.*)$/s);
  if (m && m[1] === '0') return [l10n.t('There are no nodes in the cluster. Start the engine\'s nodes or add a node.')];
  const body = (m ? m[2]! : message).split(/\.\s*preemption:/)[0]!.replace(/\.$/, '');
  const parts = body.split(/,\s*(?=\d+\s)/).map((s) => s.trim()).filter(Boolean);
  const requests = totalRequests(pod);
  for (const part of parts.length ? parts : [body]) {
    const pm = part.match(/^(\d+)\s+(.*)$/s);
    const n = pm ? pm[1]! : '';
    const reason = pm ? pm[2]! : part;
    const ins = reason.match(/^Insufficient (\S+)/);
    if (ins) {
      const res = ins[1]!;
      if (res === 'cpu') out.push(l10n.t('{0} node(s) do not have enough free CPU: the pod requests {1} CPU in total, more than is left after the requests of the pods already there. Lower resources.requests.cpu, remove other workloads, or add a node.', n, requests.cpu ?? '?'));
      else if (res === 'memory') out.push(l10n.t('{0} node(s) do not have enough free memory: the pod requests {1} in total, more than is left after the requests of the pods already there. Lower resources.requests.memory, remove other workloads, or add a node.', n, requests.memory ?? '?'));
      else if (res === 'pods') out.push(l10n.t('{0} node(s) already run as many pods as they allow (status.allocatable.pods).', n));
      else out.push(l10n.t('{0} node(s) do not have enough {1} left for the pod\'s requests.', n, res));
    } else if (/untolerated taint/.test(reason)) {
      // `{key: value}` as kubectl taint writes it: key=value, or just key when the value is empty
      const [key = '', value = ''] = (reason.match(/\{([^}]*)\}/)?.[1] ?? '').split(/:\s*/);
      const taint = value ? `${key}=${value}` : key;
      out.push(l10n.t('{0} node(s) carry the taint {1} and the pod has no matching toleration. Add a toleration to the pod, or remove the taint from the node (kubectl taint nodes NODE KEY-).', n, taint));
    } else if (/were unschedulable/.test(reason)) {
      out.push(l10n.t('{0} node(s) are cordoned (spec.unschedulable). Uncordon them to let new pods in.', n));
    } else if (/node affinity\/selector/.test(reason)) {
      const sel = Object.entries(pod.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      out.push(sel
        ? l10n.t('{0} node(s) do not have the labels the pod\'s nodeSelector asks for ({1}). Label a node or change the nodeSelector.', n, sel)
        : l10n.t('{0} node(s) do not match the pod\'s node affinity. Check spec.affinity.nodeAffinity against the node labels.', n));
    } else if (/free ports/.test(reason)) {
      out.push(l10n.t('{0} node(s) already use the hostPort the pod asks for. Only one pod per node can bind a hostPort.', n));
    } else if (/Too many pods/.test(reason)) {
      out.push(l10n.t('{0} node(s) already run as many pods as they allow (status.allocatable.pods).', n));
    } else if (/anti-affinity/.test(reason)) {
      out.push(l10n.t('{0} node(s) are ruled out by pod anti-affinity: a pod it must not share a node with runs there.', n));
    } else if (/pod affinity/.test(reason)) {
      out.push(l10n.t('{0} node(s) are ruled out by pod affinity: no pod it must run next to runs there.', n));
    } else if (/topology spread/.test(reason)) {
      out.push(l10n.t('{0} node(s) would break the pod\'s topology spread constraints.', n));
    } else if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim .* not found|volume node affinity/i.test(reason)) {
      out.push(l10n.t('The pod uses a PersistentVolumeClaim that is not bound to a volume yet (or does not exist): {0}. Check the claim with kubectl get pvc.', reason));
    } else out.push(l10n.t('{0} node(s): {1}', n || '?', reason));
  }
  return out;
}

/** Sum of container requests (as written, when all containers use the same unit style; else listed). */
function totalRequests(pod: Pod): { cpu?: string; memory?: string } {
  const list = (r: 'cpu' | 'memory') => (pod.spec?.containers ?? []).map((c) => c.resources?.requests?.[r] ?? c.resources?.limits?.[r]).filter((x): x is string => !!x);
  const cpu = list('cpu');
  const mem = list('memory');
  return { cpu: cpu.length ? cpu.join(' + ') : undefined, memory: mem.length ? mem.join(' + ') : undefined };
}

/** Where a probe looks, in words ("HTTP GET :8080/healthz", "TCP :5432", "command `cat /tmp/ok`"). */
export function describeProbe(p: Probe | undefined): string | undefined {
  if (!p) return undefined;
  if (p.httpGet) return `HTTP GET :${p.httpGet.port}${p.httpGet.path ?? '/'}`;
  if (p.tcpSocket) return `TCP :${p.tcpSocket.port}`;
  if (p.grpc) return `gRPC :${p.grpc.port}`;
  if (p.exec?.command) return `exec \`${p.exec.command.join(' ')}\``;
  return undefined;
}

/** Plain words for an exit code; undefined when there is nothing more to say than the number. */
function exitCodeMeaning(code: number, l10n: L10n): string | undefined {
  switch (code) {
    case 126: return l10n.t('Exit code 126: the command was found but could not be run (not executable?).');
    case 127: return l10n.t('Exit code 127: the command was not found in the image. Check command/args and the image.');
    case 137: return l10n.t('Exit code 137: the process was killed with SIGKILL (out of memory, or it did not stop in time).');
    case 143: return l10n.t('Exit code 143: the process stopped on SIGTERM.');
    case 139: return l10n.t('Exit code 139: the process crashed with a segmentation fault.');
    default: return undefined;
  }
}

function restartDetails(pod: Pod, c: ContainerStatus, spec: Container | undefined, events: Event[], l10n: L10n): string[] {
  const out: string[] = [];
  const last = c.lastState?.terminated ?? c.state?.terminated;
  if (last) {
    const code = last.exitCode;
    if (last.reason === 'OOMKilled') {
      const limit = spec?.resources?.limits?.memory;
      out.push(limit
        ? l10n.t('The last run was killed because it used more memory than its limit ({0}): OOMKilled. Raise resources.limits.memory or make the program use less.', limit)
        : l10n.t('The last run was killed for using too much memory (OOMKilled). Set or raise resources.limits.memory.'));
    } else if (code === 0) {
      const policy = pod.spec?.restartPolicy ?? 'Always';
      out.push(policy === 'Always'
        ? l10n.t('The program finished successfully (exit code 0), but with restartPolicy Always the kubelet starts it again. Long-running workloads (Deployments) need a process that keeps running; for run-to-completion work use a Job.')
        : l10n.t('The last run finished successfully (exit code 0).'));
    } else {
      out.push(l10n.t('The last run ended with exit code {0} ({1}).', code, last.reason ?? 'Error'));
      const meaning = exitCodeMeaning(code, l10n);
      if (meaning) out.push(meaning);
      if (last.message) out.push(l10n.t('Message: {0}', last.message.trim()));
    }
  }
  const killed = events.find((e) => e.reason === 'Killing' && /liveness|startup/i.test(e.message ?? '') && (e.involvedObject?.fieldPath ?? '').includes(`{${c.name}}`));
  const unhealthy = events.find((e) => e.reason === 'Unhealthy' && /^(Liveness|Startup) probe failed/.test(e.message ?? '') && (!e.involvedObject?.fieldPath || e.involvedObject.fieldPath.includes(`{${c.name}}`)));
  if (killed || unhealthy) {
    const probe = describeProbe(spec?.livenessProbe) ?? describeProbe(spec?.startupProbe);
    out.push(l10n.t('The liveness probe{0} fails, so the kubelet restarts the container: {1}', probe ? ` (${probe})` : '', (unhealthy?.message ?? killed?.message ?? '').trim()));
  }
  if (c.state?.waiting?.reason === 'CrashLoopBackOff') {
    out.push(l10n.t('The kubelet waits longer before each restart (10s, 20s, 40s … up to 5 minutes). kubectl logs {0} --previous shows the output of the last run.', `${pod.metadata?.name ?? ''}${(pod.spec?.containers?.length ?? 1) > 1 ? ` -c ${c.name}` : ''}`));
  }
  return out;
}

/** The explanation for one pod; `node` is the node it is bound to (for NotReady nodes), when known. */
export function explainPod(pod: Pod, allEvents: readonly Event[], node?: Node, l10n: L10n = english): Explanation {
  const name = pod.metadata?.name ?? '';
  const events = podEvents(pod, allEvents);
  const st = pod.status ?? {};
  const statuses = st.containerStatuses ?? [];
  const specOf = (n: string) => [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === n);

  if (pod.metadata?.deletionTimestamp) {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const details = [l10n.t('The kubelet sent SIGTERM to the containers; they have {0} seconds to exit before they are killed.', grace)];
    if (pod.metadata.finalizers?.length) details.push(l10n.t('The pod also waits for its finalizers to be removed: {0}.', pod.metadata.finalizers.join(', ')));
    if (node && !nodeReady(node)) details.push(l10n.t('Its node {0} is not Ready, so nobody confirms the containers stopped; the pod stays Terminating until the node returns or the pod is force-deleted.', node.metadata?.name ?? ''));
    return { state: 'Terminating', headline: l10n.t('Pod {0} is shutting down (Terminating).', name), details };
  }

  if (st.phase === 'Succeeded') return { state: 'Completed', headline: l10n.t('Pod {0} has completed: all its containers exited successfully.', name), details: [] };

  // Not on a node yet: the scheduler's reason.
  if (!pod.spec?.nodeName) {
    const cond = st.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    const ev = latest(events, 'FailedScheduling');
    const message = ev?.message ?? cond?.message;
    if (message) {
      return {
        state: 'Pending',
        headline: l10n.t('Pod {0} is Pending: the scheduler found no node it fits on.', name),
        details: [...schedulingReasons(message, pod, l10n), l10n.t('The scheduler said: {0}', message)],
      };
    }
    return { state: 'Pending', headline: l10n.t('Pod {0} is Pending: it has not been assigned to a node yet.', name), details: [l10n.t('The scheduler has not reported a problem; it may simply not have run yet.')] };
  }

  if (node && !nodeReady(node)) {
    const details = [l10n.t('The kubelet on {0} does not report; the pod\'s real state is unknown. After about 5 minutes its pods are evicted and controllers replace them on other nodes.', node.metadata?.name ?? '')];
    return { state: 'NotReady', headline: l10n.t('Pod {0} runs on node {1}, which is not Ready.', name, node.metadata?.name ?? ''), details };
  }

  // Waiting containers, init containers first (they block the rest).
  for (const c of [...(st.initContainerStatuses ?? []), ...statuses]) {
    const w = c.state?.waiting;
    if (!w?.reason || w.reason === 'PodInitializing') continue;
    const spec = specOf(c.name);
    if (w.reason === 'ImagePullBackOff' || w.reason === 'ErrImagePull' || w.reason === 'InvalidImageName' || w.reason === 'ErrImageNeverPull') {
      const image = spec?.image ?? c.image ?? '';
      const pulled = latest(events, 'Failed', c.name)?.message ?? w.message ?? '';
      const details = [
        w.reason === 'InvalidImageName'
          ? l10n.t('The image name "{0}" is not a valid reference. Check its spelling (name:tag).', image)
          : w.reason === 'ErrImageNeverPull'
            ? l10n.t('The image "{0}" is not on the node and imagePullPolicy is Never, so it will not be pulled.', image)
            : l10n.t('The image "{0}" is not available locally and could not be pulled: check the name and tag, that the registry is reachable from this machine, and that you are logged in if it is private.', image),
      ];
      if (/not found|manifest unknown|does not exist|no such image/i.test(pulled)) details.push(l10n.t('The registry says there is no such image or tag.'));
      else if (/unauthorized|denied|authentication/i.test(pulled)) details.push(l10n.t('The registry refused access: the image is private or the name is wrong. Add imagePullSecrets for a private registry.'));
      else if (/timeout|dial tcp|no such host|connection refused|network/i.test(pulled)) details.push(l10n.t('The registry could not be reached (network). Pull or build the image locally, or check the connection.'));
      if (pulled) details.push(l10n.t('The kubelet said: {0}', pulled));
      if (w.reason === 'ImagePullBackOff') details.push(l10n.t('The kubelet retries with growing pauses (up to 5 minutes).'));
      return { state: 'ImagePull', headline: l10n.t('Pod {0} cannot start: the image of container {1} cannot be pulled ({2}).', name, c.name, w.reason), details };
    }
    if (w.reason === 'CreateContainerConfigError' || w.reason === 'CreateContainerError') {
      const details = [l10n.t('The container refers to configuration that does not exist: a missing ConfigMap, Secret, or key in one.')];
      if (w.message) details.push(l10n.t('The kubelet said: {0}', w.message));
      return { state: 'ConfigError', headline: l10n.t('Pod {0} cannot start container {1} ({2}).', name, c.name, w.reason), details };
    }
    if (w.reason === 'CrashLoopBackOff' || w.reason === 'RunContainerError') {
      return { state: 'Restarting', headline: l10n.t('Container {0} of pod {1} keeps exiting and is restarted (restarts: {2}).', c.name, name, c.restartCount ?? 0), details: restartDetails(pod, c, spec, events, l10n) };
    }
    if (w.reason === 'ContainerCreating') {
      const mount = latest(events, 'FailedMount');
      const sandbox = latest(events, 'FailedCreatePodSandBox');
      const details: string[] = [];
      if (mount?.message) {
        const missing = mount.message.match(/(configmap|secret|persistentvolumeclaim)s? "([^"]+)" not found/i);
        if (missing) details.push(l10n.t('A volume cannot be mounted because the {0} "{1}" does not exist in namespace {2}. Create it, or mark the volume optional: true.', missing[1]!.toLowerCase(), missing[2]!, pod.metadata?.namespace ?? 'default'));
        details.push(l10n.t('The kubelet said: {0}', mount.message));
      }
      if (sandbox?.message) details.push(l10n.t('The pod\'s sandbox (its network namespace) could not be created: {0}', sandbox.message));
      if (!details.length) details.push(l10n.t('The kubelet is preparing volumes and starting the containers; this usually takes seconds.'));
      return { state: 'ContainerCreating', headline: l10n.t('Pod {0} is still being created on node {1}.', name, pod.spec.nodeName), details };
    }
    return { state: 'Pending', headline: l10n.t('Container {0} of pod {1} is waiting: {2}.', c.name, name, w.reason), details: w.message ? [l10n.t('The kubelet said: {0}', w.message)] : [] };
  }

  if (st.phase === 'Failed') {
    const details: string[] = [];
    if (st.message) details.push(st.message);
    for (const c of statuses) {
      const t = c.state?.terminated;
      if (t && t.exitCode !== 0) {
        details.push(l10n.t('Container {0} exited with code {1} ({2}).', c.name, t.exitCode, t.reason ?? 'Error'));
        const meaning = exitCodeMeaning(t.exitCode, l10n);
        if (meaning) details.push(meaning);
      }
    }
    return { state: 'Failed', headline: l10n.t('Pod {0} has failed{1}.', name, st.reason ? ` (${st.reason})` : ''), details };
  }

  if (st.phase === 'Pending') {
    return { state: 'ContainerCreating', headline: l10n.t('Pod {0} is still being created on node {1}.', name, pod.spec.nodeName), details: [l10n.t('The kubelet is preparing volumes and starting the containers; this usually takes seconds.')] };
  }

  // Running: not Ready?
  const notReady = statuses.filter((c) => !c.ready);
  if (notReady.length) {
    const details: string[] = [];
    for (const c of notReady) {
      const spec = specOf(c.name);
      const probe = describeProbe(spec?.readinessProbe);
      const failed = events.find((e) => e.reason === 'Unhealthy' && /^Readiness probe failed/.test(e.message ?? '') && (!e.involvedObject?.fieldPath || e.involvedObject.fieldPath.includes(`{${c.name}}`)));
      if (!c.state?.running) details.push(l10n.t('Container {0} is not running.', c.name));
      else if (failed) details.push(l10n.t('The readiness probe of {0}{1} fails: {2}', c.name, probe ? ` (${probe})` : '', (failed.message ?? '').replace(/^Readiness probe failed:\s*/, '').trim()));
      else if (probe) details.push(l10n.t('The readiness probe of {0} ({1}) has not succeeded yet (initialDelaySeconds {2}s, periodSeconds {3}s).', c.name, probe, spec?.readinessProbe?.initialDelaySeconds ?? 0, spec?.readinessProbe?.periodSeconds ?? 10));
      else details.push(l10n.t('Container {0} has just started.', c.name));
    }
    details.push(l10n.t('Services send traffic only to Ready pods, so this pod gets none until it is Ready.'));
    return { state: 'NotReady', headline: l10n.t('Pod {0} is running but not Ready ({1} of {2} containers Ready).', name, statuses.length - notReady.length, statuses.length), details };
  }

  const restarted = statuses.filter((c) => (c.restartCount ?? 0) > 0);
  if (restarted.length) {
    const details = restarted.flatMap((c) => [l10n.t('Container {0} has restarted {1} time(s).', c.name, c.restartCount), ...restartDetails(pod, c, specOf(c.name), events, l10n)]);
    return { state: 'Restarting', headline: l10n.t('Pod {0} is running and Ready now, but has restarted before.', name), details };
  }
  return { state: 'Healthy', headline: l10n.t('Pod {0} is running and Ready.', name), details: [] };
}

const mdEscape = (s: string): string => s.replace(/([\\`*_[\]<>])/g, '\\$1');

function nodeReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Markdown for a hover or preview: headline in bold, details as a list. Text is escaped for markdown. */
export function explanationMarkdown(e: Explanation): string {
  return [`**${mdEscape(e.headline)}**`, ...e.details.map((d) => `- ${mdEscape(d)}`)].join('\n');
}

/** Kinds whose live pods a manifest hover explains. */
export const explainableKinds = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;

export interface HoverTarget {
  kind: string;
  name: string;
  /** As written in the manifest; undefined = the default namespace of the context. */
  namespace?: string;
}

/**
 * The workload a hover at `line` (0-based) points at: the line must be the top-level `kind:` or the
 * `metadata.name` line of a document whose kind is one of explainableKinds. Undefined otherwise.
 */
export function hoverTarget(text: string, line: number): HoverTarget | undefined {
  const lc = new LineCounter();
  const lineOf = (n: YamlNode | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line - 1 : -1);
  for (const doc of parseAllDocuments(text, { lineCounter: lc })) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const [start, end] = root.range ?? [0, 0];
    if (line < lc.linePos(start).line - 1 || line > lc.linePos(Math.max(start, end - 1)).line - 1) continue;
    const get = (m: typeof root, key: string) => m.items.find((p) => isScalar(p.key) && p.key.value === key);
    const kindPair = get(root, 'kind');
    const meta = get(root, 'metadata');
    const kind = isScalar(kindPair?.value) ? String(kindPair.value.value) : undefined;
    if (!kind || !(explainableKinds as readonly string[]).includes(kind) || !isMap(meta?.value)) return undefined;
    const namePair = get(meta.value, 'name');
    const nsPair = get(meta.value, 'namespace');
    const name = isScalar(namePair?.value) ? String(namePair.value.value) : undefined;
    if (!name) return undefined;
    if (line !== lineOf(kindPair!.key as YamlNode) && line !== lineOf(namePair!.key as YamlNode)) return undefined;
    const namespace = isScalar(nsPair?.value) && nsPair.value.value ? String(nsPair.value.value) : undefined;
    return { kind, name, namespace };
  }
  return undefined;
}

/** What the hover/command needs from the cluster cache. */
export interface LiveState {
  pods: readonly Pod[];
  replicaSets: readonly { metadata?: { uid?: string; ownerReferences?: { uid: string }[] } }[];
  events: readonly Event[];
  nodes: readonly Node[];
}

export interface WorkloadExplanation {
  /** The workload's own line: "Deployment web: 2 pods, 1 needs attention". */
  summary: string;
  pods: Array<{ name: string; explanation: Explanation }>;
}

/**
 * Explains the live pods of a workload (`owner` is the live object, with its uid), problems first.
 * `owner` undefined: the object does not exist in the cluster.
 */
export function explainWorkload(target: HoverTarget, owner: { metadata?: { uid?: string } } | undefined, live: LiveState, l10n: L10n = english, max = 5): WorkloadExplanation {
  const label = `${target.kind} ${target.name}`;
  if (!owner) return { summary: l10n.t('{0} does not exist in the active cluster (namespace {1}). Apply the manifest to create it.', label, target.namespace ?? 'default'), pods: [] };
  const pods = target.kind === 'Pod' ? [owner as Pod] : podsOf(target.kind, owner, live.pods, live.replicaSets);
  if (pods.length === 0) return { summary: l10n.t('{0} has no pods right now.', label), pods: [] };
  const nodeOf = (p: Pod) => live.nodes.find((n) => n.metadata?.name === p.spec?.nodeName);
  const all = pods.map((p) => ({ name: p.metadata?.name ?? '', explanation: explainPod(p, live.events, nodeOf(p), l10n) }));
  const bad = all.filter((x) => x.explanation.state !== 'Healthy' && x.explanation.state !== 'Completed');
  bad.sort((a, b) => a.name.localeCompare(b.name));
  const shown = bad.length ? bad.slice(0, max) : all.slice(0, 1);
  const summary = bad.length
    ? l10n.t('{0}: {1} pod(s), {2} need attention.', label, all.length, bad.length)
    : l10n.t('{0}: all {1} pod(s) are fine.', label, all.length);
  return { summary, pods: shown };
}

export function workloadMarkdown(w: WorkloadExplanation): string {
  return [`**${mdEscape(w.summary)}**`, ...w.pods.map((p) => `\n\`${p.name}\`: ${explanationMarkdown(p.explanation)}`)].join('\n');
}
