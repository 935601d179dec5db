// Optimistic concurrency over HTTPS: 32 writers do read-modify-write on one ConfigMap counter, 10,000
// attempts in all. Every attempt either commits (the counter moves by exactly one) or gets 409 Conflict;
// no update is lost, none is answered with anything else.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { startInProcessEngine, request, type InProcessHandle } from '../support/engine.ts';

const WRITERS = 32;
const ATTEMPTS = 10_000;

describe('apiserver concurrency', () => {
  let h: InProcessHandle;
  before(async () => {
    h = await startInProcessEngine({ store: 'file' });
  });
  after(async () => {
    await h?.stop();
  });

  it(`${WRITERS} writers, ${ATTEMPTS} read-modify-write attempts: 0 lost updates, every loser gets 409`, async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    assert.equal((await request(h, 'POST', path, { metadata: { name: 'counter' }, data: { n: '0' } })).status, 201);
    let remaining = ATTEMPTS;
    let committed = 0;
    let conflicts = 0;
    const other: string[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: WRITERS, ca: h.ca });
    const writer = async (): Promise<void> => {
      while (remaining > 0) {
        remaining--;
        const cur = await request(h, 'GET', `${path}/counter`, undefined, {}, { agent });
        assert.equal(cur.status, 200);
        const next = { ...cur.body, data: { n: String(Number(cur.body.data.n) + 1) } };
        const put = await request(h, 'PUT', `${path}/counter`, next, {}, { agent });
        if (put.status === 200) committed++;
        else if (put.status === 409 && put.body.reason === 'Conflict') conflicts++;
        else other.push(`${put.status} ${put.text}`);
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    agent.destroy();
    const final = await request(h, 'GET', `${path}/counter`);
    assert.deepEqual(other, []);
    assert.equal(committed + conflicts, ATTEMPTS);
    assert.equal(Number(final.body.data.n), committed, 'every committed update is in the counter: none lost');
    assert.ok(conflicts > 0, 'concurrent writers must have collided');
  });
});
