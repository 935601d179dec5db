/** Pod actions: logs (follow, previous, container picker, all pods of a workload merged), exec terminal, port-forward. */
import * as vscode from 'vscode';
import { PassThrough, Writable } from 'node:stream';
import { createServer, type Server } from 'node:net';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { guarded, type Ctx } from '../ctx.ts';
import type { Connection } from '../kube/clusters.ts';
import type { ObjectRef } from '../model/objects.ts';
import { getObject, listObjects } from '../kube/api.ts';
import { pickObject, label } from './pick.ts';
import { podsOf, pickServingPod, type ForwardTarget } from '../model/podSelection.ts';

export function registerPods(ctx: Ctx): void {
  const cmd = (id: string, fn: (arg: unknown) => unknown): void => ctx.register(vscode.commands.registerCommand(id, guarded(ctx, fn)));
  const forwards = new Forwards();
  ctx.register(forwards);

  cmd('wheelhouse.logs', async (arg) => {
    const ref = await pickObject(ctx, arg, ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'], vscode.l10n.t('Logs of which pod or workload?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    const pods = ref.kind === 'Pod' ? [await getObject<Pod>(c, ref)] : await workloadPods(c, ref);
    if (pods.length === 0) throw new Error(vscode.l10n.t('{0} has no pods.', label(ref)));
    const containers = [...new Set(pods.flatMap((p) => (p.spec?.containers ?? []).map((x) => x.name)))];
    let container = containers[0];
    if (containers.length > 1) {
      const pick = await vscode.window.showQuickPick([vscode.l10n.t('All containers'), ...containers], { title: vscode.l10n.t('Which container?') });
      if (!pick) return;
      container = pick === vscode.l10n.t('All containers') ? '*' : pick;
    }
    const mode = await vscode.window.showQuickPick([
      { label: vscode.l10n.t('Follow'), follow: true, previous: false },
      { label: vscode.l10n.t('Current (no follow)'), follow: false, previous: false },
      { label: vscode.l10n.t('Previous container instance'), description: vscode.l10n.t('the logs of the last crashed or restarted container'), follow: false, previous: true },
    ], { title: vscode.l10n.t('Logs of {0}', label(ref)) });
    if (!mode) return;
    await streamLogs(ctx, c, ref, pods, container, mode.follow, mode.previous);
  });

  cmd('wheelhouse.exec', async (arg) => {
    const ref = await pickObject(ctx, arg, ['Pod'], vscode.l10n.t('Open a shell in which pod?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    const pod = await getObject<Pod>(c, ref);
    const names = (pod.spec?.containers ?? []).map((x) => x.name);
    const container = names.length > 1 ? await vscode.window.showQuickPick(names, { title: vscode.l10n.t('Which container?') }) : names[0];
    if (!container) return;
    const term = vscode.window.createTerminal({ name: `${ref.name}/${container}`, pty: new ExecPty(c, ref, container), iconPath: new vscode.ThemeIcon('terminal') } as vscode.ExtensionTerminalOptions);
    term.show();
  });

  cmd('wheelhouse.portForward', async (arg) => {
    const ref = await pickObject(ctx, arg, ['Pod', 'Service', 'Deployment', 'StatefulSet'], vscode.l10n.t('Forward a port of which pod, Service or workload?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    const ports = await candidatePorts(c, ref);
    const remote = await vscode.window.showInputBox({
      title: vscode.l10n.t('Port-forward {0}', label(ref)),
      prompt: vscode.l10n.t('Remote port (on the pod). Known ports: {0}', ports.join(', ') || '—'),
      value: String(ports[0] ?? ''),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : vscode.l10n.t('Enter a port between 1 and 65535.')),
    });
    if (!remote) return;
    const local = await vscode.window.showInputBox({
      title: vscode.l10n.t('Local port on 127.0.0.1'),
      value: remote,
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 0 && Number(v) < 65536 ? undefined : vscode.l10n.t('Enter a port between 0 and 65535 (0 = any free port).')),
    });
    if (local === undefined) return;
    const target: ForwardTarget = { ref, remotePort: Number(remote) };
    const f = await forwards.start(ctx, c, target, Number(local));
    const open = vscode.l10n.t('Open in Browser');
    void vscode.window.showInformationMessage(vscode.l10n.t('Forwarding 127.0.0.1:{0} → {1} port {2}', f.localPort, label(ref), remote), open).then((p) => {
      if (p === open) void vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${f.localPort}`));
    });
  });

  cmd('wheelhouse.listPortForwards', async () => {
    const items = forwards.list().map((f) => ({ label: `127.0.0.1:${f.localPort} → ${label(f.target.ref)}:${f.target.remotePort}`, description: vscode.l10n.t('{0} connections', f.connections), f }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No active port-forwards.'));
      return;
    }
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Active port-forwards (pick one to stop it)') });
    if (pick) forwards.stop(pick.f);
  });
}

async function workloadPods(c: Connection, ref: ObjectRef): Promise<Pod[]> {
  const owner = await getObject<{ metadata?: { uid?: string }; spec?: { selector?: { matchLabels?: Record<string, string> } } }>(c, ref);
  const pods = await listObjects<Pod>(c, 'v1', 'Pod', ref.namespace);
  const sets = ref.kind === 'Deployment' ? await listObjects<{ metadata?: { uid?: string; ownerReferences?: { uid: string }[] } }>(c, 'apps/v1', 'ReplicaSet', ref.namespace) : [];
  return podsOf(ref.kind, owner, pods, sets);
}

/** Streams logs into one output channel per target; several pods are merged with a `[pod/container]` prefix. */
async function streamLogs(ctx: Ctx, c: Connection, ref: ObjectRef, pods: Pod[], container: string, follow: boolean, previous: boolean): Promise<void> {
  const channel = vscode.window.createOutputChannel(`Logs: ${ref.name}${previous ? ' (previous)' : ''}`, 'log');
  channel.show(true);
  const { Log } = await import('../kube/streams.ts');
  const log = new Log(c.kc);
  const aborts: AbortController[] = [];
  const many = pods.length > 1 || container === '*';
  for (const pod of pods) {
    const names = container === '*' ? (pod.spec?.containers ?? []).map((x) => x.name) : [container];
    for (const name of names) {
      const prefix = many ? `[${pod.metadata?.name}/${name}] ` : '';
      let partial = '';
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          const text = partial + chunk.toString('utf8');
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) channel.appendLine(prefix + l);
          done();
        },
      });
      try {
        aborts.push(await log.log(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', name, sink, { follow, previous, tailLines: follow ? 500 : undefined, timestamps: false }));
      } catch (err) {
        channel.appendLine(`${prefix}${vscode.l10n.t('(no logs: {0})', (err as Error).message)}`);
      }
    }
  }
  // Closing the channel is not observable; stop streaming when the extension goes away.
  ctx.register({ dispose: () => { for (const a of aborts) a.abort(); channel.dispose(); } });
}

/** A terminal over the exec subresource (WebSocket): stdin from the terminal, stdout/stderr to it, TTY on. */
class ExecPty implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closed.event;
  private readonly stdin = new PassThrough();
  private socket: { close(): void } | undefined;

  constructor(private readonly c: Connection, private readonly ref: ObjectRef, private readonly container: string) {}

  open(): void {
    void this.start();
  }

  private async start(): Promise<void> {
    const { Exec } = await import('../kube/streams.ts');
    const out = new Writable({ write: (chunk: Buffer, _e, done) => { this.write.fire(chunk.toString('utf8')); done(); } });
    // Prefer bash, fall back to sh: distroless-ish images often have only sh.
    const shell = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];
    new Exec(this.c.kc).exec(this.ref.namespace, this.ref.name, this.container, shell, out, out, this.stdin, true, (status) => {
      const code = status.status === 'Success' ? 0 : 1;
      if (code) this.write.fire(`\r\n${status.message ?? 'exited'}\r\n`);
      this.closed.fire(code);
    }).then((ws) => { this.socket = ws; ws.on('close', () => this.closed.fire()); })
      .catch((err: Error) => { this.write.fire(`\r\n${vscode.l10n.t('exec failed: {0}', err.message)}\r\n`); this.closed.fire(1); });
  }

  handleInput(data: string): void {
    this.stdin.write(data);
  }

  close(): void {
    this.stdin.end();
    this.socket?.close();
  }
}

interface ActiveForward { target: ForwardTarget; localPort: number; server: Server; connections: number }

/**
 * Port-forwards: a local TCP server on 127.0.0.1; each connection opens a portforward stream to a pod chosen
 * at connect time, so a forward to a Service or workload follows its pods across restarts and rollouts
 * (and a forward to a pod that was replaced by its controller picks the pod's successor by owner).
 */
class Forwards implements vscode.Disposable {
  private readonly active: ActiveForward[] = [];

  list(): readonly ActiveForward[] { return this.active; }

  async start(ctx: Ctx, c: Connection, target: ForwardTarget, localPort: number): Promise<ActiveForward> {
    const { PortForward } = await import('../kube/streams.ts');
    const pf = new PortForward(c.kc);
    const entry: ActiveForward = { target, localPort, server: createServer(), connections: 0 };
    entry.server.on('connection', (socket) => {
      entry.connections++;
      void (async () => {
        try {
          const pod = await this.resolvePod(c, target);
          await pf.portForward(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', [target.remotePort], socket, null, socket);
        } catch (err) {
          ctx.log.warn(`port-forward ${label(target.ref)}: ${(err as Error).message}`);
          socket.destroy();
        }
      })();
    });
    await new Promise<void>((ok, fail) => { entry.server.once('error', fail); entry.server.listen(localPort, '127.0.0.1', () => ok()); });
    const addr = entry.server.address();
    entry.localPort = typeof addr === 'object' && addr ? addr.port : localPort;
    this.active.push(entry);
    return entry;
  }

  private async resolvePod(c: Connection, t: ForwardTarget): Promise<Pod> {
    const pods = await listObjects<Pod>(c, 'v1', 'Pod', t.ref.namespace);
    let selectorOwner: unknown;
    if (t.ref.kind === 'Service') selectorOwner = await getObject<Service>(c, t.ref);
    else if (t.ref.kind !== 'Pod') selectorOwner = await getObject(c, t.ref);
    const pod = pickServingPod(t.ref, pods, selectorOwner);
    if (!pod) throw new Error(`no running pod for ${label(t.ref)}`);
    return pod;
  }

  stop(f: ActiveForward): void {
    f.server.close();
    const i = this.active.indexOf(f);
    if (i >= 0) this.active.splice(i, 1);
  }

  dispose(): void {
    for (const f of [...this.active]) this.stop(f);
  }
}

async function candidatePorts(c: Connection, ref: ObjectRef): Promise<number[]> {
  const obj = await getObject<{ spec?: { ports?: { port: number; targetPort?: number | string }[]; containers?: { ports?: { containerPort: number }[] }[]; template?: { spec?: { containers?: { ports?: { containerPort: number }[] }[] } } } }>(c, ref);
  if (ref.kind === 'Service') return (obj.spec?.ports ?? []).map((p) => (typeof p.targetPort === 'number' ? p.targetPort : p.port));
  const containers = obj.spec?.containers ?? obj.spec?.template?.spec?.containers ?? [];
  return containers.flatMap((x) => (x.ports ?? []).map((p) => p.containerPort));
}
