/**
 * Formatting helpers shared by the printers, each after the upstream function it names
 * (k8s.io/kubernetes/pkg/printers/internalversion/printers.go, apimachinery labels and metav1).
 */

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}
export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
/** A path of fields: `get(o, 'spec', 'template', 'spec')`. */
export function get(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) cur = obj(cur)[p];
  return cur;
}
/** An IntOrString rendered as Go's intstr.String(). */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}

/** labels.FormatLabels: `k=v,k2=v2` sorted by key; `<none>` when empty. */
export function formatLabels(m: unknown): string {
  const entries = Object.entries(obj(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${str(v)}`).join(',');
}

/**
 * metav1.LabelSelectorAsSelector(s).String(): requirements sorted by key: `k=v` (matchLabels),
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. A nil selector selects nothing and an empty
 * one everything; both render as ''. An invalid operator renders `<invalid>`.
 */
export function selectorString(sel: unknown): string {
  if (sel === undefined || sel === null) return '';
  const s = obj(sel);
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(obj(s.matchLabels))) reqs.push({ key: k, text: `${k}=${str(v)}` });
  for (const e of arr(s.matchExpressions)) {
    const x = obj(e);
    const key = str(x.key);
    const values = arr(x.values).map(str).sort();
    switch (x.operator) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return '<invalid>';
    }
  }
  // Go's sort is by key only and stable; matchLabels come first as upstream builds them.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: selectorString, `<none>` when it selects everything or nothing. */
export function formatLabelSelector(sel: unknown): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}

/** layoutContainerCells: container names and images, comma-separated. */
export function containerCells(podSpec: unknown): [string, string] {
  const cs = arr(obj(podSpec).containers).map(obj);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** loadBalancerStatusStringer: ingress IPs (else hostnames), sorted and unique; cut to 16 chars unless wide. */
export function loadBalancerStatus(status: unknown, wide: boolean): string {
  const set = new Set<string>();
  for (const i of arr(obj(status).ingress).map(obj)) {
    if (str(i.ip)) set.add(str(i.ip));
    else if (str(i.hostname)) set.add(str(i.hostname));
  }
  let r = [...set].sort().join(',');
  if (!wide && r.length > 16) r = `${r.slice(0, 13)}...`;
  return r;
}

/** listWithMoreString: `a,b,c + 2 more...`, `<unset>` when empty. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, comma-separated. */
export function accessModes(modes: unknown): string {
  const m = arr(modes).map(str);
  const out: string[] = [];
  if (m.includes('ReadWriteOnce')) out.push('RWO');
  if (m.includes('ReadOnlyMany')) out.push('ROX');
  if (m.includes('ReadWriteMany')) out.push('RWX');
  if (m.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** Go's net.JoinHostPort, with brackets around IPv6 addresses. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
