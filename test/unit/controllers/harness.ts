/**
 * Sample-controller-style harness: a FakeClient seeded with objects, informers synced from it, a fake
 * clock and an in-memory event recorder. Tests reconcile one key and assert the exact writes.
 */
import type { KubeObject } from '../../../engine/api/client.ts';
import type { ResourceType } from '../../../engine/api/resources.ts';
import { FakeClock, settle } from '../../../engine/controllers/framework/clock.ts';
import type { ControllerContext } from '../../../engine/controllers/framework/context.ts';
import { MemoryRecorder } from '../../../engine/controllers/framework/events.ts';
import { InformerFactory } from '../../../engine/controllers/framework/informer.ts';
import { FakeClient, type Action } from '../../support/fake-client.ts';

export interface Harness {
  client: FakeClient;
  clock: FakeClock;
  events: MemoryRecorder;
  ctx: ControllerContext;
  /** Starts the informers and waits for their first list; clears recorded actions. */
  start(): Promise<void>;
  /** Writes as `verb resource[/subresource] name`, for compact assertions. */
  writes(): string[];
  reset(): void;
  stop(): Promise<void>;
}

export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

export function harness(seed: { type: ResourceType; objects: KubeObject[] }[] = []): Harness {
  const client = new FakeClient(seed);
  const clock = new FakeClock(NOW);
  const events = new MemoryRecorder();
  const informers = new InformerFactory(client, { clock });
  const ctx: ControllerContext = { client, informers, clock, recorder: () => events, workers: 1 };
  return {
    client, clock, events, ctx,
    async start() {
      informers.start();
      await informers.waitForSync();
      await settle();
      client.actions.splice(0);
    },
    writes: () => client.writes().map(describe),
    reset() {
      client.actions.splice(0);
      events.events.splice(0);
    },
    stop: () => informers.stop(),
  };
}

export function describe(a: Action): string {
  // Server-generated names are random: show the generateName prefix instead.
  const name = a.verb === 'create' && a.object?.metadata?.generateName && !a.subresource ? a.object.metadata.generateName : a.name ?? '';
  return `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${name}`.trim();
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
