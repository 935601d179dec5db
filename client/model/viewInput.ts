/** What every view model reads: one cluster's store and indexes, plus the user's filters. */
import type { ObjectStore } from './store.ts';
import type { Relations } from './relations.ts';

export interface ViewInput {
  cluster: string;
  store: ObjectStore;
  relations: Relations;
  /** Show only this namespace; undefined = all namespaces. */
  namespace?: string;
  /** Events view: only events whose involved object matches ("Kind/name", "name", or a namespace/name part). */
  eventFilter?: string;
  /** Whether the cluster is the bundled engine (its nodes can be stopped and started). */
  bundled: boolean;
  now: number;
}
