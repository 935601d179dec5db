/**
 * Indexes derived from an ObjectStore: objects by controller uid, pods by node. Rebuilt only when the
 * kinds they read changed (the store's per-kind versions), so a tree expand costs a map lookup even with
 * thousands of pods.
 */
import type { Pod } from 'kubernetes-types/core/v1';
import type { ObjectStore } from './store.ts';
import type { KObject } from './objects.ts';
import { controllerOf } from './objects.ts';

export class Relations {
  private stamp = '';
  private byOwner = new Map<string, KObject[]>();
  private byNode = new Map<string, Pod[]>();

  constructor(private readonly store: ObjectStore) {}

  /** Objects of `kind` whose controller ownerReference points at `uid`. */
  owned<T extends KObject>(kind: string, uid: string | undefined): T[] {
    this.refresh();
    return (this.byOwner.get(`${kind}|${uid ?? ''}`) ?? []) as T[];
  }

  podsOnNode(node: string): Pod[] {
    this.refresh();
    return this.byNode.get(node) ?? [];
  }

  private refresh(): void {
    const kinds = ['Pod', 'ReplicaSet', 'Job'];
    const stamp = kinds.map((k) => this.store.version(k)).join(',');
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.byOwner = new Map();
    this.byNode = new Map();
    for (const kind of kinds) {
      for (const o of this.store.list(kind)) {
        const owner = controllerOf(o);
        if (owner?.uid) push(this.byOwner, `${kind}|${owner.uid}`, o);
        if (kind === 'Pod') {
          const node = (o as Pod).spec?.nodeName;
          if (node) push(this.byNode, node, o as Pod);
        }
      }
    }
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export function byName(a: KObject, b: KObject): number {
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}
