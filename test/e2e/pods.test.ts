/**
 * Pods on real Docker through the whole data plane: the API (in-process engine over HTTPS), the scheduler,
 * virtual nodes and their kubelets, with the offline test images (busybox is also the sandbox image).
 * Everything created carries the test cluster's label and is removed in `after`, even on failure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type { ConfigMap, Event, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { ApiClient } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import type { Engine } from '../../engine/engine.ts';
import { podExec, podLogs } from '../../engine/kubelet/streams.ts';
import type { Nodes } from '../../engine/nodes/nodes.ts';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { fromDockerLabels, labelFilter } from '../../engine/runtime/labels.ts';
import { removeCluster, startDataPlaneEngine } from '../../bench/pods/engine.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages, type TestImages } from '../support/images.ts';
import { waitFor as waitUntil } from '../support/wait.ts';

const run = promisify(execFile);

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => waitUntil(what, fn, timeoutMs, 200);

describe('pods on Docker', { skip: await dockerSkip() }, () => {
  const cluster = uniqueName('pods');
  let images: TestImages;
  let rt: DockerRuntime;
  let dataDir: string;
  let engine: Engine;
  let nodes: Nodes;
  let client: ApiClient;

  before(async () => {
    images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-pods-e2e-'));
    ({ engine, nodes } = await startDataPlaneEngine({
      dataDir, clusterName: cluster, sandboxImage: images.busybox, store: 'memory',
      nodes: [{ name: 'small-1', cpu: '1', memory: '256Mi' }, { name: 'big', cpu: '2', memory: '1Gi' }, { name: 'small-2', cpu: '1', memory: '256Mi', taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] }],
    }));
    client = engine.client;
  });

  after(async () => {
    await engine?.stop();
    if (rt) await removeCluster(rt, cluster);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const getPod = (name: string) => client.get<Pod>(R.pods, name, 'default');
  const running = (name: string) => waitFor(`${name} Running`, async () => {
    const p = await getPod(name);
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.state?.running) ? p : undefined;
  });
  const exec = async (pod: Pod, command: string[]): Promise<{ code: number; out: string }> => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const s = await podExec(nodes.streams, pod, undefined, command, { stdout: out, stderr: out }, false);
    return { code: await s.exitCode, out: text };
  };

  it('runs a pod with env, a configMap volume, an emptyDir, DNS settings and logs', async () => {
    const cm: ConfigMap = { metadata: { name: 'settings', namespace: 'default' }, data: { color: 'blue', 'app.conf': 'mode=fast\n' } };
    await client.create(R.configmaps, cm);
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        containers: [{
          name: 'app', image: images.busybox,
          command: ['sh', '-c', 'echo "hello $(POD_NAME) $COLOR"; echo shared > /data/x; exec sleep 3600'],
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } }],
          volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'data', mountPath: '/data' }],
          resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { memory: '64Mi' } },
        }],
        volumes: [{ name: 'conf', configMap: { name: 'settings' } }, { name: 'data', emptyDir: {} }],
      },
    });
    const p = await running('web');
    assert.ok(p.spec?.nodeName, 'scheduled');
    assert.match(p.status!.podIP!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(p.status!.qosClass, 'Burstable');
    assert.equal((await exec(p, ['cat', '/etc/app/app.conf'])).out, 'mode=fast\n');
    assert.equal((await exec(p, ['cat', '/data/x'])).out, 'shared\n');
    const resolv = (await exec(p, ['cat', '/etc/resolv.conf'])).out;
    assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    assert.equal((await exec(p, ['sh', '-c', 'exit 7'])).code, 7);
    const logs = await waitFor('logs', async () => {
      let text = '';
      const h = await podLogs(nodes.streams, p, 'app', {}, (d) => (text += d.toString()));
      await h.done;
      return text.includes('hello') ? text : undefined;
    });
    assert.equal(logs, 'hello web blue\n');
    // The memory limit reached Docker.
    const app = (await rt.listContainers(labelFilter({ cluster, podName: 'web', container: 'app' })))[0]!;
    assert.equal(app.state, 'running');
  });

  it('restarts a container whose httpGet liveness probe fails (probe runs through the sandbox, no curl needed)', async () => {
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'live', namespace: 'default' },
      spec: {
        containers: [{
          name: 'app', image: images.busybox,
          command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www'],
          ports: [{ name: 'http', containerPort: 8080 }],
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 2 },
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }],
        terminationGracePeriodSeconds: 1,
      },
    });
    let p = await running('live');
    await waitFor('ready', async () => (await getPod('live')).status?.containerStatuses?.[0]?.ready === true);
    assert.equal((await getPod('live')).status!.containerStatuses![0]!.restartCount, 0);
    await exec(p, ['rm', '/www/healthz']);
    p = await waitFor('liveness restart', async () => {
      const x = await getPod('live');
      return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? x : undefined;
    });
    const events = (await client.list<Event>(R.events, 'default')).items.filter((e) => e.involvedObject.name === 'live').map((e) => `${e.reason}: ${e.message}`);
    assert.ok(events.includes('Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 404'), events.join('\n'));
    assert.ok(events.includes('Killing: Container app failed liveness probe, will be restarted'), events.join('\n'));
  });

  it('shows a readiness flip in kubectl get pods', async () => {
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'ready', namespace: 'default' },
      spec: {
        containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'], readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }],
        terminationGracePeriodSeconds: 1,
      },
    });
    const p = await running('ready');
    const kubectl = async (): Promise<string> => (await run('kubectl', ['--kubeconfig', engine.kubeconfigPath, 'get', 'pod', 'ready', '--no-headers'])).stdout;
    assert.match(await kubectl(), /^ready\s+0\/1\s+Running\s+0/);
    await exec(p, ['touch', '/tmp/ready']);
    await waitFor('1/1', async () => /^ready\s+1\/1\s+Running/.test(await kubectl()));
    await exec(p, ['rm', '/tmp/ready']);
    await waitFor('0/1 again', async () => /^ready\s+0\/1\s+Running/.test(await kubectl()));
  });

  it('answers a gRPC readiness probe over HTTP/2 through the sandbox', async () => {
    // A grpc.health.v1 server in plain node http2: SERVING for every request.
    const server = `const h=require('http2').createServer();h.on('stream',(s)=>{s.on('data',()=>{});s.on('end',()=>{s.respond({':status':200,'content-type':'application/grpc'},{waitForTrailers:true});s.on('wantTrailers',()=>s.sendTrailers({'grpc-status':'0'}));s.end(Buffer.from([0,0,0,0,2,8,1]));});});h.listen(9090);`;
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'grpc', namespace: 'default' },
      spec: {
        containers: [{ name: 'app', image: images.node, args: ['-e', server], readinessProbe: { grpc: { port: 9090 }, periodSeconds: 1 } }],
        terminationGracePeriodSeconds: 1,
      },
    });
    await running('grpc');
    await waitFor('grpc ready', async () => (await getPod('grpc')).status?.containerStatuses?.[0]?.ready === true);
    await client.delete(R.pods, 'grpc', 'default', { gracePeriodSeconds: 0 });
  });

  it('reports ErrImagePull / ImagePullBackOff for an image that cannot be pulled', async () => {
    // A registry on a closed loopback port: the pull fails at once and nothing leaves the machine.
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nopull', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: '127.0.0.1:1/nothing:1' }], terminationGracePeriodSeconds: 0 },
    });
    const reason = await waitFor('pull failure', async () => {
      const r = (await getPod('nopull')).status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return r === 'ErrImagePull' || r === 'ImagePullBackOff' ? r : undefined;
    });
    assert.ok(reason);
    const events = (await client.list<Event>(R.events, 'default')).items.filter((e) => e.involvedObject.name === 'nopull').map((e) => e.reason);
    assert.ok(events.includes('Pulling') && events.includes('Failed'), events.join(','));
    await client.delete(R.pods, 'nopull', 'default', { gracePeriodSeconds: 0 });
  });

  it('keeps data in a PersistentVolumeClaim (default StorageClass → Docker volume) across pods', async () => {
    await client.create<PersistentVolumeClaim>(R.persistentvolumeclaims, {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'store', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
    });
    const mk = (name: string, cmd: string): Pod => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: {
        restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
        containers: [{ name: 'app', image: images.busybox, command: ['sh', '-c', cmd], volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'store' } }],
      },
    });
    await client.create(R.pods, mk('writer', 'echo kept > /data/file'));
    await waitFor('writer Succeeded', async () => (await getPod('writer')).status?.phase === 'Succeeded');
    await client.create(R.pods, mk('reader', 'cat /data/file'));
    const p = await waitFor('reader Succeeded', async () => {
      const x = await getPod('reader');
      return x.status?.phase === 'Succeeded' ? x : undefined;
    });
    let text = '';
    const h = await podLogs(nodes.streams, p, 'app', {}, (d) => (text += d.toString()));
    await h.done;
    assert.equal(text, 'kept\n');
    const pvc = await client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'store', 'default');
    assert.equal(pvc.status?.phase, 'Bound');
    assert.equal(pvc.spec?.storageClassName, 'standard');
    for (const n of ['writer', 'reader']) await client.delete(R.pods, n, 'default', { gracePeriodSeconds: 0 });
  });

  it('bin-packs by requests and explains a pod that fits nowhere', async () => {
    const mk = (name: string, memory: string, tolerate = false): Pod => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'], resources: { requests: { memory } } }],
        terminationGracePeriodSeconds: 1,
        ...(tolerate ? { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }] } : {}),
      },
    });
    await client.create(R.pods, mk('fits-big-only', '600Mi'));
    const p = await running('fits-big-only');
    assert.equal(p.spec!.nodeName, 'big');
    await client.create(R.pods, mk('too-big', '4Gi'));
    const msg = await waitFor('FailedScheduling', async () => (await client.list<Event>(R.events, 'default')).items.find((e) => e.involvedObject.name === 'too-big' && e.reason === 'FailedScheduling')?.message);
    assert.equal(msg, '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
    const pending = await getPod('too-big');
    assert.equal(pending.status?.phase ?? 'Pending', 'Pending');
    assert.equal(pending.status?.conditions?.find((c) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
    await client.delete(R.pods, 'too-big', 'default', { gracePeriodSeconds: 0 });
  });

  it('recreates a container removed with docker rm -f, restartCount + 1', async () => {
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1 },
    });
    await running('victim');
    const before = (await rt.listContainers(labelFilter({ cluster, podName: 'victim', container: 'app' })))[0]!;
    await run('docker', ['rm', '-f', before.id]);
    const p = await waitFor('recreated', async () => {
      const x = await getPod('victim');
      const cs = x.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state?.running ? x : undefined;
    });
    assert.notEqual(p.status!.containerStatuses![0]!.containerID, `docker://${before.id}`);
    const apps = (await rt.listContainers(labelFilter({ cluster, podName: 'victim', container: 'app' }), { all: true }));
    assert.equal(apps.length, 1);
    assert.equal(fromDockerLabels(apps[0]!.labels)?.attempt, 1);
  });

  it('deletes a pod gracefully: containers gone, object gone', async () => {
    await client.delete(R.pods, 'victim', 'default');
    await waitFor('pod object gone', async () => !(await client.list<Pod>(R.pods, 'default')).items.some((x) => x.metadata?.name === 'victim'));
    const left = await rt.listContainers(labelFilter({ cluster, podName: 'victim' }), { all: true });
    assert.equal(left.length, 0);
  });

  it('stops a node (its containers are killed) and starts it again (its pods run again)', async () => {
    await client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-small', namespace: 'default' },
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'small-1' }, containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1 },
    });
    await running('on-small');
    await nodes.stopNode('small-1');
    const ours = () => rt.listContainers(labelFilter({ cluster, podName: 'on-small' }), { all: true });
    assert.ok((await ours()).every((c) => c.state !== 'running'), 'every container of the stopped node is down');
    await nodes.startNode('small-1');
    const p = await waitFor('running again', async () => {
      const x = await getPod('on-small');
      const cs = x.status?.containerStatuses?.[0];
      return cs?.state?.running && cs.restartCount === 1 ? x : undefined;
    });
    assert.equal(p.status!.phase, 'Running');
    assert.equal((await ours()).filter((c) => c.state === 'running').length, 2);
  });
});
