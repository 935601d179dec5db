import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTcpStream, TunnelError } from '../../engine/kubelet/tunnel.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

async function sandbox(rt: FakeRuntime): Promise<string> {
  rt.setImage('sb:1');
  const id = await rt.createContainer({ name: 'sb', image: 'sb:1', labels: { cluster: 't' } });
  await rt.startContainer(id);
  return id;
}

test('the tunnel delivers everything nc wrote, even when nc exits while the reader applies backpressure', async () => {
  const rt = new FakeRuntime();
  const id = await sandbox(rt);
  const chunk = Buffer.alloc(64 * 1024, 7);
  rt.onExec((x) => {
    assert.deepEqual(x.command, ['nc', '127.0.0.1', '8080']);
    for (let i = 0; i < 48; i++) x.stdout(chunk); // 3 MiB, then exit at once
    return 0;
  });
  const s = await openTcpStream(rt, id, 8080);
  let total = 0;
  s.pause();
  await new Promise((r) => setTimeout(r, 50)); // a slow reader: nc has exited by now
  await new Promise<void>((resolve, reject) => {
    s.on('data', (d: Buffer) => (total += d.length));
    s.on('end', resolve);
    s.on('error', reject);
    s.resume();
  });
  assert.equal(total, 48 * chunk.length);
});

test('a refused connection is an error that says why', async () => {
  const rt = new FakeRuntime();
  const id = await sandbox(rt);
  rt.onExec((x) => {
    x.stderr('nc: can\'t connect to remote host (127.0.0.1): Connection refused\n');
    return 1;
  });
  const s = await openTcpStream(rt, id, 9);
  const err = await new Promise<Error>((resolve) => s.on('error', resolve));
  assert.ok(err instanceof TunnelError);
  assert.match(err.message, /Connection refused/);
});
