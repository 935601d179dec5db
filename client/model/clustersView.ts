/** Clusters view: the bundled engine (with its state and the fix when Docker is missing) and every kubeconfig context. */
import { contextValue, healthIcon, md, type Health, type TreeNodeModel } from './tree.ts';

export type EngineState = 'running' | 'starting' | 'stopped' | 'docker-unavailable' | 'unknown';

export interface ClusterEntry {
  /** Registry id: "wheelhouse" for the engine, "ctx:<file>#<context>" for kubeconfig contexts. */
  id: string;
  context: string;
  cluster: string;
  user: string;
  namespace?: string;
  source: string;
  bundled: boolean;
}

export interface ClustersInput {
  entries: readonly ClusterEntry[];
  active?: string;
  engineState: EngineState;
  engineDetail?: string;
  /** Connection health of the active cluster. */
  activeHealth?: { ok: boolean; message?: string };
}

export function engineStateText(s: EngineState): { text: string; health: Health } {
  switch (s) {
    case 'running': return { text: 'running', health: 'ok' };
    case 'starting': return { text: 'starting…', health: 'progressing' };
    case 'stopped': return { text: 'stopped', health: 'idle' };
    case 'docker-unavailable': return { text: 'Docker unavailable', health: 'error' };
    default: return { text: 'unknown', health: 'unknown' };
  }
}

export const dockerFix = 'The bundled cluster runs pods as Docker containers. Start Docker Desktop (macOS, Windows) or the Docker service (`sudo systemctl start docker` on Linux), then run "Wheelhouse: Start Bundled Cluster".';

export function clusterRoots(input: ClustersInput): TreeNodeModel[] {
  const rows: TreeNodeModel[] = [];
  const engine = input.entries.find((e) => e.bundled);
  const st = engineStateText(input.engineState);
  rows.push({
    id: 'cluster:wheelhouse',
    label: 'Wheelhouse (bundled)',
    description: `${st.text}${input.active === 'wheelhouse' ? ' · active' : ''}`,
    tooltip: [`**Bundled cluster** — ${md(st.text)}`, input.engineDetail ? md(input.engineDetail) : '',
      input.engineState === 'docker-unavailable' ? md(dockerFix) : '',
      input.engineState === 'running' ? md(`Kubeconfig context: ${engine?.context ?? 'wheelhouse'}`) : ''].filter(Boolean).join('\n\n'),
    icon: input.engineState === 'docker-unavailable' ? healthIcon('error') : { id: 'vm', color: healthIcon(st.health).color },
    contextValue: contextValue('Cluster', 'bundled', input.engineState === 'running' || input.engineState === 'starting' ? 'running' : 'stopped',
      input.active === 'wheelhouse' && 'active', input.engineState === 'docker-unavailable' && 'nodocker'),
    cluster: 'wheelhouse',
  });
  for (const e of input.entries.filter((x) => !x.bundled)) {
    const active = input.active === e.id;
    const health = active && input.activeHealth ? (input.activeHealth.ok ? 'ok' : 'error') : undefined;
    rows.push({
      id: `cluster:${e.id}`,
      label: e.context,
      description: [active && 'active', e.namespace, health === 'error' && 'unreachable'].filter(Boolean).join(' · '),
      tooltip: [`**Context** ${md(e.context)}`, `Cluster: ${md(e.cluster)} · User: ${md(e.user)}`, `From ${md(e.source)}`,
        active && input.activeHealth?.message ? md(input.activeHealth.message) : '',
        'Choosing it here changes only what Wheelhouse shows; your kubeconfig\'s current-context is left as is.'].filter(Boolean).join('\n\n'),
      icon: active ? { id: 'pass-filled', color: health === 'error' ? 'testing.iconFailed' : 'testing.iconPassed' } : { id: 'cloud' },
      contextValue: contextValue('Cluster', 'context', active && 'active'),
      cluster: e.id,
    });
  }
  return rows;
}
