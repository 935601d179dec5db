// `wheelhouse node list|stop|start` (engine/cli/main.ts) against a running engine found through the data
// dir's state file, over HTTPS with HttpApiClient.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessEngine, request, type InProcessHandle } from '../support/engine.ts';
import { nodeCli } from '../../engine/cli/main.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await nodeCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('wheelhouse node (CLI)', () => {
  let h: InProcessHandle;
  before(async () => {
    h = await startInProcessEngine();
    assert.equal((await request(h, 'POST', '/api/v1/nodes', { metadata: { name: 'n1' } })).status, 201);
  });
  after(async () => {
    await h?.stop();
  });

  it('stops, lists and starts a node through the running engine', async () => {
    const stop = await capture(['stop', 'n1', '--data-dir', h.dataDir]);
    assert.equal(stop.code, 0, stop.err);
    assert.match(stop.out, /node\/n1 stopped/);
    assert.equal((await request(h, 'GET', '/api/v1/nodes/n1')).body.metadata.annotations['wheelhouse.io/power'], 'stopped');
    const list = await capture(['list', '--data-dir', h.dataDir]);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^n1\tNotReady\tstopped$/m);
    const start = await capture(['start', 'n1', '--data-dir', h.dataDir]);
    assert.equal(start.code, 0, start.err);
    assert.equal((await request(h, 'GET', '/api/v1/nodes/n1')).body.metadata.annotations?.['wheelhouse.io/power'], undefined);
  });

  it('a missing node is exit 1, bad usage exit 2, no engine exit 3', async () => {
    const missing = await capture(['stop', 'nope', '--data-dir', h.dataDir]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /node "nope" not found/);
    assert.equal((await capture(['frobnicate', '--data-dir', h.dataDir])).code, 2);
    const none = await capture(['list', '--data-dir', `${h.dataDir}-absent`]);
    assert.equal(none.code, 3);
    assert.match(none.err, /no engine is running/);
  });
});
