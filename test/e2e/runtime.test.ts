/**
 * Every Runtime operation on the real Docker engine, with the offline test images. Everything created
 * carries the label io.wheelhouse.cluster=<unique> and is removed in `after`, even when a test fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { connect, createServer, type AddressInfo } from 'node:net';
import { dockerSkip, dockerSocketPath } from '../support/docker.ts';
import { parseDockerHost } from '../../engine/runtime/connection.ts';
import { ensureTestImages, type TestImages } from '../support/images.ts';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { LABELS, labelFilter } from '../../engine/runtime/labels.ts';
import { containerName, infraName, sandboxName, volumeName } from '../../engine/runtime/names.ts';
import {
  RuntimeConflictError, RuntimeNotFoundError, type ContainerSpec, type RuntimeEvent,
} from '../../engine/runtime/types.ts';

const cluster = `rt-e2e-${randomBytes(4).toString('hex')}`;
const clusterLabel = labelFilter({ cluster });
const netName = `wh-${cluster}`;
const net2Name = `wh-${cluster}-b`;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readLogs(rt: DockerRuntime, id: string, opts: Parameters<DockerRuntime['logs']>[1] = {}) {
  const out: Array<[string, string]> = [];
  const h = await rt.logs(id, opts, (s, d) => out.push([s, d.toString()]));
  await h.done;
  const text = (s: string) => out.filter(([x]) => x === s).map(([, d]) => d).join('');
  return { stdout: text('stdout'), stderr: text('stderr') };
}

async function execText(rt: DockerRuntime, id: string, command: string[], stdinText?: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const stdin = stdinText === undefined ? undefined : new PassThrough();
  const s = await rt.exec(id, { command, stdout, stderr, ...(stdin ? { stdin } : {}) });
  stdin?.end(stdinText);
  const code = await s.exitCode;
  return { code, out, err };
}

describe('runtime on real Docker', { skip: await dockerSkip() }, () => {
  let rt: DockerRuntime;
  let images: TestImages;
  let seq = 0;
  const events: RuntimeEvent[] = [];
  let stopEvents: (() => void) | undefined;

  /** A container spec with our labels and a unique deterministic name. */
  const spec = (container: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => {
    const attempt = seq++;
    return {
      name: containerName({ cluster, namespace: 'default', pod: 'rt', container, attempt }),
      image: images.busybox,
      labels: { cluster, namespace: 'default', podName: 'rt', container, attempt, node: 'node-1', role: 'container' },
      ...extra,
    };
  };
  const run = async (container: string, script: string, extra: Partial<ContainerSpec> = {}) => {
    const id = await rt.createContainer(spec(container, { command: ['sh', '-c', script], ...extra }));
    await rt.startContainer(id);
    return id;
  };
  const waitExit = (id: string, timeoutMs = 10_000) =>
    waitFor(`container ${id} to exit`, async () => {
      const c = await rt.inspectContainer(id);
      return c.state === 'exited' ? c : undefined;
    }, timeoutMs);

  before(async () => {
    images = await ensureTestImages();
    rt = await connectDocker();
    stopEvents = (await rt.events((e) => events.push(e), { labels: clusterLabel })).stop;
  });

  after(async () => {
    stopEvents?.();
    if (!rt) return;
    for (const c of await rt.listContainers(clusterLabel, { all: true }).catch(() => [])) {
      await rt.removeContainer(c.id, { force: true, volumes: true }).catch(() => {});
    }
    for (const n of [netName, net2Name]) await rt.removeNetwork(n).catch(() => {});
    for (const v of await rt.listVolumes({ [LABELS.cluster]: cluster }).catch(() => [])) await rt.removeVolume(v).catch(() => {});
  });

  it('answers ping and info with the negotiated API version', async () => {
    await rt.ping();
    const info = await rt.info();
    assert.ok(info.cpus >= 1 && info.memoryBytes > 0);
    assert.equal(info.apiVersion, rt.apiVersion);
    assert.match(info.serverVersion, /^\d+\.\d+/);
  });

  it('connects over tcp:// as DOCKER_HOST would give it', async () => {
    // A loopback TCP port relaying to the engine's socket stands in for a tcp:// engine.
    const open = new Set<{ destroy(): void }>();
    const relay = createServer((client) => {
      const upstream = connect(dockerSocketPath());
      open.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => { client.destroy(); upstream.destroy(); };
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    try {
      const { port } = relay.address() as AddressInfo;
      const tcp = await connectDocker({ endpoint: parseDockerHost(`tcp://127.0.0.1:${port}`, {}) });
      assert.equal(tcp.endpoint, `tcp://127.0.0.1:${port}`);
      assert.equal((await tcp.info()).serverVersion, (await rt.info()).serverVersion);
      assert.ok((await tcp.inspectImage(images.busybox)).id.startsWith('sha256:'));
    } finally {
      for (const sock of open) sock.destroy();
      await new Promise((r) => relay.close(r));
    }
  });

  it('creates, starts, inspects and lists containers by label', async () => {
    const id = await rt.createContainer(spec('lister', { command: ['sleep', '30'], env: { GREETING: 'hi' } }));
    let c = await rt.inspectContainer(id);
    assert.equal(c.state, 'created');
    assert.equal(c.labels[LABELS.cluster], cluster);
    assert.equal(c.labels[LABELS.container], 'lister');
    assert.ok(!(await rt.listContainers(labelFilter({ cluster, container: 'lister' }))).some((x) => x.id === id), 'created is not running');
    assert.ok((await rt.listContainers(labelFilter({ cluster, container: 'lister' }), { all: true })).some((x) => x.id === id));
    await rt.startContainer(id);
    await rt.startContainer(id); // already running: no error, as Docker's 304
    c = await rt.inspectContainer(id);
    assert.equal(c.state, 'running');
    assert.ok(c.startedAt && c.pid);
    assert.equal(c.imageId.startsWith('sha256:'), true);
    const listed = await rt.listContainers(labelFilter({ cluster, container: 'lister' }));
    assert.deepEqual(listed.map((x) => x.id), [id]);
    assert.equal(listed[0]!.name, c.name);
    // Without inspecting: one list call, same identity, labels, state and network address.
    const summary = await rt.listContainers(labelFilter({ cluster, container: 'lister' }), { all: true, inspect: false });
    assert.deepEqual(summary.map((x) => [x.id, x.name, x.state, x.labels[LABELS.container], x.imageId]), [[id, c.name, 'running', 'lister', c.imageId]]);
    assert.deepEqual(Object.fromEntries(Object.entries(summary[0]!.networks).map(([k, v]) => [k, v.ip])), Object.fromEntries(Object.entries(c.networks).map(([k, v]) => [k, v.ip])));
    await assert.rejects(rt.createContainer({ ...spec('lister'), name: c.name }), RuntimeConflictError);
  });

  it('stops with the grace period: a trapped SIGTERM runs; an ignored one ends in SIGKILL', async () => {
    const trapped = await run('trapped', 'trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 1 & wait $!; done');
    const stubborn = await run('stubborn', 'trap "" TERM; echo ready; while :; do sleep 1; done');
    await waitFor('trapped ready', async () => (await readLogs(rt, trapped)).stdout.includes('ready'));
    await waitFor('stubborn ready', async () => (await readLogs(rt, stubborn)).stdout.includes('ready'));
    await rt.stopContainer(trapped, 10);
    const t = await rt.inspectContainer(trapped);
    assert.equal(t.state, 'exited');
    assert.equal(t.exitCode, 7);
    assert.match((await readLogs(rt, trapped)).stdout, /got-TERM/);
    const started = Date.now();
    await rt.stopContainer(stubborn, 1);
    assert.ok(Date.now() - started >= 900, 'waited for the grace period');
    assert.equal((await rt.inspectContainer(stubborn)).exitCode, 137);
    await rt.stopContainer(stubborn, 1); // already stopped: no error

    const killed = await run('killed', 'sleep 30');
    await rt.killContainer(killed, 'SIGKILL');
    assert.equal((await waitExit(killed)).exitCode, 137);
    await assert.rejects(rt.killContainer(killed), RuntimeConflictError, 'kill of a stopped container');
    await assert.rejects(rt.removeContainer(trapped).then(() => rt.inspectContainer(trapped)), RuntimeNotFoundError);
    const running = await run('running', 'sleep 30');
    await assert.rejects(rt.removeContainer(running), RuntimeConflictError);
    await rt.removeContainer(running, { force: true });
    await assert.rejects(rt.inspectContainer(running), RuntimeNotFoundError);
  });

  it('reads logs: stderr separated, tail, since, timestamps, follow, TTY', async () => {
    const id = await run('logger', 'echo one; echo two; echo err-one >&2; sleep 1.2; echo three; i=0; while [ $i -lt 50 ]; do echo tick-$i; i=$((i+1)); sleep 0.1; done');
    await waitFor('three', async () => (await readLogs(rt, id)).stdout.includes('three'));
    const all = await readLogs(rt, id);
    assert.match(all.stdout, /^one\ntwo\nthree\n/);
    assert.equal(all.stderr, 'err-one\n');
    const stamped = await readLogs(rt, id, { timestamps: true, stderr: false });
    const lines = stamped.stdout.trim().split('\n');
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z one$/);
    const threeAt = lines.find((l) => l.endsWith(' three'))!.split(' ')[0]!;
    const since = await readLogs(rt, id, { sinceTime: threeAt, stderr: false });
    assert.match(since.stdout, /^three\n/);
    assert.ok(!since.stdout.includes('one'));
    const onlyErr = await readLogs(rt, id, { stdout: false });
    assert.equal(onlyErr.stdout, '');
    assert.equal(onlyErr.stderr, 'err-one\n');
    assert.equal((await readLogs(rt, id, { tail: 1 })).stdout.split('\n').filter(Boolean).length, 1);
    assert.ok((await readLogs(rt, id, { sinceSeconds: 3600 })).stdout.includes('one'));

    const followed: string[] = [];
    const h = await rt.logs(id, { follow: true, tail: 0 }, (_s, d) => followed.push(d.toString()));
    await waitFor('two followed ticks', async () => followed.join('').split('\n').filter((l) => l.startsWith('tick-')).length >= 2);
    h.stop();
    await h.done;

    const short = await run('short-lived', 'echo bye; sleep 0.5');
    const tail: string[] = [];
    const h2 = await rt.logs(short, { follow: true }, (_s, d) => tail.push(d.toString()));
    await h2.done; // ends by itself when the container exits
    assert.match(tail.join(''), /bye/);

    const tty = await run('tty', 'echo tty-out; echo tty-err >&2', { tty: true });
    await waitExit(tty);
    const ttyLogs = await readLogs(rt, tty);
    assert.match(ttyLogs.stdout, /tty-out\r?\n/);
    assert.match(ttyLogs.stdout, /tty-err/, 'a TTY has one stream');
    assert.equal(ttyLogs.stderr, '');
  });

  it('execs with stdout, stderr, exit code, stdin, and a TTY that resizes', async () => {
    const id = await run('exec', 'sleep 60');
    const r = await execText(rt, id, ['sh', '-c', 'echo out; echo err >&2; exit 5']);
    assert.deepEqual(r, { code: 5, out: 'out\n', err: 'err\n' });
    assert.deepEqual(await execText(rt, id, ['cat'], 'from stdin'), { code: 0, out: 'from stdin', err: '' });
    assert.equal((await execText(rt, id, ['sh', '-c', 'echo $FOO'].slice(0))).out, '\n');

    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => { text += d.toString(); });
    const s = await rt.exec(id, { command: ['sh', '-c', 'sleep 0.5; stty size'], tty: true, stdout: out });
    await s.resize(33, 111);
    assert.equal(await s.exitCode, 0);
    assert.match(text, /33 111/);
    await assert.rejects((await rt.exec(id, { command: ['true'] })).resize(1, 1), /TTY/);
    const stopped = await rt.createContainer(spec('not-running', { command: ['sleep', '1'] }));
    await assert.rejects(rt.exec(stopped, { command: ['true'] }), RuntimeConflictError);
  });

  it('attaches to the main process: stdin, separated output, stdinOnce, and a TTY that resizes', async () => {
    const id = await run('attached', 'while read line; do echo "got $line"; echo "err $line" >&2; done; echo stdin-closed', { stdin: true, stdinOnce: true });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const a = await rt.attach(id, { stdin, stdout, stderr });
    stdin.write('hello\n');
    await waitFor('the echo', async () => out.includes('got hello'));
    assert.match(err, /err hello/);
    stdin.end();
    await a.done;
    assert.equal((await waitExit(id)).exitCode, 0, 'stdinOnce closed stdin at the end of the attach');
    assert.match(out, /stdin-closed/);

    const tty = await run('attached-tty', 'while :; do stty size; sleep 0.2; done', { stdin: true, tty: true });
    let ttyOut = '';
    const ttyStdout = new PassThrough();
    ttyStdout.on('data', (d: Buffer) => { ttyOut += d.toString(); });
    const t = await rt.attach(tty, { stdout: ttyStdout });
    await t.resize(33, 111);
    await waitFor('the new size', async () => ttyOut.includes('33 111'));
    t.detach();
    await t.done;
    assert.equal((await rt.inspectContainer(tty)).state, 'running', 'detaching leaves the container running');
    await assert.rejects(rt.attach(id, {}), RuntimeConflictError, 'not running');
  });

  it('reads stats: CPU in nanocores and memory against the limit', async () => {
    const id = await run('busy', 'while :; do :; done', { memoryBytes: 64 * 1024 * 1024 });
    await new Promise((r) => setTimeout(r, 300));
    const s = await rt.stats(id);
    assert.ok(s.cpuNanoCores > 50_000_000, `a busy loop uses a measurable part of a core, got ${s.cpuNanoCores}`);
    assert.ok(s.cpuNanoCores < 1_500_000_000, `a single thread cannot use more than one core, got ${s.cpuNanoCores}`);
    assert.equal(s.memoryLimitBytes, 64 * 1024 * 1024);
    assert.ok(s.memoryBytes > 0 && s.memoryBytes < s.memoryLimitBytes);
    await rt.removeContainer(id, { force: true });
  });

  it('streams container events filtered to our labels', async () => {
    const id = await run('evented', 'exit 3');
    await waitExit(id);
    await rt.removeContainer(id);
    const mine = await waitFor('destroy event', async () => {
      const m = events.filter((e) => e.id === id);
      return m.some((e) => e.action === 'destroy') ? m : undefined;
    });
    const actions = mine.map((e) => e.action);
    for (const a of ['create', 'start', 'die', 'destroy']) assert.ok(actions.includes(a), `saw ${a} in ${actions.join(',')}`);
    assert.equal(mine.find((e) => e.action === 'die')!.exitCode, 3);
    assert.equal(mine[0]!.labels[LABELS.container], 'evented');
    assert.ok(events.every((e) => e.labels[LABELS.cluster] === cluster), 'only our cluster');
  });

  it('ensures networks, connects with aliases and a fixed IP, and joins a network namespace', async () => {
    const labels = { [LABELS.cluster]: cluster };
    // A random /24 in 10.200-249.x.0: other tests' networks on this engine may hold one, so try a few.
    let third = 0;
    let fourth = 0;
    let subnet = '';
    let n1: { id: string; subnet: string; gateway: string } | undefined;
    for (let tries = 0; !n1; tries++) {
      third = 200 + (randomBytes(1)[0]! % 50);
      fourth = randomBytes(1)[0]!;
      subnet = `10.${third}.${fourth}.0/24`;
      try {
        n1 = await rt.ensureNetwork(netName, { subnet, gateway: `10.${third}.${fourth}.1`, labels });
      } catch (err) {
        if (tries >= 5 || !/overlap/i.test((err as Error).message)) throw err;
      }
    }
    assert.deepEqual({ subnet: n1.subnet, gateway: n1.gateway }, { subnet, gateway: `10.${third}.${fourth}.1` });
    assert.equal((await rt.ensureNetwork(netName, { subnet, labels })).id, n1.id, 'idempotent');
    await assert.rejects(rt.ensureNetwork(netName, { subnet: '10.199.0.0/24' }), /exists with subnet/);
    const n2 = await rt.ensureNetwork(net2Name, { labels });
    assert.match(n2.subnet, /\/\d+$/);
    assert.ok(n2.gateway);

    const alias = `web-${cluster}`;
    const ip = `10.${third}.${fourth}.77`;
    const sandbox = await rt.createContainer({
      ...spec('POD', { image: images.pause, network: netName, networkAliases: [alias], ipv4Address: ip, hostname: 'rt-pod' }),
      name: sandboxName({ cluster, namespace: 'default', pod: 'rt', attempt: 0 }),
    });
    await rt.startContainer(sandbox);
    const s = await rt.inspectContainer(sandbox);
    assert.equal(s.networks[netName]!.ip, ip);
    assert.ok(s.networks[netName]!.aliases.includes(alias), 'our alias (Docker may add the hostname)');

    const server = await run('server', 'mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www', { network: `container:${sandbox}` });
    assert.deepEqual((await rt.inspectContainer(server)).networks, {}, 'a joined container has no network of its own');
    const local = await run('local-client', 'for i in 1 2 3 4 5 6 7 8 9 10; do timeout 2 wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 0.3; done; exit 1', { network: `container:${sandbox}` });
    assert.equal((await waitExit(local, 15_000)).exitCode, 0, 'reached the server over 127.0.0.1 in the shared namespace');
    assert.match((await readLogs(rt, local)).stdout, /hello-from-pod/);
    const remote = await run('remote-client', `for i in 1 2 3 4 5 6 7 8 9 10; do timeout 2 wget -qO- http://${alias}:8080/ && exit 0; sleep 0.3; done; exit 1`, { network: netName });
    assert.equal((await waitExit(remote, 15_000)).exitCode, 0, 'reached the pod by its network alias');

    await rt.connectNetwork(net2Name, sandbox, { aliases: ['second-alias'] });
    const connected = await rt.inspectContainer(sandbox);
    assert.ok(connected.networks[net2Name]!.ip);
    assert.ok(connected.networks[net2Name]!.aliases.includes('second-alias'));
    await rt.disconnectNetwork(net2Name, sandbox);
    assert.equal((await rt.inspectContainer(sandbox)).networks[net2Name], undefined);
    await assert.rejects(rt.removeNetwork(netName), RuntimeConflictError, 'a network with active endpoints');
    await rt.stopContainer(sandbox, 5);
    assert.equal((await rt.inspectContainer(sandbox)).exitCode, 0, 'the pause stand-in exits 0 on SIGTERM');
    for (const id of [server, local, remote, sandbox]) await rt.removeContainer(id, { force: true });
    await rt.removeNetwork(net2Name);
    await assert.rejects(rt.removeNetwork(net2Name), RuntimeNotFoundError);
  });

  it('creates, mounts, lists and removes volumes', async () => {
    const vol = volumeName(cluster, 'data');
    await rt.createVolume(vol, { [LABELS.cluster]: cluster });
    await rt.createVolume(vol, { [LABELS.cluster]: cluster }); // idempotent
    assert.deepEqual(await rt.listVolumes({ [LABELS.cluster]: cluster }), [vol]);
    const mounts = [{ type: 'volume' as const, source: vol, target: '/data' }];
    const writer = await run('writer', 'echo persisted > /data/f', { mounts });
    await waitExit(writer);
    const reader = await run('reader', 'cat /data/f', { mounts: [{ ...mounts[0]!, readOnly: true }] });
    await waitExit(reader);
    assert.equal((await readLogs(rt, reader)).stdout, 'persisted\n');
    await assert.rejects(rt.removeVolume(vol), RuntimeConflictError, 'in use');
    await rt.removeContainer(writer);
    await rt.removeContainer(reader);
    await rt.removeVolume(vol);
    await assert.rejects(rt.removeVolume(vol), RuntimeNotFoundError);
  });

  it('puts files into a container, creating missing folders and keeping existing ones', async () => {
    const id = await run('files', 'sleep 60');
    await rt.putFile(id, '/etc/wh/config/key', Buffer.from('secret-value'), 0o600);
    await rt.putFile(id, '/tmp/plain', Buffer.from('x'));
    const r = await execText(rt, id, ['sh', '-c', 'stat -c "%a %s" /etc/wh/config/key; cat /etc/wh/config/key; echo; stat -c %a /tmp /etc/wh; stat -c %a /tmp/plain']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '600 12\nsecret-value\n1777\n755\n644\n');
    await rt.putFile(id, '/etc/wh/config/key', Buffer.from('updated'), 0o644);
    assert.equal((await execText(rt, id, ['cat', '/etc/wh/config/key'])).out, 'updated');
    await assert.rejects(rt.putFile('wh-no-such-container', '/x', Buffer.from('')), RuntimeNotFoundError);
  });

  it('runs the offline test images: node, busybox applets, and a pause that stops at once', async () => {
    assert.deepEqual(await ensureTestImages(), images, 'idempotent');
    const node = await rt.createContainer(spec('node', { image: images.node, args: ['-e', 'console.log("node", process.version)'] }));
    await rt.startContainer(node);
    assert.equal((await waitExit(node)).exitCode, 0);
    assert.equal((await readLogs(rt, node)).stdout, `node ${process.version}\n`);
    const applets = await run('applets', 'for a in sh httpd nc wget sleep timeout stty; do command -v $a >/dev/null || { echo missing $a; exit 1; }; done');
    assert.equal((await waitExit(applets)).exitCode, 0, (await readLogs(rt, applets)).stdout);
    const pause = await rt.createContainer(spec('pause', { image: images.pause }));
    await rt.startContainer(pause);
    assert.equal((await execText(rt, pause, ['sh', '-c', 'command -v nc'])).code, 0, 'the sandbox has nc for the kubelet\'s tunnels');
    await rt.stopContainer(pause, 30);
    assert.equal((await rt.inspectContainer(pause)).exitCode, 0);
  });

  it('inspects images, fails pulls with the registry message, maps not found', async () => {
    const img = await rt.inspectImage(images.busybox);
    assert.ok(img.repoTags.includes(images.busybox));
    assert.deepEqual(img.cmd, ['/bin/sh']);
    assert.ok(img.env.some((e) => e.startsWith('PATH=')));
    assert.ok(img.sizeBytes > 100_000);
    const node = await rt.inspectImage(images.node);
    assert.deepEqual(node.entrypoint, ['/usr/local/bin/node']);
    // A registry on a closed loopback port: fails fast without leaving the machine.
    const progress: string[] = [];
    await assert.rejects(rt.pullImage('127.0.0.1:1/wheelhouse/missing:1', (p) => progress.push(p.status)), (err: Error) => {
      assert.match(err.message, /^pulling image 127\.0\.0\.1:1\/wheelhouse\/missing:1 failed: .*127\.0\.0\.1:1/);
      return true;
    });
    await assert.rejects(rt.inspectImage('wheelhouse-test/does-not-exist:1'), RuntimeNotFoundError);
    await assert.rejects(rt.createContainer(spec('no-image', { image: 'wheelhouse-test/does-not-exist:1' })), RuntimeNotFoundError);
    await assert.rejects(rt.inspectContainer(infraName(cluster, 'nothing')), RuntimeNotFoundError);
    await assert.rejects(rt.startContainer(infraName(cluster, 'nothing')), RuntimeNotFoundError);
    await assert.rejects(rt.stopContainer(infraName(cluster, 'nothing'), 1), RuntimeNotFoundError);
    await assert.rejects(rt.removeContainer(infraName(cluster, 'nothing')), RuntimeNotFoundError);
    await assert.rejects(rt.logs(infraName(cluster, 'nothing'), {}, () => {}), RuntimeNotFoundError);
    await assert.rejects(rt.exec(infraName(cluster, 'nothing'), { command: ['true'] }), RuntimeNotFoundError);
    await assert.rejects(rt.stats(infraName(cluster, 'nothing')), RuntimeNotFoundError);
    await assert.rejects(rt.removeNetwork(`${netName}-none`), RuntimeNotFoundError);
    await assert.rejects(rt.connectNetwork(`${netName}-none`, 'x'), RuntimeNotFoundError);
  });
});
