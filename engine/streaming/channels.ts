/**
 * Kubernetes' WebSocket channel protocols (apimachinery wsstream), as exec, attach and client-node's
 * port-forward use them. Every message carries one channel: binary protocols put the channel number in
 * byte 0; the base64 protocols send text whose first character is '0'+channel and the rest base64.
 * `v5.channel.k8s.io` adds a close signal: channel 255 with one byte naming the channel the peer will not
 * write again (stdin EOF). v4+ carry a JSON Status on the error channel; older ones carry plain text.
 *
 * Contract: decodeMessage never throws; malformed messages are reported as undefined and ignored.
 */
import { Writable, PassThrough } from 'node:stream';
import type { WebSocket, RawData } from 'ws';

export interface ChannelProtocol {
  name: string;
  /** 1 (channel.k8s.io) … 5 (v5.channel.k8s.io). */
  version: number;
  base64: boolean;
}

export const CLOSE_CHANNEL = 255;

const PROTOCOLS: Record<string, ChannelProtocol> = {
  'v5.channel.k8s.io': { name: 'v5.channel.k8s.io', version: 5, base64: false },
  'v4.channel.k8s.io': { name: 'v4.channel.k8s.io', version: 4, base64: false },
  'v4.base64.channel.k8s.io': { name: 'v4.base64.channel.k8s.io', version: 4, base64: true },
  'v3.channel.k8s.io': { name: 'v3.channel.k8s.io', version: 3, base64: false },
  'v2.channel.k8s.io': { name: 'v2.channel.k8s.io', version: 2, base64: false },
  'channel.k8s.io': { name: 'channel.k8s.io', version: 1, base64: false },
  'base64.channel.k8s.io': { name: 'base64.channel.k8s.io', version: 1, base64: true },
};

/** What exec and attach accept, in the server's order of preference. */
export const REMOTE_COMMAND_WS_PROTOCOLS = Object.keys(PROTOCOLS);
/** What the channel form of port-forward accepts (upstream: v4 binary and base64, and the legacy default). */
export const PORT_FORWARD_WS_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];

/** The client's offered subprotocols, in its order (from the Sec-WebSocket-Protocol header). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : header ?? '';
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Picks the first protocol the client offers that the server supports (wsstream's rule). No offer at all
 * means the legacy `channel.k8s.io`; offers with no match give undefined (the caller answers 400).
 */
export function negotiate(offered: string[], supported: string[]): string | '' | undefined {
  if (offered.length === 0) return '';
  return offered.find((p) => supported.includes(p));
}

export function protocolInfo(name: string): ChannelProtocol {
  return PROTOCOLS[name] ?? PROTOCOLS['channel.k8s.io']!;
}

export function encodeMessage(p: ChannelProtocol, channel: number, data: Buffer): Buffer | string {
  if (p.base64) return String.fromCharCode(48 + channel) + data.toString('base64');
  const b = Buffer.allocUnsafe(data.length + 1);
  b[0] = channel;
  data.copy(b, 1);
  return b;
}

export function decodeMessage(p: ChannelProtocol, msg: Buffer, isBinary: boolean): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  if (p.base64) {
    if (isBinary) return undefined;
    const text = msg.toString('latin1');
    const channel = text.charCodeAt(0) - 48;
    if (channel < 0 || channel > 9) return undefined;
    const body = text.slice(1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
    return { channel, data: Buffer.from(body, 'base64') };
  }
  return { channel: msg[0]!, data: msg.subarray(1) };
}

function toBuffer(d: RawData): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d);
}

/**
 * Channel multiplexing over one WebSocket: `reader(ch)` gives what the client writes on a channel,
 * `writer(ch)` a Writable that sends on it (its write callbacks follow the socket, so backpressure holds).
 */
export class ChannelMux {
  private readonly readers = new Map<number, PassThrough>();
  private readonly listeners = new Map<number, (data: Buffer) => void>();
  closed = false;

  constructor(readonly ws: WebSocket, readonly protocol: ChannelProtocol) {
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      const m = decodeMessage(protocol, toBuffer(raw), isBinary);
      if (!m) return;
      if (m.channel === CLOSE_CHANNEL && protocol.version >= 5) {
        const ch = m.data[0];
        if (ch !== undefined) this.readers.get(ch)?.end();
        return;
      }
      const l = this.listeners.get(m.channel);
      if (l) return l(m.data);
      const r = this.readers.get(m.channel);
      if (r && !r.writableEnded) r.write(m.data);
    });
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.onClose());
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.readers.values()) if (!r.writableEnded) r.end();
  }

  /** The bytes the client sends on `channel`, ending at the v5 close signal or when the socket closes. */
  reader(channel: number): PassThrough {
    let r = this.readers.get(channel);
    if (!r) {
      r = new PassThrough();
      this.readers.set(channel, r);
      if (this.closed) r.end();
    }
    return r;
  }

  /** Calls `fn` with each message on `channel` (resize events arrive one per message). */
  onMessage(channel: number, fn: (data: Buffer) => void): void {
    this.listeners.set(channel, fn);
  }

  send(channel: number, data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || this.ws.readyState !== this.ws.OPEN) return resolve();
      this.ws.send(encodeMessage(this.protocol, channel, data), () => resolve());
    });
  }

  writer(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        void this.send(channel, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)).then(() => cb());
      },
    });
  }

  /** A normal closure (1000) once everything queued is sent. */
  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    const t = setTimeout(() => this.ws.terminate(), 5000);
    t.unref();
    this.onClose();
  }
}
