import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ConfigMap, Event, Namespace, Node, Pod } from 'kubernetes-types/core/v1';
import { R } from '../../engine/api/resources.ts';
import { fromDockerLabels } from '../../engine/runtime/labels.ts';
import { ManualClock } from '../../engine/kubelet/clock.ts';
import { Backoff } from '../../engine/kubelet/backoff.ts';
import { startKubelet, type Kubelet } from '../../engine/kubelet/kubelet.ts';
import { ContainerConfigError, containerCommand, expand, resolveEnv } from '../../engine/kubelet/env.ts';
import { initialProbeState, observeProbe } from '../../engine/kubelet/probes.ts';
import { authFor, pullPolicy } from '../../engine/kubelet/images.ts';
import { checkPodSecurity } from '../../engine/kubelet/security.ts';
import { qosClass } from '../../engine/kubelet/status.ts';
import { podAttach, podExec, podLogs } from '../../engine/kubelet/streams.ts';
import { FakeClient } from '../support/fake-client.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const CLUSTER = 'kt';
const NODE = 'node-1';
const NET = 'kt-net';

function node(): Node {
  return { metadata: { name: NODE }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } } };
}

function pod(name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: name } },
    spec: { nodeName: NODE, containers: [{ name: 'app', image: 'app:1' }], ...spec },
  };
}

interface Env {
  client: FakeClient;
  runtime: FakeRuntime;
  clock: ManualClock;
  kubelet: Kubelet;
  dir: string;
}

async function setup(pods: Pod[], extra: { type: typeof R[keyof typeof R]; objects: object[] }[] = []): Promise<Env> {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ now: () => clock.now() });
  runtime.setImage('busybox:1.36');
  runtime.setImage('app:1', { cmd: ['/app'], user: '' });
  await runtime.ensureNetwork(NET, {});
  const client = new FakeClient([{ type: R.nodes, objects: [node()] }, { type: R.pods, objects: pods }, ...extra.map((e) => ({ type: e.type, objects: e.objects as never[] }))]);
  const dir = await mkdtemp(join(tmpdir(), 'kubelet-test-'));
  const kubelet = startKubelet(client, runtime, { nodeName: NODE, clusterName: CLUSTER, networkName: NET, podsDir: dir, clock, hostIP: '10.0.0.1' });
  await kubelet.synced;
  await kubelet.settled();
  return { client, runtime, clock, kubelet, dir };
}

async function teardown(e: Env): Promise<void> {
  await e.kubelet.stop();
  await rm(e.dir, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function getPod(e: Env, name: string): Promise<Pod> {
  return e.client.get<Pod>(R.pods, name, 'default');
}

function appContainers(e: Env, name = 'app') {
  return e.runtime.allContainers().filter((c) => fromDockerLabels(c.labels)?.container === name);
}

async function step(e: Env, ms = 0): Promise<void> {
  e.clock.advance(ms);
  await sleep(5);
  await e.kubelet.settled();
}

describe('kubelet: running a pod', () => {
  let e: Env;
  before(async () => {
    const cm: ConfigMap = { metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hello', 'file.txt': 'v1' } };
    e = await setup([pod('web', {
      hostname: 'h1', subdomain: 'sub',
      containers: [{
        name: 'app', image: 'app:1', args: ['--name', '$(POD_NAME)'], workingDir: '/w',
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'MSG', value: '$(GREETING) from $(POD_NAME) costs $$5' },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        resources: { limits: { cpu: '500m', memory: '64Mi' } },
        securityContext: { runAsUser: 1000, runAsGroup: 2000, readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'scratch', mountPath: '/scratch' }],
      }],
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'scratch', emptyDir: {} }],
    })], [{ type: R.configmaps, objects: [cm] }]);
  });
  after(() => teardown(e));

  it('creates a sandbox and joins the container to its network namespace', async () => {
    await waitFor(async () => (await getPod(e, 'web')).status?.phase === 'Running', 'Running');
    const all = e.runtime.allContainers();
    const sandbox = all.find((c) => fromDockerLabels(c.labels)?.role === 'sandbox')!;
    const app = appContainers(e)[0]!;
    assert.equal(sandbox.state, 'running');
    const sbSpec = e.runtime.specOf(sandbox.id);
    assert.equal(sbSpec.network, NET);
    assert.equal(sbSpec.hostname, 'h1');
    assert.equal(sbSpec.domainname, 'sub.default.svc.cluster.local');
    assert.deepEqual(sbSpec.dnsSearch, ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    assert.deepEqual(sbSpec.dnsOptions, ['ndots:5']);
    const spec = e.runtime.specOf(app.id);
    assert.equal(spec.network, `container:${sandbox.id}`);
    assert.deepEqual(spec.args, ['--name', 'web']);
    assert.equal(spec.command, undefined, 'the image ENTRYPOINT stays when only args are given');
    assert.equal(spec.workingDir, '/w');
    assert.equal(spec.user, '1000:2000');
    assert.equal(spec.nanoCpus, 500_000_000);
    assert.equal(spec.memoryBytes, 64 * 2 ** 20);
    assert.equal(spec.readOnlyRootfs, true);
    assert.deepEqual(spec.capAdd, ['NET_ADMIN']);
    assert.deepEqual(spec.capDrop, ['ALL']);
    assert.equal(spec.env!.MSG, 'hello from web costs $5');
    assert.equal(spec.env!.GREETING, 'hello');
    assert.equal(spec.env!.MEM, '64');
    assert.equal(spec.env!.IP, sandbox.networks[NET]!.ip);
    const cfgMount = spec.mounts!.find((m) => m.target === '/etc/cfg')!;
    assert.equal(cfgMount.readOnly, true);
    assert.equal(await readFile(join(cfgMount.source!, 'file.txt'), 'utf8'), 'v1');
    assert.ok(spec.mounts!.some((m) => m.target === '/dev/termination-log'));
    const labels = fromDockerLabels(app.labels)!;
    assert.deepEqual({ cluster: labels.cluster, node: labels.node, attempt: labels.attempt, podUid: labels.podUid }, { cluster: CLUSTER, node: NODE, attempt: 0, podUid: 'uid-web' });
  });

  it('writes the status upstream writes', async () => {
    const p = await getPod(e, 'web');
    const st = p.status!;
    assert.equal(st.hostIP, '10.0.0.1');
    assert.ok(st.podIP);
    assert.deepEqual(st.podIPs, [{ ip: st.podIP }]);
    assert.ok(st.startTime);
    assert.equal(st.qosClass, 'Guaranteed', 'limits only: requests default to limits');
    const conds = Object.fromEntries(st.conditions!.map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
    const cs = st.containerStatuses![0]!;
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.ok(cs.state?.running?.startedAt);
    assert.match(cs.containerID!, /^docker:\/\/[0-9a-f]{64}$/);
    assert.match(cs.imageID, /^docker:\/\/sha256:/);
    const events = (await e.client.list<Event>(R.events, 'default')).items.map((ev) => ev.reason);
    for (const r of ['Pulled', 'Created', 'Started']) assert.ok(events.includes(r), `event ${r}`);
  });

  it('updates configMap files when the ConfigMap changes', async () => {
    const cm = await e.client.get<ConfigMap>(R.configmaps, 'cfg', 'default');
    await e.client.update(R.configmaps, { ...cm, data: { ...cm.data, 'file.txt': 'v2' } });
    await step(e, 10_000);
    const app = appContainers(e)[0]!;
    const src = e.runtime.specOf(app.id).mounts!.find((m) => m.target === '/etc/cfg')!.source!;
    await waitFor(async () => (await readFile(join(src, 'file.txt'), 'utf8')) === 'v2', 'file update');
  });

  it('serves logs and exec through the runtime', async () => {
    const app = appContainers(e)[0]!;
    e.runtime.appendLog(app.id, 'stdout', 'line1\nline2\n');
    const chunks: string[] = [];
    const p = await getPod(e, 'web');
    const h = await podLogs({ runtime: e.runtime, clusterName: CLUSTER }, p, undefined, { tail: 1 }, (d) => chunks.push(d.toString()));
    await h.done;
    assert.deepEqual(chunks, ['line2\n']);
    e.runtime.onExec((x) => (x.command[0] === 'false' ? 3 : 0));
    const r = await podExec({ runtime: e.runtime, clusterName: CLUSTER }, p, 'app', ['false'], {}, false);
    assert.equal(await r.exitCode, 3);
    e.runtime.onExec(undefined);
    // attach: output from now on; stdin only for containers that asked for it.
    const out = new PassThrough();
    let seen = '';
    out.on('data', (d: Buffer) => (seen += d.toString()));
    const a = await podAttach({ runtime: e.runtime, clusterName: CLUSTER }, p, 'app', { stdout: out });
    e.runtime.appendLog(app.id, 'stdout', 'live line\n');
    assert.equal(seen, 'live line\n');
    a.detach();
    await a.done;
    await assert.rejects(podAttach({ runtime: e.runtime, clusterName: CLUSTER }, p, 'app', { stdin: new PassThrough() }), /stdin is not enabled for container "app"/);
  });
});

describe('kubelet: restarts', () => {
  it('backs off 10 s, 20 s … between crash restarts (CrashLoopBackOff)', async () => {
    const e = await setup([pod('crash')]);
    try {
      await waitFor(() => appContainers(e).some((c) => c.state === 'running'), 'first start');
      const exitCurrent = (code: number) => e.runtime.exitContainer(appContainers(e).find((c) => c.state === 'running')!.id, code);
      exitCurrent(1);
      await step(e);
      // The first crash restarts at once.
      await waitFor(async () => (await getPod(e, 'crash')).status?.containerStatuses?.[0]?.restartCount === 1, 'restart 1');
      exitCurrent(1);
      await step(e);
      let cs = (await getPod(e, 'crash')).status!.containerStatuses![0]!;
      assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
      assert.match(cs.state!.waiting!.message!, /^back-off 10s restarting failed container=app pod=crash_default\(uid-crash\)$/);
      assert.equal(cs.lastState?.terminated?.reason, 'Error');
      assert.equal(cs.lastState?.terminated?.exitCode, 1);
      assert.equal((await getPod(e, 'crash')).status!.phase, 'Running');
      await step(e, 9_000);
      assert.equal(appContainers(e).filter((c) => c.state === 'running').length, 0, 'still backing off at 9 s');
      await step(e, 1_000);
      await waitFor(async () => (await getPod(e, 'crash')).status?.containerStatuses?.[0]?.restartCount === 2, 'restart 2 after 10 s');
      exitCurrent(1);
      await step(e);
      cs = (await getPod(e, 'crash')).status!.containerStatuses![0]!;
      assert.match(cs.state!.waiting!.message!, /back-off 20s/);
      await step(e, 19_000);
      assert.equal((await getPod(e, 'crash')).status!.containerStatuses![0]!.restartCount, 2);
      await step(e, 1_000);
      await waitFor(async () => (await getPod(e, 'crash')).status?.containerStatuses?.[0]?.restartCount === 3, 'restart 3 after 20 s');
      // Only the current and the previous attempt are kept.
      assert.equal(appContainers(e).length, 2);
    } finally {
      await teardown(e);
    }
  });

  it('honours restartPolicy Never and OnFailure, with exit reasons', async () => {
    const e = await setup([pod('never', { restartPolicy: 'Never' }), pod('onfail', { restartPolicy: 'OnFailure' })]);
    try {
      const running = (podName: string) => e.runtime.allContainers().find((c) => fromDockerLabels(c.labels)?.podName === podName && fromDockerLabels(c.labels)?.container === 'app' && c.state === 'running');
      await waitFor(() => Boolean(running('never') && running('onfail')), 'both running');
      e.runtime.exitContainer(running('never')!.id, 0);
      e.runtime.exitContainer(running('onfail')!.id, 137, { oomKilled: true });
      await step(e);
      await waitFor(async () => (await getPod(e, 'never')).status?.phase === 'Succeeded', 'Succeeded');
      const never = (await getPod(e, 'never')).status!;
      assert.equal(never.containerStatuses![0]!.state?.terminated?.reason, 'Completed');
      assert.equal(never.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
      await waitFor(async () => (await getPod(e, 'onfail')).status?.containerStatuses?.[0]?.restartCount === 1, 'OnFailure restart');
      const onfail = (await getPod(e, 'onfail')).status!.containerStatuses![0]!;
      assert.equal(onfail.lastState?.terminated?.reason, 'OOMKilled');
      e.runtime.exitContainer(running('onfail')!.id, 0);
      await step(e);
      await waitFor(async () => (await getPod(e, 'onfail')).status?.phase === 'Succeeded', 'OnFailure success ends the pod');
      // A finished pod's sandbox is stopped.
      await step(e);
      await waitFor(() => !e.runtime.allContainers().some((c) => fromDockerLabels(c.labels)?.podName === 'never' && c.state === 'running'), 'sandbox stopped');
    } finally {
      await teardown(e);
    }
  });

  it('restores its status when another writer changed it (node controller marking the pod not Ready)', async () => {
    const e = await setup([pod('marked')]);
    try {
      await waitFor(async () => (await getPod(e, 'marked')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'Ready');
      const p = await getPod(e, 'marked');
      const conditions = p.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'NodeNotReady' } : c));
      await e.client.updateStatus(R.pods, { ...p, status: { ...p.status, conditions } });
      await step(e, 10_000);
      await waitFor(async () => (await getPod(e, 'marked')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'Ready restored by the resync');
    } finally {
      await teardown(e);
    }
  });

  it('fails a pod past its activeDeadlineSeconds', async () => {
    const e = await setup([pod('deadline', { activeDeadlineSeconds: 30 })]);
    try {
      await waitFor(() => appContainers(e).some((c) => c.state === 'running'), 'running');
      await step(e, 29_000);
      assert.equal((await getPod(e, 'deadline')).status!.phase, 'Running');
      await step(e, 1_000);
      await waitFor(async () => (await getPod(e, 'deadline')).status?.phase === 'Failed', 'Failed');
      const st = (await getPod(e, 'deadline')).status!;
      assert.equal(st.reason, 'DeadlineExceeded');
      assert.equal(st.message, 'Pod was active on the node longer than the specified deadline');
      await waitFor(() => !e.runtime.allContainers().some((c) => c.state === 'running'), 'containers stopped');
    } finally {
      await teardown(e);
    }
  });

  it('recreates a container removed behind its back with restartCount + 1', async () => {
    const e = await setup([pod('rm')]);
    try {
      await waitFor(() => appContainers(e).some((c) => c.state === 'running'), 'running');
      const id = appContainers(e)[0]!.id;
      await e.runtime.removeContainer(id, { force: true });
      await step(e);
      await waitFor(async () => (await getPod(e, 'rm')).status?.containerStatuses?.[0]?.restartCount === 1, 'recreated');
      const cs = (await getPod(e, 'rm')).status!.containerStatuses![0]!;
      assert.ok(cs.state?.running);
      // Docker may report the forced kill (137) before the removal; either way the last state is kept.
      assert.ok(['ContainerStatusUnknown', 'Error'].includes(cs.lastState!.terminated!.reason!), JSON.stringify(cs.lastState));
      assert.equal(cs.lastState?.terminated?.exitCode, 137);
    } finally {
      await teardown(e);
    }
  });
});

describe('kubelet: init containers and probes', () => {
  it('runs init containers in order before app containers', async () => {
    const e = await setup([pod('init', {
      initContainers: [{ name: 'one', image: 'app:1' }, { name: 'two', image: 'app:1' }],
    })]);
    try {
      await waitFor(() => appContainers(e, 'one').some((c) => c.state === 'running'), 'init one');
      assert.equal(appContainers(e, 'two').length, 0);
      assert.equal(appContainers(e).length, 0);
      let st = (await getPod(e, 'init')).status!;
      assert.equal(st.phase, 'Pending');
      assert.equal(st.conditions!.find((c) => c.type === 'Initialized')!.message, 'containers with incomplete status: [one two]');
      assert.equal(st.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
      e.runtime.exitContainer(appContainers(e, 'one')[0]!.id, 0);
      await step(e);
      await waitFor(() => appContainers(e, 'two').some((c) => c.state === 'running'), 'init two');
      e.runtime.exitContainer(appContainers(e, 'two')[0]!.id, 0);
      await step(e);
      await waitFor(async () => (await getPod(e, 'init')).status?.phase === 'Running', 'Running');
      st = (await getPod(e, 'init')).status!;
      assert.equal(st.initContainerStatuses![1]!.state?.terminated?.reason, 'Completed');
    } finally {
      await teardown(e);
    }
  });

  it('restarts a container whose liveness probe fails, and follows readiness', async () => {
    let healthy = true;
    let ready = true;
    const e = await setup([pod('probed', {
      containers: [{
        name: 'app', image: 'app:1',
        livenessProbe: { exec: { command: ['live'] }, periodSeconds: 5, failureThreshold: 2 },
        readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 5, failureThreshold: 1 },
      }],
    })]);
    e.runtime.onExec((x) => (x.command[0] === 'live' ? (healthy ? 0 : 1) : x.command[0] === 'ready' ? (ready ? 0 : 1) : 127));
    try {
      await waitFor(() => appContainers(e).some((c) => c.state === 'running'), 'running');
      await step(e, 0);
      await waitFor(async () => (await getPod(e, 'probed')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'ready');
      ready = false;
      await step(e, 5_000);
      await waitFor(async () => (await getPod(e, 'probed')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False', 'not ready');
      assert.equal((await getPod(e, 'probed')).status!.containerStatuses![0]!.restartCount, 0, 'readiness never restarts');
      healthy = false;
      await step(e, 5_000);
      await step(e, 5_000);
      await waitFor(async () => (await getPod(e, 'probed')).status?.containerStatuses?.[0]?.restartCount === 1, 'liveness restart');
      const reasons = (await e.client.list<Event>(R.events, 'default')).items.map((ev) => `${ev.reason}: ${ev.message}`);
      assert.ok(reasons.includes('Killing: Container app failed liveness probe, will be restarted'), reasons.join('\n'));
      assert.ok(reasons.some((r) => r.startsWith('Unhealthy: Liveness probe failed')));
    } finally {
      await teardown(e);
    }
  });
});

describe('kubelet: host network', () => {
  it('runs a hostNetwork pod in the host namespace with the node IP as pod IP', async () => {
    const e = await setup([pod('hn', { hostNetwork: true })]);
    try {
      await waitFor(async () => (await getPod(e, 'hn')).status?.phase === 'Running', 'Running');
      const sb = e.runtime.allContainers().find((c) => fromDockerLabels(c.labels)?.role === 'sandbox')!;
      assert.equal(e.runtime.specOf(sb.id).network, 'host');
      assert.equal(e.runtime.specOf(sb.id).dnsSearch, undefined, 'dnsPolicy ClusterFirst falls back to Default on the host network');
      assert.equal((await getPod(e, 'hn')).status!.podIP, '10.0.0.1');
    } finally {
      await teardown(e);
    }
  });
});

describe('kubelet: sidecars, hooks, termination messages', () => {
  it('keeps a sidecar init container running beside the app, restarting it when it exits', async () => {
    const e = await setup([pod('side', { initContainers: [{ name: 'proxy', image: 'app:1', restartPolicy: 'Always' }] })]);
    try {
      await waitFor(async () => (await getPod(e, 'side')).status?.phase === 'Running', 'Running');
      assert.equal(appContainers(e, 'proxy').filter((c) => c.state === 'running').length, 1);
      assert.equal(appContainers(e).filter((c) => c.state === 'running').length, 1);
      const st = (await getPod(e, 'side')).status!;
      assert.ok(st.initContainerStatuses![0]!.state?.running, 'the sidecar keeps running');
      assert.equal(st.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
      e.runtime.exitContainer(appContainers(e, 'proxy').find((c) => c.state === 'running')!.id, 0);
      await step(e);
      await waitFor(async () => (await getPod(e, 'side')).status?.initContainerStatuses?.[0]?.restartCount === 1, 'sidecar restarted');
      const after = (await getPod(e, 'side')).status!;
      assert.equal(after.phase, 'Running');
      assert.equal(after.conditions!.find((c) => c.type === 'Initialized')!.status, 'True', 'a sidecar restart does not undo initialization');
      assert.equal(after.containerStatuses![0]!.restartCount, 0, 'the app container was not touched');
    } finally {
      await teardown(e);
    }
  });

  it('runs preStop before stopping, and reports the termination message file', async () => {
    const e = await setup([pod('hooks', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: 'app:1', lifecycle: { preStop: { exec: { command: ['drain'] } } } }],
    })]);
    const execs: string[] = [];
    e.runtime.onExec((x) => {
      execs.push(x.command.join(' '));
      return 0;
    });
    try {
      await waitFor(() => appContainers(e).some((c) => c.state === 'running'), 'running');
      const app = appContainers(e)[0]!;
      const tm = e.runtime.specOf(app.id).mounts!.find((m) => m.target === '/dev/termination-log')!;
      await writeFile(tm.source!, 'bye: config missing');
      e.runtime.exitContainer(app.id, 2);
      await step(e);
      await waitFor(async () => (await getPod(e, 'hooks')).status?.phase === 'Failed', 'Failed');
      const term = (await getPod(e, 'hooks')).status!.containerStatuses![0]!.state!.terminated!;
      assert.equal(term.message, 'bye: config missing');
      assert.equal(term.exitCode, 2);
      assert.equal(term.reason, 'Error');
    } finally {
      await teardown(e);
    }
    // preStop on deletion.
    const e2 = await setup([pod('hooks2', { containers: [{ name: 'app', image: 'app:1', lifecycle: { preStop: { exec: { command: ['drain'] } } } }] })]);
    const execs2: string[] = [];
    e2.runtime.onExec((x) => {
      execs2.push(x.command.join(' '));
      return 0;
    });
    try {
      await waitFor(() => appContainers(e2).some((c) => c.state === 'running'), 'running');
      const p = await getPod(e2, 'hooks2');
      await e2.client.update(R.pods, { ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30, finalizers: ['test/hold'] } });
      await waitFor(() => e2.runtime.allContainers().length === 0, 'removed');
      assert.deepEqual(execs2, ['drain']);
      const order = e2.runtime.calls.filter((c) => c.op === 'exec' || c.op === 'stopContainer').map((c) => c.op);
      assert.equal(order[0], 'exec', 'preStop runs before the stop');
      assert.deepEqual(execs, []);
    } finally {
      await teardown(e2);
    }
  });
});

describe('kubelet: images, deletion, adoption', () => {
  it('reports ErrImagePull then ImagePullBackOff', async () => {
    const e = await setup([pod('pull', { containers: [{ name: 'app', image: 'missing:2' }] })]);
    try {
      await waitFor(async () => (await getPod(e, 'pull')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull', 'ErrImagePull');
      // ErrImagePull turns into ImagePullBackOff at the next sync, as upstream.
      await step(e, 1_000);
      await waitFor(async () => (await getPod(e, 'pull')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 'ImagePullBackOff');
      e.runtime.setPullable('missing:2');
      await step(e, 10_000);
      await waitFor(async () => (await getPod(e, 'pull')).status?.phase === 'Running', 'pulled and running');
      const msgs = (await e.client.list<Event>(R.events, 'default')).items.map((ev) => `${ev.reason}: ${ev.message}`);
      for (const m of ['Pulling: Pulling image "missing:2"', 'Failed: Error: ErrImagePull', 'BackOff: Back-off pulling image "missing:2"']) assert.ok(msgs.includes(m), m);
      assert.ok(msgs.some((m) => m.startsWith('Pulled: Successfully pulled image "missing:2" in ')));
    } finally {
      await teardown(e);
    }
  });

  it('stops and removes a deleted pod, then releases it with grace 0', async () => {
    const e = await setup([pod('gone')]);
    try {
      await waitFor(() => appContainers(e).some((c) => c.state === 'running'), 'running');
      const p = await getPod(e, 'gone');
      await e.client.update(R.pods, { ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5, finalizers: ['test/hold'] } });
      await waitFor(() => e.runtime.allContainers().length === 0, 'containers removed');
      await waitFor(() => e.client.actions.some((a) => a.verb === 'delete' && a.name === 'gone'), 'delete call');
      assert.deepEqual(e.runtime.calls.filter((c) => c.op === 'stopContainer').map((c) => c.args[1]).sort(), [2, 5]);
    } finally {
      await teardown(e);
    }
  });

  it('adopts running containers after a restart: no restarts, no duplicates; removes orphans only', async () => {
    const e = await setup([pod('keep')]);
    try {
      await waitFor(async () => (await getPod(e, 'keep')).status?.phase === 'Running', 'Running');
      // An orphan of ours (pod gone while the engine was down) and a stranger's container.
      e.runtime.setImage('other:1');
      const orphan = await e.runtime.createContainer({ name: 'wh_kt_default_old_POD_0', image: 'other:1', labels: { cluster: CLUSTER, node: NODE, podUid: 'uid-old', role: 'sandbox', container: 'POD' } });
      await e.runtime.startContainer(orphan);
      const stranger = await e.runtime.createContainer({ name: 'someone-else', image: 'other:1', labels: { cluster: 'not-ours' } });
      await e.runtime.startContainer(stranger);
      await e.kubelet.stop();
      const before = e.runtime.allContainers().filter((c) => fromDockerLabels(c.labels)?.podUid === 'uid-keep').map((c) => c.id).sort();
      const creates = e.runtime.calls.filter((c) => c.op === 'createContainer').length;
      e.kubelet = startKubelet(e.client, e.runtime, { nodeName: NODE, clusterName: CLUSTER, networkName: NET, podsDir: e.dir, clock: e.clock, hostIP: '10.0.0.1' });
      await e.kubelet.synced;
      await e.kubelet.settled();
      const afterIds = e.runtime.allContainers().filter((c) => fromDockerLabels(c.labels)?.podUid === 'uid-keep').map((c) => c.id).sort();
      assert.deepEqual(afterIds, before);
      assert.equal(e.runtime.calls.filter((c) => c.op === 'createContainer').length, creates);
      const st = (await getPod(e, 'keep')).status!;
      assert.equal(st.containerStatuses![0]!.restartCount, 0);
      assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
      const ids = e.runtime.allContainers().map((c) => c.id);
      assert.ok(!ids.includes(orphan), 'orphan removed');
      assert.ok(ids.includes(stranger), 'stranger untouched');
    } finally {
      await teardown(e);
    }
  });
});

describe('kubelet: pure parts', () => {
  it('expands $(VAR) as upstream', () => {
    const env = new Map([['A', 'x'], ['B', 'y']]);
    assert.equal(expand('$(A)-$(B)-$(C)-$$(A)-$', (n) => env.get(n)), 'x-y-$(C)-$(A)-$');
    assert.deepEqual(containerCommand({ name: 'c', command: ['sh', '-c', 'echo $(A)'] }, env), { command: ['sh', '-c', 'echo x'], args: [] });
  });

  it('fails a missing configMap key with upstream wording, unless optional', async () => {
    const p = pod('p');
    const sources = { configMap: async () => ({ data: {} }), secret: async () => undefined };
    const c = { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] };
    await assert.rejects(resolveEnv(p, c, sources, { nodeAllocatable: { milliCpu: 1000, memory: 1 } }), (err: Error) => err instanceof ContainerConfigError && err.message === "couldn't find key k in ConfigMap default/cm");
    const opt = { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }] };
    assert.deepEqual(await resolveEnv(p, opt, sources, { nodeAllocatable: { milliCpu: 1000, memory: 1 } }), [['X', '']]);
  });

  it('counts probe thresholds on consecutive results', () => {
    const probe = { exec: { command: ['x'] }, failureThreshold: 3, successThreshold: 2 };
    let s = initialProbeState('readiness');
    assert.equal(s.result, false);
    s = observeProbe(s, { ok: true, message: '' }, probe);
    assert.equal(s.result, false);
    s = observeProbe(s, { ok: true, message: '' }, probe);
    assert.equal(s.result, true);
    s = observeProbe(s, { ok: false, message: '' }, probe);
    s = observeProbe(s, { ok: false, message: '' }, probe);
    assert.equal(s.result, true);
    s = observeProbe(s, { ok: false, message: '' }, probe);
    assert.equal(s.result, false);
    assert.equal(initialProbeState('liveness').result, true);
  });

  it('forgets backoff after 10 minutes', () => {
    const b = new Backoff();
    assert.equal(b.next('k', 0), 10_000);
    assert.equal(b.next('k', 1_000), 20_000);
    assert.equal(b.next('k', 2_000), 40_000);
    for (let i = 0; i < 10; i++) b.next('k', 3_000);
    assert.equal(b.delay('k', 3_000), 300_000);
    assert.equal(b.next('k', 3_000 + 600_001), 10_000);
  });

  it('finds registry credentials in imagePullSecrets', () => {
    const cfg = (auths: object) => ({ metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') } });
    const secret = cfg({ 'registry.example.com': { auth: Buffer.from('me:pw').toString('base64') }, 'https://index.docker.io/v1/': { username: 'hub', password: 'x' } });
    assert.deepEqual(authFor('registry.example.com/team/app:1', [secret]), { username: 'me', password: 'pw', serverAddress: 'registry.example.com' });
    assert.equal(authFor('busybox:1.36', [secret])?.username, 'hub');
    assert.equal(authFor('other.example.com/app:1', [secret]), undefined);
    assert.equal(pullPolicy({ name: 'c', image: 'app' }), 'Always');
    assert.equal(pullPolicy({ name: 'c', image: 'app:1' }), 'IfNotPresent');
  });

  it('classifies QoS', () => {
    const g = pod('g', { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] });
    assert.equal(qosClass(g), 'Guaranteed');
    assert.equal(qosClass(pod('b')), 'BestEffort');
  });

  it('refuses privileged pods unless the namespace opts in', () => {
    const p = pod('x', {
      hostNetwork: true,
      containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }],
      volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }, { name: 'ok', hostPath: { path: '/tmp/data' } }],
    });
    const v = checkPodSecurity(p, { metadata: { name: 'default' } });
    assert.deepEqual(v.map((x) => x.field), ['spec.hostNetwork', 'spec.containers[0].securityContext.privileged', 'spec.volumes[0].hostPath.path']);
    const ns: Namespace = { metadata: { name: 'default', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } };
    assert.deepEqual(checkPodSecurity(p, ns), []);
  });
});
