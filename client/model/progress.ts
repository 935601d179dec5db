/**
 * Walkthrough progress from cluster state (pure): each flag turns true when the cluster shows the user did it.
 *  - engineRunning: the bundled cluster answers;
 *  - applied: some Deployment exists outside kube-system;
 *  - podsRunning: a pod of such a Deployment is Running and Ready on a node;
 *  - scaled: a Deployment has more than one ready replica;
 *  - rolledOut: a Deployment reached revision 2 or more (a rollout happened);
 *  - rolledBack: set by the undo command (the API keeps no trace that a revision was an undo);
 *  - healed: a pod of a Deployment restarted (restartCount > 0) or was replaced, and the Deployment is ready again.
 */
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ObjectStore } from './store.ts';
import { summarizePod } from './podStatus.ts';
import { revisionAnnotation } from './workloadsView.ts';

export interface LearningProgress {
  engineRunning: boolean;
  applied: boolean;
  podsRunning: boolean;
  scaled: boolean;
  rolledOut: boolean;
  rolledBack: boolean;
  healed: boolean;
}

export function learningProgress(store: ObjectStore, bundled: boolean): Partial<LearningProgress> {
  const deps = store.list<Deployment>('Deployment').filter((d) => d.metadata?.namespace !== 'kube-system');
  const pods = store.list<Pod>('Pod').filter((p) => p.metadata?.namespace !== 'kube-system');
  const ready = pods.filter((p) => summarizePod(p).health === 'ok');
  const fullyReady = deps.some((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.spec?.replicas ?? 1) > 0);
  return {
    engineRunning: bundled ? true : undefined,
    applied: deps.length > 0,
    podsRunning: ready.some((p) => !!p.spec?.nodeName),
    scaled: deps.some((d) => (d.status?.readyReplicas ?? 0) > 1),
    rolledOut: deps.some((d) => Number(d.metadata?.annotations?.[revisionAnnotation] ?? 0) >= 2),
    healed: fullyReady && pods.some((p) => (p.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0) && summarizePod(p).health === 'ok'),
  };
}
