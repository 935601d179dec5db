/**
 * PATCH without a resourceVersion is retried against the newest object (upstream GuaranteedUpdate): a
 * controller writing status in between must never make a client's patch fail with 409. A patch that names a
 * stale resourceVersion still gets 409.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { openMemoryStore } from '../../engine/store/memory.ts';
import { Registry, type PatchKindAll } from '../../engine/registry/registry.ts';
import { ApiError } from '../../engine/api/client.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures poke at arbitrary fields

const deployment = (name: string): Obj => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { seed: 'x' }, annotations: { seed: 'x' } },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
});

async function setup(): Promise<{ reg: Registry; deploy: NonNullable<ReturnType<Registry['catalog']['lookup']>> }> {
  const reg = new Registry({ store: openMemoryStore() });
  await reg.start();
  const deploy = reg.catalog.lookup('apps', 'v1', 'deployments')!;
  await reg.create(deploy, 'default', deployment('web'));
  return { reg, deploy };
}

describe('registry: PATCH retries on conflicts', () => {
  const kinds: Array<{ type: PatchKindAll; body: (i: number) => unknown }> = [
    { type: 'merge', body: (i) => ({ metadata: { labels: { [`m${i}`]: 'x' } } }) },
    { type: 'strategic', body: (i) => ({ metadata: { annotations: { [`s${i}`]: 'x' } } }) },
    { type: 'json', body: (i) => [{ op: 'add', path: `/metadata/labels/j${i}`, value: 'x' }] },
    { type: 'apply', body: (i) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { [`a${i}`]: 'x' } } }) },
  ];
  for (const k of kinds) {
    it(`${k.type} patches see 0 conflicts while a controller writes status`, async () => {
      const { reg, deploy } = await setup();
      let stop = false;
      let statusWrites = 0;
      // The "controller": status writes, every other one a read-modify-write with the resourceVersion it read
      // (it may lose that race: its own 409 is expected), the others unconditional.
      const controller = (async () => {
        for (let n = 0; !stop; n++) {
          const cur = (await reg.get(deploy, 'default', 'web')) as Obj;
          cur.status = { ...cur.status, observedGeneration: cur.metadata.generation, replicas: n % 7 };
          if (n % 2) delete cur.metadata.resourceVersion;
          try {
            await reg.update(deploy, 'default', 'web', cur, { subresource: 'status' });
            statusWrites++;
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 409)) throw e;
          }
          await tick(); // let timers and I/O run: a loop of settled promises alone would starve them
        }
      })();
      const conflicts: string[] = [];
      const patches = Array.from({ length: 4 }, async (_, w) => {
        for (let i = w * 100; i < w * 100 + 25; i++) {
          try {
            await reg.patch(deploy, 'default', 'web', k.type, k.body(i), { fieldManager: `m${i}` });
          } catch (e) {
            if (e instanceof ApiError && e.code === 409) conflicts.push(e.message);
            else throw e;
          }
        }
      });
      await Promise.all(patches);
      stop = true;
      await controller;
      assert.deepEqual(conflicts, []);
      assert.ok(statusWrites > 0, 'the controller wrote status meanwhile');
      const final = (await reg.get(deploy, 'default', 'web')) as Obj;
      const bag = k.type === 'strategic' ? final.metadata.annotations : final.metadata.labels;
      const prefix = k.type === 'strategic' ? 's' : k.type === 'merge' ? 'm' : k.type === 'json' ? 'j' : 'a';
      assert.equal(Object.keys(bag ?? {}).filter((x) => new RegExp(`^${prefix}\\d+$`).test(x)).length, 100, 'no patch lost');
    });
  }

  it('a patch with a stale resourceVersion gets 409', async () => {
    const { reg, deploy } = await setup();
    const before = (await reg.get(deploy, 'default', 'web')) as Obj;
    await reg.patch(deploy, 'default', 'web', 'merge', { metadata: { labels: { a: 'b' } } });
    await assert.rejects(
      reg.patch(deploy, 'default', 'web', 'merge', { metadata: { resourceVersion: before.metadata.resourceVersion, labels: { c: 'd' } } }),
      (e: unknown) => e instanceof ApiError && e.code === 409 && /the object has been modified/.test(e.message),
    );
    await assert.rejects(
      reg.patch(deploy, 'default', 'web', 'json', [{ op: 'replace', path: '/metadata/resourceVersion', value: before.metadata.resourceVersion }]),
      (e: unknown) => e instanceof ApiError && e.code === 409,
    );
  });
});
