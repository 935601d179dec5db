/**
 * The cluster DNS server (our CoreDNS), run by the agent inside a container on the cluster network.
 * Pods are created with `--dns <this container's IP>`: Docker's embedded DNS in each pod answers names
 * it knows (Service aliases) and forwards the rest here. Cluster-domain names are answered from the
 * records the engine pushes; everything else is relayed to the upstream resolver (the container's own
 * Docker DNS), so external names keep working. UDP and TCP, as resolvers retry over TCP on truncation.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { DnsFormatError, RCODE, TYPE, decodeQuery, decodeResponse, encodeQuery, encodeResponse, type Query } from './dns-message.ts';
import { answer, emptyRecords, type DnsRecords } from './dns-records.ts';

export interface DnsServerOptions {
  host: string;
  port: number;
  /** Upstream resolver for names outside the cluster domain (ip or ip:port). */
  upstream?: string;
  upstreamTimeoutMs?: number;
}

export class DnsServer {
  private records: DnsRecords = emptyRecords();
  private udp?: Socket;
  private tcp?: Server;
  private readonly tcpClients = new Set<TcpSocket>();

  constructor(private readonly opts: DnsServerOptions) {}

  update(records: DnsRecords): void {
    this.records = records;
  }

  async start(): Promise<{ port: number }> {
    const udp = createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, 512).then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address));
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.port, this.opts.host, () => resolve());
    });
    const port = udp.address().port;
    this.tcp = createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once('error', reject);
      this.tcp!.listen(port, this.opts.host, () => resolve());
    });
    return { port };
  }

  private serveTcp(sock: TcpSocket): void {
    this.tcpClients.add(sock);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('close', () => this.tcpClients.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 70_000) return sock.destroy();
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.handle(msg, 65_535).then((reply) => {
          if (!reply || sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([head, reply]));
        });
      }
    });
  }

  /** Answers one message; undefined means drop it (not even a header to answer). */
  async handle(msg: Buffer, maxSize: number): Promise<Buffer | undefined> {
    let query: Query;
    try {
      query = decodeQuery(msg);
    } catch (err) {
      if (!(err instanceof DnsFormatError) || msg.length < 12) return undefined;
      const header = Buffer.from(msg.subarray(0, 12));
      header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
      header.fill(0, 4);
      return header;
    }
    const a = answer(query.question, this.records);
    if (a.kind === 'local') return encodeResponse(msg, query, a.rcode, a.answers, a.authority, maxSize);
    if (a.kind === 'forward') {
      const reply = await this.forward(msg);
      return reply ?? encodeResponse(msg, query, RCODE.SERVFAIL, []);
    }
    // CNAME to an external name: resolve the target upstream and append its records.
    const type = query.question.type === TYPE.AAAA ? TYPE.AAAA : TYPE.A;
    const upstream = await this.forward(encodeQuery(query.id, a.target, type));
    const extra = upstream ? decodeResponse(upstream).answers : [];
    return encodeResponse(msg, query, RCODE.NOERROR, [...a.answers, ...extra], [], maxSize);
  }

  private forward(msg: Buffer): Promise<Buffer | undefined> {
    const up = this.opts.upstream;
    if (!up) return Promise.resolve(undefined);
    const [host, portText] = up.includes(':') ? up.split(':') : [up, '53'];
    return new Promise((resolve) => {
      const sock = createSocket('udp4');
      const done = (reply?: Buffer) => {
        clearTimeout(timer);
        sock.close();
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), this.opts.upstreamTimeoutMs ?? 2000);
      sock.on('message', (reply: Buffer, _r: RemoteInfo) => {
        if (reply.length >= 2 && reply.readUInt16BE(0) === msg.readUInt16BE(0)) done(reply);
      });
      sock.on('error', () => done(undefined));
      sock.send(msg, Number(portText), host);
    });
  }

  async close(): Promise<void> {
    for (const s of this.tcpClients) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }
}
