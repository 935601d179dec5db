/** What every controller is built from; startControllers() makes one, tests make their own. */
import type { ApiClient } from '../../api/client.ts';
import type { Clock } from './clock.ts';
import type { EventRecorder } from './events.ts';
import type { InformerFactory, Logger } from './informer.ts';

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  clock: Clock;
  /** A recorder whose Events carry `source.component` = component (e.g. `deployment-controller`). */
  recorder(component: string): EventRecorder;
  log?: Logger;
  /** Workers per controller (default 2). */
  workers?: number;
}
