/** The live-status CodeLens text for a manifest object (pure). */
import type { Pod } from 'kubernetes-types/core/v1';
import type { KObject } from './objects.ts';
import { summarizeWorkload } from './workloadStatus.ts';
import { summarizePod } from './podStatus.ts';

export function liveStatusText(kind: string, live: KObject | undefined, synced: boolean): string {
  if (!synced) return '$(loading~spin) …';
  if (!live) return '$(circle-slash) not in cluster';
  if (kind === 'Pod') {
    const s = summarizePod(live as Pod);
    return `${icon(s.health)} ${s.status} ${s.ready}/${s.total}`;
  }
  const w = summarizeWorkload(kind, live);
  if (w.health === 'unknown') return '$(check) in cluster';
  return `${icon(w.health)} ${w.ready ? `${w.ready} ready` : ''}${w.detail ? ` · ${w.detail}` : ''}`.trim();
}

function icon(h: string): string {
  return h === 'ok' ? '$(pass-filled)' : h === 'error' ? '$(error)' : h === 'warning' ? '$(warning)' : h === 'progressing' ? '$(sync~spin)' : '$(circle-outline)';
}
