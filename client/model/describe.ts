/**
 * A `kubectl describe`-style text for any object: identity, labels, the kind's key facts, conditions,
 * containers (pods and templates) and the object's Events (newest last, as kubectl prints them).
 * Secrets: key names and sizes only.
 */
import type { Event, Pod, Container } from 'kubernetes-types/core/v1';
import type { KObject } from './objects.ts';
import { age } from './objects.ts';
import { summarizePod } from './podStatus.ts';
import { eventTime } from './eventsView.ts';

type Any = Record<string, unknown>;

function kv(rec: Record<string, string> | undefined, indent: string): string {
  const entries = Object.entries(rec ?? {});
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v], i) => `${i ? indent : ''}${k}=${v}`).join('\n');
}

function row(key: string, value: unknown): string {
  return `${(key + ':').padEnd(20)}${value === undefined || value === '' ? '<none>' : String(value)}`;
}

function containers(title: string, list: readonly Container[] | undefined, pod?: Pod): string[] {
  if (!list?.length) return [];
  const out = [`${title}:`];
  for (const c of list) {
    const st = pod?.status?.containerStatuses?.find((s) => s.name === c.name);
    out.push(`  ${c.name}:`);
    out.push(`    ${row('Image', c.image)}`);
    if (c.ports?.length) out.push(`    ${row('Ports', c.ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', '))}`);
    if (c.command?.length) out.push(`    ${row('Command', c.command.join(' '))}`);
    if (c.args?.length) out.push(`    ${row('Args', c.args.join(' '))}`);
    if (st) {
      const state = st.state?.running ? `Running (since ${st.state.running.startedAt})` : st.state?.waiting ? `Waiting (${st.state.waiting.reason ?? ''})` : st.state?.terminated ? `Terminated (${st.state.terminated.reason ?? ''}, exit ${st.state.terminated.exitCode})` : 'Unknown';
      out.push(`    ${row('State', state)}`);
      if (st.lastState?.terminated) out.push(`    ${row('Last State', `Terminated (${st.lastState.terminated.reason ?? ''}, exit ${st.lastState.terminated.exitCode})`)}`);
      out.push(`    ${row('Ready', st.ready)}`);
      out.push(`    ${row('Restart Count', st.restartCount)}`);
    }
    const req = c.resources?.requests;
    const lim = c.resources?.limits;
    if (req) out.push(`    ${row('Requests', Object.entries(req).map(([k, v]) => `${k}=${v}`).join(', '))}`);
    if (lim) out.push(`    ${row('Limits', Object.entries(lim).map(([k, v]) => `${k}=${v}`).join(', '))}`);
    if (c.readinessProbe) out.push(`    ${row('Readiness', probeText(c.readinessProbe as Any))}`);
    if (c.livenessProbe) out.push(`    ${row('Liveness', probeText(c.livenessProbe as Any))}`);
    for (const e of c.env ?? []) {
      const from = e.valueFrom?.secretKeyRef ? `<secret ${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}>`
        : e.valueFrom?.configMapKeyRef ? `<configmap ${e.valueFrom.configMapKeyRef.name}/${e.valueFrom.configMapKeyRef.key}>`
          : e.valueFrom?.fieldRef ? `<field ${e.valueFrom.fieldRef.fieldPath}>` : e.value ?? '';
      out.push(`    env ${e.name}=${from}`);
    }
  }
  return out;
}

function probeText(p: Any): string {
  const h = p.httpGet as Any | undefined;
  const t = p.tcpSocket as Any | undefined;
  const e = p.exec as { command?: string[] } | undefined;
  const what = h ? `http-get :${h.port}${h.path ?? '/'}` : t ? `tcp-socket :${t.port}` : e ? `exec [${(e.command ?? []).join(' ')}]` : 'probe';
  return `${what} delay=${p.initialDelaySeconds ?? 0}s period=${p.periodSeconds ?? 10}s #failure=${p.failureThreshold ?? 3}`;
}

export function describe(kind: string, obj: KObject, events: readonly Event[], now: number): string {
  const m = obj.metadata ?? {};
  const o = obj as Any;
  const spec = (o.spec ?? {}) as Any;
  const status = (o.status ?? {}) as Any;
  const lines = [
    row('Name', m.name),
    ...(m.namespace ? [row('Namespace', m.namespace)] : []),
    row('Kind', `${kind} (${obj.apiVersion ?? ''})`),
    row('Created', m.creationTimestamp ? `${m.creationTimestamp} (${age(m.creationTimestamp, now)} ago)` : '<unknown>'),
    row('Labels', kv(m.labels, ' '.repeat(20))),
    row('Annotations', kv(Object.fromEntries(Object.entries(m.annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration')), ' '.repeat(20))),
  ];
  const owner = m.ownerReferences?.find((r) => r.controller);
  if (owner) lines.push(row('Controlled By', `${owner.kind}/${owner.name}`));
  if (kind === 'Pod') {
    const pod = obj as Pod;
    const s = summarizePod(pod);
    lines.push(row('Node', pod.spec?.nodeName ?? '<none>'), row('Status', s.status), row('IP', pod.status?.podIP), row('Ready', `${s.ready}/${s.total}`), row('Restarts', s.restarts));
    if (s.reason) lines.push(row('Why', s.reason));
    lines.push(...containers('Init Containers', pod.spec?.initContainers, pod), ...containers('Containers', pod.spec?.containers, pod));
  } else if (kind === 'Secret') {
    const data = (o.data ?? {}) as Record<string, string>;
    lines.push(row('Type', o.type), 'Data:', ...Object.entries(data).map(([k, v]) => `  ${k}: ${Buffer.from(v, 'base64').length} bytes`));
  } else if (kind === 'ConfigMap') {
    lines.push('Data:', ...Object.keys((o.data ?? {}) as Any).map((k) => `  ${k}`));
  } else {
    for (const key of ['replicas', 'paused', 'type', 'clusterIP', 'schedule', 'suspend', 'completions', 'parallelism', 'storageClassName', 'volumeName', 'unschedulable']) {
      if (spec[key] !== undefined) lines.push(row(key[0].toUpperCase() + key.slice(1), typeof spec[key] === 'object' ? JSON.stringify(spec[key]) : spec[key]));
    }
    const sel = spec.selector as Any | undefined;
    if (sel) lines.push(row('Selector', Object.entries((sel.matchLabels ?? sel) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',')));
    const statusLine = Object.entries(status).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${v}`).join(' ');
    if (statusLine) lines.push(row('Status', statusLine));
    const tpl = spec.template as { spec?: { containers?: Container[]; initContainers?: Container[] } } | undefined;
    if (tpl?.spec) lines.push('Pod Template:', ...containers('  Init Containers', tpl.spec.initContainers).map((l) => '  ' + l), ...containers('  Containers', tpl.spec.containers).map((l) => '  ' + l));
  }
  const conditions = status.conditions as { type: string; status: string; reason?: string; message?: string }[] | undefined;
  if (conditions?.length) {
    lines.push('Conditions:', `  ${'Type'.padEnd(28)}${'Status'.padEnd(8)}Reason`);
    for (const c of conditions) lines.push(`  ${c.type.padEnd(28)}${c.status.padEnd(8)}${c.reason ?? ''}${c.message ? ` — ${c.message}` : ''}`);
  }
  lines.push('Events:');
  const evs = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  if (evs.length === 0) lines.push('  <none>');
  for (const e of evs) {
    lines.push(`  ${(e.type ?? '').padEnd(8)}${(e.reason ?? '').padEnd(22)}${age(new Date(eventTime(e)).toISOString(), now).padEnd(6)}${(e.source?.component ?? e.reportingComponent ?? '').padEnd(20)}${e.message ?? ''}`);
  }
  return lines.join('\n') + '\n';
}

/** The object as users edit it: without managedFields (noise) — everything else, status included, as `kubectl edit`. */
export function forEditing<T extends KObject>(obj: T): T {
  const copy = structuredClone(obj);
  if (copy.metadata) delete copy.metadata.managedFields;
  return copy;
}
