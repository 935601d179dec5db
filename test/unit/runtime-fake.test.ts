import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { LABELS, labelFilter } from '../../engine/runtime/labels.ts';
import { RuntimeConflictError, RuntimeNotFoundError, RuntimeUnavailableError, type RuntimeEvent } from '../../engine/runtime/types.ts';

const IMAGE = 'wheelhouse-test/busybox';

function setup() {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const rt = new FakeRuntime({ now: () => t });
  rt.setImage(IMAGE);
  return { rt, advance: (ms: number) => { t += ms; } };
}

describe('FakeRuntime', () => {
  it('creates, starts, lists by label, exits and removes containers with events', async () => {
    const { rt } = setup();
    const events: RuntimeEvent[] = [];
    const sub = await rt.events((e) => events.push(e));
    const id = await rt.createContainer({ name: 'wh_c1_default_web_app_0', image: IMAGE, labels: { cluster: 'c1', podName: 'web', attempt: 0 } });
    assert.equal((await rt.inspectContainer(id)).state, 'created');
    assert.deepEqual(await rt.listContainers(labelFilter({ cluster: 'c1' })), [], 'a created container is not listed without all');
    assert.equal((await rt.listContainers(labelFilter({ cluster: 'c1' }), { all: true })).length, 1);
    await rt.startContainer(id);
    const running = await rt.inspectContainer(id);
    assert.equal(running.state, 'running');
    assert.equal(running.labels[LABELS.podName], 'web');
    assert.equal(running.labels[LABELS.attempt], '0');
    assert.match(running.networks.bridge!.ip, /^172\.17\.0\.\d+$/);
    assert.equal((await rt.listContainers(labelFilter({ cluster: 'c1', podName: 'web' }))).length, 1);
    assert.equal((await rt.listContainers(labelFilter({ cluster: 'c2' }))).length, 0);

    rt.exitContainer(id, 137, { oomKilled: true });
    const exited = await rt.inspectContainer(id);
    assert.equal(exited.state, 'exited');
    assert.equal(exited.exitCode, 137);
    assert.equal(exited.oomKilled, true);
    assert.ok(exited.finishedAt);
    await rt.removeContainer(id);
    await assert.rejects(rt.inspectContainer(id), RuntimeNotFoundError);
    sub.stop();
    assert.deepEqual(events.map((e) => e.action), ['create', 'start', 'oom', 'die', 'destroy']);
    assert.equal(events.find((e) => e.action === 'die')!.exitCode, 137);
  });

  it('answers like Docker for conflicts, missing images and unknown containers', async () => {
    const { rt } = setup();
    const spec = { name: 'dup', image: IMAGE, labels: { cluster: 'c1' } };
    const id = await rt.createContainer(spec);
    await assert.rejects(rt.createContainer(spec), (e: Error) => e instanceof RuntimeConflictError && /already in use/.test(e.message));
    await assert.rejects(rt.createContainer({ ...spec, name: 'other', image: 'nope:1' }), RuntimeNotFoundError);
    await assert.rejects(rt.createContainer({ ...spec, name: '_bad name' }), /Invalid container name/);
    await assert.rejects(rt.killContainer(id), RuntimeConflictError, 'kill of a container that is not running');
    await rt.startContainer(id);
    await assert.rejects(rt.removeContainer(id), /cannot remove a running container/);
    await rt.removeContainer(id, { force: true });
    await assert.rejects(rt.stopContainer('missing', 1), RuntimeNotFoundError);
    const ended: Array<Error | undefined> = [];
    const seen: string[] = [];
    await rt.events((e) => seen.push(e.action), { labels: { [LABELS.cluster]: 'c2' }, onEnd: (err) => ended.push(err) });
    await rt.removeContainer(await rt.createContainer({ ...spec, name: 'c1-only' }));
    assert.deepEqual(seen, [], 'events of other clusters are filtered out');
    rt.setUnavailable('Docker is not running');
    assert.ok(ended[0] instanceof RuntimeUnavailableError, 'event streams end when the engine goes away');
    await assert.rejects(rt.ping(), RuntimeUnavailableError);
    rt.setUnavailable(false);
    await rt.ping();
  });

  it('stops with SIGTERM (143), or kills after the grace period when SIGTERM is ignored (137)', async () => {
    const { rt } = setup();
    const a = await rt.createContainer({ name: 'fake-a', image: IMAGE, labels: { cluster: 'c1' } });
    const b = await rt.createContainer({ name: 'fake-b', image: IMAGE, labels: { cluster: 'c1' } });
    await rt.startContainer(a);
    await rt.startContainer(b);
    rt.ignoreSigterm(b);
    await rt.stopContainer(a, 30);
    await rt.stopContainer(b, 5);
    assert.equal((await rt.inspectContainer(a)).exitCode, 143);
    assert.equal((await rt.inspectContainer(b)).exitCode, 137);
    assert.deepEqual(rt.stopGraces(b), [5]);
    await rt.startContainer(a);
    await rt.killContainer(a, 'SIGINT');
    assert.equal((await rt.inspectContainer(a)).exitCode, 130);
  });

  it('serves logs with tail, since, timestamps, stream selection and follow', async () => {
    const { rt, advance } = setup();
    const id = await rt.createContainer({ name: 'fake-l', image: IMAGE, labels: { cluster: 'c1' } });
    await rt.startContainer(id);
    rt.appendLog(id, 'stdout', 'one\ntwo\n');
    advance(10_000);
    rt.appendLog(id, 'stderr', 'oops\n');
    rt.appendLog(id, 'stdout', 'three\n');
    const read = async (opts: Parameters<FakeRuntime['logs']>[1]) => {
      const out: string[] = [];
      const h = await rt.logs(id, opts, (s, d) => out.push(`${s}:${d.toString()}`));
      await h.done;
      return out;
    };
    assert.deepEqual(await read({}), ['stdout:one\n', 'stdout:two\n', 'stderr:oops\n', 'stdout:three\n']);
    assert.deepEqual(await read({ tail: 2 }), ['stderr:oops\n', 'stdout:three\n']);
    assert.deepEqual(await read({ sinceSeconds: 5 }), ['stderr:oops\n', 'stdout:three\n']);
    assert.deepEqual(await read({ stderr: false, tail: 1 }), ['stdout:three\n']);
    const [stamped] = await read({ timestamps: true, tail: 1 });
    assert.equal(stamped, 'stdout:2026-01-01T00:00:10.000000000Z three\n');

    const followed: string[] = [];
    const h = await rt.logs(id, { follow: true, tail: 0 }, (_s, d) => followed.push(d.toString()));
    rt.appendLog(id, 'stdout', 'four\n');
    rt.exitContainer(id, 0);
    await h.done;
    assert.deepEqual(followed, ['four\n']);
  });

  it('runs exec through the test handler with stdin, streams, exit code and resize', async () => {
    const { rt } = setup();
    const id = await rt.createContainer({ name: 'fake-e', image: IMAGE, labels: { cluster: 'c1' } });
    await assert.rejects(rt.exec(id, { command: ['true'] }), RuntimeConflictError);
    await rt.startContainer(id);
    const unhandled = await rt.exec(id, { command: ['nothing'] });
    assert.equal(await unhandled.exitCode, 127);
    rt.onExec(async (ctx) => {
      ctx.stdout(`ran ${ctx.command.join(' ')} with ${(await ctx.stdin()).toString()}`);
      ctx.stderr('warn');
      return ctx.command[0] === 'false' ? 1 : 0;
    });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: string[] = [];
    const err: string[] = [];
    stdout.on('data', (d: Buffer) => out.push(d.toString()));
    stderr.on('data', (d: Buffer) => err.push(d.toString()));
    const s = await rt.exec(id, { command: ['cat'], stdin, stdout, stderr });
    stdin.end('input');
    assert.equal(await s.exitCode, 0);
    assert.deepEqual(out, ['ran cat with input']);
    assert.deepEqual(err, ['warn']);
    assert.equal(await (await rt.exec(id, { command: ['false'] })).exitCode, 1);
    await assert.rejects((await rt.exec(id, { command: ['x'] })).resize(10, 10), /TTY/);
    await (await rt.exec(id, { command: ['x'], tty: true })).resize(24, 80);
  });

  it('attaches: output from now on, stdin, resize, and the end when the container exits', async () => {
    const { rt } = setup();
    const id = await rt.createContainer({ name: 'fake-attach', image: IMAGE, labels: { cluster: 'c1' }, stdin: true, tty: true });
    await assert.rejects(rt.attach(id, {}), RuntimeConflictError);
    await rt.startContainer(id);
    rt.appendLog(id, 'stdout', 'before\n');
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const a = await rt.attach(id, { stdin, stdout });
    rt.appendLog(id, 'stdout', 'after\n');
    rt.appendLog(id, 'stderr', 'tty-merged\n');
    stdin.write('typed');
    await a.resize(40, 100);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(rt.attachedInput(id), { stdin: Buffer.from('typed'), ttySize: { rows: 40, cols: 100 } });
    rt.exitContainer(id, 0);
    await a.done;
    assert.equal(out, 'after\ntty-merged\n');
    const plain = await rt.createContainer({ name: 'fake-plain', image: IMAGE, labels: { cluster: 'c1' } });
    await rt.startContainer(plain);
    await assert.rejects(rt.attach(plain, { stdin: new PassThrough() }), /stdin open/);
    const b = await rt.attach(plain, {});
    await assert.rejects(b.resize(1, 1), /TTY/);
    b.detach();
    await b.done;
  });

  it('allocates IPs on user networks, with aliases, fixed addresses and namespace joining', async () => {
    const { rt } = setup();
    const net = await rt.ensureNetwork('wh-net', { subnet: '10.99.0.0/24', labels: { [LABELS.cluster]: 'c1' } });
    assert.deepEqual({ subnet: net.subnet, gateway: net.gateway }, { subnet: '10.99.0.0/24', gateway: '10.99.0.1' });
    assert.equal((await rt.ensureNetwork('wh-net', {})).id, net.id, 'ensureNetwork is idempotent');
    await assert.rejects(rt.ensureNetwork('wh-net', { subnet: '10.98.0.0/24' }), RuntimeConflictError);
    const sandbox = await rt.createContainer({ name: 'fake-s', image: IMAGE, labels: { cluster: 'c1' }, network: 'wh-net', networkAliases: ['web'] });
    const app = await rt.createContainer({ name: 'app', image: IMAGE, labels: { cluster: 'c1' }, network: `container:${sandbox}` });
    await assert.rejects(rt.startContainer(app), /non running container/);
    await rt.startContainer(sandbox);
    await rt.startContainer(app);
    const s = await rt.inspectContainer(sandbox);
    assert.deepEqual(s.networks['wh-net'], { ip: '10.99.0.2', aliases: ['web'] });
    assert.deepEqual((await rt.inspectContainer(app)).networks, {});
    const fixed = await rt.createContainer({ name: 'fake-f', image: IMAGE, labels: { cluster: 'c1' }, network: 'wh-net', ipv4Address: '10.99.0.50' });
    await rt.startContainer(fixed);
    assert.equal((await rt.inspectContainer(fixed)).networks['wh-net']!.ip, '10.99.0.50');
    const clash = await rt.createContainer({ name: 'fake-g', image: IMAGE, labels: { cluster: 'c1' }, network: 'wh-net', ipv4Address: '10.99.0.50' });
    await assert.rejects(rt.startContainer(clash), /Address already in use/);
    await assert.rejects(rt.removeNetwork('wh-net'), /active endpoints/);
    await rt.connectNetwork('bridge', fixed, { aliases: ['x'] });
    assert.ok((await rt.inspectContainer(fixed)).networks.bridge!.ip);
    await rt.disconnectNetwork('bridge', fixed);
    for (const id of [sandbox, app, fixed, clash]) await rt.removeContainer(id, { force: true });
    await rt.removeNetwork('wh-net');
    await assert.rejects(rt.removeNetwork('wh-net'), RuntimeNotFoundError);
  });

  it('keeps volumes, images, pulls, stats and files', async () => {
    const { rt } = setup();
    await rt.createVolume('v1', { [LABELS.cluster]: 'c1' });
    await rt.createVolume('v2', { [LABELS.cluster]: 'c2' });
    assert.deepEqual(await rt.listVolumes({ [LABELS.cluster]: 'c1' }), ['v1']);
    const id = await rt.createContainer({ name: 'fake-v', image: IMAGE, labels: { cluster: 'c1' }, mounts: [{ type: 'volume', source: 'v1', target: '/data' }], memoryBytes: 1 << 20 });
    await assert.rejects(rt.removeVolume('v1'), /in use/);
    await rt.removeVolume('v2');
    await assert.rejects(rt.removeVolume('v2'), RuntimeNotFoundError);

    assert.deepEqual((await rt.inspectImage('docker.io/wheelhouse-test/busybox:latest')).repoTags, ['wheelhouse-test/busybox:latest']);
    await assert.rejects(rt.inspectImage('other'), RuntimeNotFoundError);
    await assert.rejects(rt.pullImage('other:1'), /pull access denied for other, repository does not exist/);
    rt.setPullable('example.com/app:2', { sizeBytes: 42 });
    const progress: string[] = [];
    await rt.pullImage('example.com/app:2', (p) => progress.push(p.status));
    assert.ok(progress.length >= 2);
    assert.equal((await rt.inspectImage('example.com/app:2')).sizeBytes, 42);
    rt.setPullError('private/app', 'unauthorized: authentication required');
    await assert.rejects(rt.pullImage('private/app'), /unauthorized/);

    await rt.startContainer(id);
    assert.deepEqual(await rt.stats(id), { cpuNanoCores: 0, memoryBytes: 0, memoryLimitBytes: 1 << 20 });
    rt.setStats(id, { cpuNanoCores: 250_000_000, memoryBytes: 1000 });
    assert.equal((await rt.stats(id)).cpuNanoCores, 250_000_000);

    await rt.putFile(id, '/etc/config/key', Buffer.from('value'), 0o600);
    assert.deepEqual(rt.readFile(id, '/etc/config/key'), { content: Buffer.from('value'), mode: 0o600 });
    assert.ok(rt.calls.some((c) => c.op === 'putFile'));
  });
});
