/**
 * Rollout operations as pure functions producing the patches kubectl sends
 * (k8s.io/kubectl/pkg/polymorphichelpers: objectrestarter.go, objectpauser.go, rollback.go).
 */
import type { ReplicaSet, Deployment, ControllerRevision } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { KObject } from './objects.ts';
import { revisionAnnotation, changeCauseAnnotation, revisionOf } from './workloadsView.ts';

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

/** `kubectl rollout restart`: a strategic-merge patch stamping the pod template (a new template → a rollout). */
export function restartPatch(now: Date): object {
  return { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: now.toISOString() } } } } };
}

/** `kubectl rollout pause/resume` (Deployments only, as upstream). */
export function pausePatch(paused: boolean): object {
  return { spec: { paused } };
}

export interface Revision {
  revision: number;
  name: string;
  changeCause?: string;
  template: PodTemplateSpec | undefined;
  current: boolean;
  /** For StatefulSets/DaemonSets: the ControllerRevision's data, applied as a strategic-merge patch. */
  data?: unknown;
}

/** A Deployment's revisions, newest first, from its ReplicaSets. */
export function deploymentRevisions(d: Deployment, sets: readonly ReplicaSet[]): Revision[] {
  const current = Number(d.metadata?.annotations?.[revisionAnnotation] ?? 0);
  return sets
    .filter((rs) => rs.metadata?.annotations?.[revisionAnnotation])
    .map((rs) => ({
      revision: revisionOf(rs as KObject),
      name: rs.metadata?.name ?? '',
      changeCause: rs.metadata?.annotations?.[changeCauseAnnotation],
      template: rs.spec?.template,
      current: revisionOf(rs as KObject) === current,
    }))
    .sort((a, b) => b.revision - a.revision);
}

/** StatefulSet/DaemonSet revisions from their ControllerRevisions, newest first. */
export function controllerRevisions(owner: KObject, revs: readonly ControllerRevision[], currentName?: string): Revision[] {
  return revs
    .filter((r) => r.metadata?.ownerReferences?.some((o) => o.uid === owner.metadata?.uid))
    .map((r) => {
      const data = r.data as { spec?: { template?: PodTemplateSpec } } | undefined;
      return {
        revision: r.revision,
        name: r.metadata?.name ?? '',
        changeCause: r.metadata?.annotations?.[changeCauseAnnotation],
        template: data?.spec?.template,
        current: r.metadata?.name === currentName,
        data: r.data,
      };
    })
    .sort((a, b) => b.revision - a.revision);
}

/**
 * The patch `kubectl rollout undo` sends for a Deployment: the chosen ReplicaSet's template without the
 * pod-template-hash label, and the revision's change-cause annotation (JSON patch on /spec/template and
 * /metadata/annotations as in rollback.go).
 */
export function deploymentUndoPatch(d: Deployment, target: Revision): object[] {
  if (!target.template) throw new Error(`revision ${target.revision} has no pod template`);
  const template = structuredClone(target.template) as { metadata?: { labels?: Record<string, string> } };
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  const annotations: Record<string, string> = { ...(d.metadata?.annotations ?? {}) };
  if (target.changeCause) annotations[changeCauseAnnotation] = target.changeCause;
  else delete annotations[changeCauseAnnotation];
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

/** Which revision "undo" means with no choice: the newest one that is not current (kubectl's --to-revision=0). */
export function previousRevision(revs: readonly Revision[]): Revision | undefined {
  return revs.find((r) => !r.current);
}
