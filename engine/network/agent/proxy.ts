/**
 * The data path of one Service (our kube-proxy), run by the agent in a container whose address is the
 * ClusterIP. It listens on each Service port and forwards to the Service's ready endpoints:
 * - TCP: round robin per connection; a backend that refuses is skipped and the next one tried, so a pod
 *   that just died costs a retry, not a failed request;
 * - UDP: a session per client address, kept while traffic flows (idle timeout), re-balanced after it;
 * - sessionAffinity ClientIP: the same client goes to the same backend until timeoutSeconds of silence.
 * `update()` swaps the configuration in place: new connections see the new endpoints at once, listeners
 * are opened/closed as ports are added/removed, established connections carry on (as with conntrack).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Backend {
  ip: string;
  port: number;
  /** The node the endpoint runs on (for internalTrafficPolicy: Local). */
  node?: string;
}

export interface ListenerConfig {
  protocol: 'TCP' | 'UDP';
  port: number;
  backends: Backend[];
}

export interface ProxyConfig {
  listeners: ListenerConfig[];
  sessionAffinity?: { clientIP: boolean; timeoutSeconds: number };
  /**
   * internalTrafficPolicy: Local — a client that is a pod (its IP is in `clientNodes`) only reaches endpoints
   * on its own node, and none when its node has none (as upstream). Other clients (NodePort and
   * LoadBalancer traffic from the host) reach every endpoint.
   */
  localClients?: { clientNodes: Record<string, string> };
}

export interface ProxyOptions {
  host: string;
  connectTimeoutMs?: number;
  udpIdleMs?: number;
  log?: (line: string) => void;
}

/** Chooses backends: round robin, or sticky per client IP. Exposed for unit tests. */
export class Balancer {
  private next = 0;
  private readonly sticky = new Map<string, { backend: Backend; seen: number }>();

  constructor(
    public backends: Backend[],
    public affinity?: { clientIP: boolean; timeoutSeconds: number },
    private readonly now: () => number = Date.now,
    public local?: { clientNodes: Record<string, string> },
  ) {}

  /** The backends this client may reach (all, unless internalTrafficPolicy Local narrows them). */
  private eligible(clientIp: string): Backend[] {
    const node = this.local?.clientNodes[clientIp.replace(/^::ffff:/, '')];
    return node === undefined ? this.backends : this.backends.filter((b) => b.node === node);
  }

  /** Backends in the order to try for this client; empty when there is none. */
  order(clientIp: string): Backend[] {
    const backends = this.eligible(clientIp);
    const n = backends.length;
    if (n === 0) return [];
    const same = (a: Backend, b: Backend) => a.ip === b.ip && a.port === b.port;
    if (this.affinity?.clientIP) {
      const s = this.sticky.get(clientIp);
      const alive = s && this.now() - s.seen < this.affinity.timeoutSeconds * 1000 && backends.some((b) => same(b, s.backend));
      if (alive) {
        s.seen = this.now();
        return [s.backend, ...backends.filter((b) => !same(b, s.backend))];
      }
    }
    const start = this.next++ % n;
    const ordered = [...backends.slice(start), ...backends.slice(0, start)];
    if (this.affinity?.clientIP) this.sticky.set(clientIp, { backend: ordered[0]!, seen: this.now() });
    return ordered;
  }

  /** Records which backend a sticky client ended up on (after a failover). */
  settle(clientIp: string, backend: Backend): void {
    if (this.affinity?.clientIP) this.sticky.set(clientIp, { backend, seen: this.now() });
  }
}

interface TcpListener {
  kind: 'TCP';
  server: Server;
  balancer: Balancer;
  sockets: Set<Socket>;
}
interface UdpListener {
  kind: 'UDP';
  socket: UdpSocket;
  balancer: Balancer;
  sessions: Map<string, { upstream: UdpSocket; timer: NodeJS.Timeout }>;
}
type Listener = TcpListener | UdpListener;

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();
  private affinity?: ProxyConfig['sessionAffinity'];

  constructor(private readonly opts: ProxyOptions) {}

  /** Applies a configuration; resolves when every listener is open. Throws if a port cannot be bound. */
  async update(cfg: ProxyConfig): Promise<void> {
    this.affinity = cfg.sessionAffinity;
    const wanted = new Map(cfg.listeners.map((l) => [`${l.protocol}/${l.port}`, l]));
    for (const [key, l] of this.listeners) {
      if (!wanted.has(key)) {
        this.listeners.delete(key);
        await this.closeListener(l);
      }
    }
    for (const [key, l] of wanted) {
      const existing = this.listeners.get(key);
      if (existing) {
        existing.balancer.backends = l.backends;
        existing.balancer.affinity = this.affinity;
        existing.balancer.local = cfg.localClients;
        continue;
      }
      const balancer = new Balancer(l.backends, this.affinity, Date.now, cfg.localClients);
      this.listeners.set(key, l.protocol === 'TCP' ? await this.openTcp(l.port, balancer) : await this.openUdp(l.port, balancer));
    }
  }

  private openTcp(port: number, balancer: Balancer): Promise<TcpListener> {
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      this.connectTo(client, balancer.order(client.remoteAddress ?? ''), balancer, sockets);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => resolve({ kind: 'TCP', server, balancer, sockets }));
    });
  }

  private connectTo(client: Socket, candidates: Backend[], balancer: Balancer, sockets: Set<Socket>): void {
    const [backend, ...rest] = candidates;
    if (!backend) {
      // No ready endpoint: refuse the way kube-proxy's REJECT rule does.
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: backend.ip, port: backend.port, allowHalfOpen: true });
    sockets.add(upstream);
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.opts.connectTimeoutMs ?? 3000);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      balancer.settle(client.remoteAddress ?? '', backend);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      clearTimeout(timer);
      if (!connected && !client.destroyed) {
        upstream.destroy();
        this.connectTo(client, rest, balancer, sockets);
      } else client.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (connected && !client.destroyed) client.end();
    });
    client.on('close', () => upstream.destroy());
  }

  private openUdp(port: number, balancer: Balancer): Promise<UdpListener> {
    const socket = createSocket('udp4');
    const sessions: UdpListener['sessions'] = new Map();
    const idle = this.opts.udpIdleMs ?? 30_000;
    socket.on('message', (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      let s = sessions.get(key);
      if (!s) {
        const backend = balancer.order(rinfo.address)[0];
        if (!backend) return; // no ready endpoint: drop, as upstream does for UDP
        const upstream = createSocket('udp4');
        upstream.on('message', (reply) => {
          socket.send(reply, rinfo.port, rinfo.address);
          const cur = sessions.get(key);
          if (cur) cur.timer.refresh();
        });
        upstream.on('error', () => {
          const cur = sessions.get(key);
          if (cur) {
            clearTimeout(cur.timer);
            sessions.delete(key);
          }
          upstream.close();
        });
        upstream.connect(backend.port, backend.ip);
        const timer = setTimeout(() => {
          sessions.delete(key);
          upstream.close();
        }, idle);
        s = { upstream, timer };
        sessions.set(key, s);
        const send = () => s!.upstream.send(msg);
        upstream.once('connect', send);
        return;
      }
      s.timer.refresh();
      try {
        s.upstream.send(msg);
      } catch {
        // the session's socket is not connected yet or already closed; the client will retry
      }
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.opts.host, () => resolve({ kind: 'UDP', socket, balancer, sessions }));
    });
  }

  private async closeListener(l: Listener): Promise<void> {
    if (l.kind === 'TCP') {
      for (const s of l.sockets) s.destroy();
      await new Promise<void>((r) => l.server.close(() => r()));
    } else {
      for (const s of l.sessions.values()) {
        clearTimeout(s.timer);
        s.upstream.close();
      }
      await new Promise<void>((r) => l.socket.close(() => r()));
    }
  }

  ports(): string[] {
    return [...this.listeners.keys()];
  }

  async close(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => this.closeListener(l)));
  }
}

/** Checks a proxy configuration received from the engine; throws with the first problem. */
export function parseProxyConfig(json: unknown): ProxyConfig {
  const o = json as Partial<ProxyConfig> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.listeners)) throw new Error('proxy config: "listeners" must be a list');
  const listeners = o.listeners.map((l, i) => {
    if (!l || (l.protocol !== 'TCP' && l.protocol !== 'UDP')) throw new Error(`proxy config: listeners[${i}].protocol must be TCP or UDP`);
    if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535) throw new Error(`proxy config: listeners[${i}].port must be 1-65535`);
    if (!Array.isArray(l.backends)) throw new Error(`proxy config: listeners[${i}].backends must be a list`);
    for (const b of l.backends) {
      if (!b || typeof b.ip !== 'string' || !Number.isInteger(b.port)) throw new Error(`proxy config: listeners[${i}] has a bad backend`);
    }
    return { protocol: l.protocol, port: l.port, backends: l.backends.map((b) => ({ ip: b.ip, port: b.port, ...(typeof b.node === 'string' ? { node: b.node } : {}) })) };
  });
  const a = o.sessionAffinity;
  const local = o.localClients;
  if (local !== undefined && (!local || typeof local.clientNodes !== 'object' || local.clientNodes === null)) throw new Error('proxy config: localClients.clientNodes must be a map');
  return {
    listeners,
    ...(a && a.clientIP ? { sessionAffinity: { clientIP: true, timeoutSeconds: a.timeoutSeconds || 10800 } } : {}),
    ...(local ? { localClients: { clientNodes: { ...local.clientNodes } } } : {}),
  };
}
