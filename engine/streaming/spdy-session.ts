/**
 * The server side of a SPDY/3.1 session over any byte Duplex (a TLS socket after `101 Switching Protocols`,
 * or a WebSocket carrying SPDY for kubectl ≥ 1.31 port-forward). The client opens streams; each becomes a
 * `SpdyStream` (a Duplex) handed to `onStream` with its headers, and is SYN_REPLY'd at once, as Kubernetes'
 * spdystream-based servers do (client-go waits for that reply before using a stream).
 *
 * Header blocks: one zlib stream per direction for the session's whole life, primed with the SPDY
 * dictionary and Z_SYNC_FLUSHed per block. Flow control: received DATA is acknowledged with WINDOW_UPDATE
 * as the consumer reads it (a slow consumer stops the peer); our own sending honours the peer's per-stream
 * window as soon as the peer shows it does flow control (its first WINDOW_UPDATE or an INITIAL_WINDOW_SIZE
 * setting) — Go's spdystream never sends either, and waiting for it would stall every stream at 64 KiB.
 *
 * Contract: hostile bytes end the session (GOAWAY PROTOCOL_ERROR, transport destroyed) — never an
 * exception out of this module.
 */
import { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.ts';
import {
  decodeHeaderBlock, encodeData, encodeGoaway, encodeHeaderBlock, encodePing, encodeRstStream, encodeSynReply,
  encodeWindowUpdate, FLAG_FIN, FrameParser, RstStatus, SETTINGS_INITIAL_WINDOW_SIZE, SpdyProtocolError, type Frame,
} from './spdy-frames.ts';

const DEFAULT_WINDOW = 64 * 1024;
const MAX_DATA_FRAME = 32 * 1024;
const MAX_HEADER_BYTES = 256 * 1024;
/** Received frames are at most this big: kubectl writes 32 KiB at a time. */
const MAX_FRAME = 1024 * 1024;
const MAX_STREAMS = 1000;

/** One zlib direction; blocks are processed one at a time, in order. */
class HeaderZlib {
  private chunks: Buffer[] = [];
  private size = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private failed?: Error;

  constructor(private readonly z: zlib.Deflate | zlib.Inflate, limit: number) {
    z.on('data', (c: Buffer) => {
      this.size += c.length;
      if (this.size > limit) {
        this.failed = new SpdyProtocolError(`header block inflates beyond ${limit} bytes`);
        z.destroy();
        return;
      }
      this.chunks.push(c);
    });
    z.on('error', (e: Error) => (this.failed ??= new SpdyProtocolError(`header block: ${e.message}`)));
  }

  process(block: Buffer): Promise<Buffer> {
    const run = (): Promise<Buffer> => new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.chunks = [];
      this.size = 0;
      const onErr = (): void => reject(this.failed ?? new SpdyProtocolError('header block is corrupt'));
      this.z.once('error', onErr);
      this.z.once('close', onErr);
      this.z.write(block);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        // 'data' for the flushed output may still be on its way in this tick.
        setImmediate(() => {
          this.z.off('error', onErr);
          this.z.off('close', onErr);
          if (this.failed) reject(this.failed);
          else resolve(Buffer.concat(this.chunks));
        });
      });
    });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.z.destroy();
  }
}

export class HeaderCompressor {
  private readonly z = new HeaderZlib(zlib.createDeflate({ dictionary: SPDY_DICTIONARY }), Infinity);
  compress(headers: Record<string, string>): Promise<Buffer> {
    return this.z.process(encodeHeaderBlock(headers));
  }
  close(): void {
    this.z.close();
  }
}

export class HeaderDecompressor {
  private readonly z = new HeaderZlib(zlib.createInflate({ dictionary: SPDY_DICTIONARY }), MAX_HEADER_BYTES);
  async decompress(block: Buffer): Promise<Record<string, string>> {
    // An empty block is legal (no headers) and must not touch the zlib stream.
    if (block.length === 0) return {};
    return decodeHeaderBlock(await this.z.process(block));
  }
  close(): void {
    this.z.close();
  }
}

/** A client-opened stream. Writable side → DATA frames; readable side ← the client's DATA frames. */
export class SpdyStream extends Duplex {
  /** Bytes we may still send before the peer's next WINDOW_UPDATE (when it does flow control). */
  sendWindow: number;
  /** Received bytes not yet acknowledged with a WINDOW_UPDATE. */
  private unacked = 0;
  private windowWaiters: (() => void)[] = [];
  remoteEnded = false;
  localEnded = false;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: Record<string, string>, initialWindow: number) {
    super({ allowHalfOpen: true });
    this.sendWindow = initialWindow;
  }

  /** Called by the session with the client's DATA. */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) {
      this.unacked += data.length;
      if (this.push(data)) this.ack();
    }
    if (fin) {
      this.remoteEnded = true;
      this.push(null);
    }
  }

  private ack(): void {
    if (this.unacked > 0 && !this.remoteEnded && !this.destroyed) {
      this.session.sendFrame(encodeWindowUpdate(this.id, this.unacked));
      this.unacked = 0;
    }
  }

  override _read(): void {
    this.ack();
  }

  windowUpdated(delta: number): void {
    this.sendWindow += delta;
    const w = this.windowWaiters;
    this.windowWaiters = [];
    for (const f of w) f();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void this.writeChunk(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)).then(() => cb(), (e: Error) => cb(e));
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      if (this.destroyed || this.session.closed) throw new Error('stream is closed');
      let room = Math.min(MAX_DATA_FRAME, chunk.length - off);
      if (this.session.peerFlowControl) {
        if (this.sendWindow <= 0) {
          await new Promise<void>((r) => this.windowWaiters.push(r));
          continue;
        }
        room = Math.min(room, this.sendWindow);
      }
      this.sendWindow -= room;
      await this.session.sendData(this.id, chunk.subarray(off, off + room), false);
      off += room;
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.localEnded = true;
    if (this.session.closed) return cb();
    void this.session.sendData(this.id, Buffer.alloc(0), true).then(() => {
      this.session.maybeForget(this);
      cb();
    }, (e: Error) => cb(e));
  }

  /** Resets the stream (RST_STREAM CANCEL) instead of ending it cleanly. */
  reset(status: number = RstStatus.CANCEL): void {
    if (!this.session.closed) this.session.sendFrame(encodeRstStream(this.id, status));
    this.session.forget(this.id);
    this.destroy();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const w = this.windowWaiters;
    this.windowWaiters = [];
    for (const f of w) f();
    this.session.forget(this.id);
    cb(err);
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
}

/** Server side of one SPDY/3.1 connection. Emits 'stream' for each client stream and 'close' once. */
export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly parser = new FrameParser(MAX_FRAME);
  private readonly inflater = new HeaderDecompressor();
  private readonly deflater = new HeaderCompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private initialWindow = DEFAULT_WINDOW;
  /** Incoming frames are handled in order, even though header blocks inflate asynchronously. */
  private inbound: Promise<void> = Promise.resolve();
  /** Outgoing frames that need a compressed header block keep their order behind it. */
  private outbound: Promise<void> = Promise.resolve();
  peerFlowControl = false;
  closed = false;
  /** Why the session ended, when the peer broke the protocol. */
  lastError?: Error;

  constructor(private readonly transport: Duplex) {
    super();
    transport.on('data', (chunk: Buffer) => this.onBytes(chunk));
    transport.on('end', () => this.close());
    transport.on('close', () => this.teardown());
    transport.on('error', () => this.teardown());
  }

  get streamCount(): number {
    return this.streams.size;
  }

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (e) {
      this.protocolError(e);
      return;
    }
    for (const f of frames) {
      this.inbound = this.inbound.then(() => this.onFrame(f)).catch((e: unknown) => this.protocolError(e));
    }
  }

  private protocolError(e: unknown): void {
    // Anything thrown while handling the peer's frames ends only this session (never the process).
    if (this.closed) return;
    this.lastError = e instanceof Error ? e : new Error(String(e));
    this.sendFrame(encodeGoaway(this.lastStreamId, 1));
    this.closed = true;
    void this.outbound.then(() => {
      this.transport.end();
      setTimeout(() => this.transport.destroy(), 1000).unref();
    });
    this.teardown();
  }

  private async onFrame(f: Frame): Promise<void> {
    if (this.closed) return;
    switch (f.type) {
      case 'syn_stream': {
        // The header block must always be inflated: it advances the shared zlib state.
        const headers = await this.inflater.decompress(f.headerBlock);
        if (f.streamId === 0 || f.streamId % 2 === 0 || f.streamId <= this.lastStreamId) {
          throw new SpdyProtocolError(`invalid stream id ${f.streamId}`);
        }
        this.lastStreamId = f.streamId;
        if (this.streams.size >= MAX_STREAMS) {
          this.sendFrame(encodeRstStream(f.streamId, RstStatus.REFUSED_STREAM));
          return;
        }
        const s = new SpdyStream(this, f.streamId, headers, this.initialWindow);
        this.streams.set(f.streamId, s);
        await this.sendHeaders((block) => encodeSynReply(f.streamId, block), {});
        if (f.flags & FLAG_FIN) s.receive(Buffer.alloc(0), true);
        this.emit('stream', s);
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s || s.remoteEnded) {
          this.sendFrame(encodeRstStream(f.streamId, s ? RstStatus.STREAM_ALREADY_CLOSED : RstStatus.INVALID_STREAM));
          return;
        }
        s.receive(f.data, (f.flags & FLAG_FIN) !== 0);
        this.maybeForget(s);
        return;
      }
      case 'headers':
      case 'syn_reply':
        await this.inflater.decompress(f.headerBlock);
        return;
      case 'rst_stream': {
        const s = this.streams.get(f.streamId);
        if (s) {
          this.streams.delete(f.streamId);
          s.destroy();
        }
        return;
      }
      case 'settings':
        for (const e of f.entries) {
          if (e.id === SETTINGS_INITIAL_WINDOW_SIZE && e.value <= 0x7fffffff) {
            const diff = e.value - this.initialWindow;
            this.initialWindow = e.value;
            this.peerFlowControl = true;
            for (const s of this.streams.values()) s.windowUpdated(diff);
          }
        }
        return;
      case 'ping':
        // Client pings are odd; answer them. An even id would be an answer to ours (we send none).
        if (f.id % 2 === 1) this.sendFrame(encodePing(f.id));
        return;
      case 'goaway':
        this.close();
        return;
      case 'window_update': {
        if (f.delta === 0) return;
        this.peerFlowControl = true;
        this.streams.get(f.streamId)?.windowUpdated(f.delta);
        return;
      }
      case 'unknown':
        return;
    }
  }

  /** Queues a raw frame behind any frame still waiting for its header block. */
  sendFrame(frame: Buffer): void {
    if (this.closed && !this.transport.writable) return;
    this.outbound = this.outbound.then(() => {
      if (this.transport.writable) this.transport.write(frame);
    });
  }

  sendData(streamId: number, data: Buffer, fin: boolean): Promise<void> {
    const p = this.outbound.then(() => new Promise<void>((resolve) => {
      if (!this.transport.writable) return resolve();
      if (this.transport.write(encodeData(streamId, data, fin))) resolve();
      else {
        const done = (): void => {
          this.transport.off('drain', done);
          this.transport.off('close', done);
          resolve();
        };
        this.transport.once('drain', done);
        this.transport.once('close', done);
      }
    }));
    this.outbound = p;
    return p;
  }

  private sendHeaders(frame: (block: Buffer) => Buffer, headers: Record<string, string>): Promise<void> {
    const compressed = this.deflater.compress(headers);
    const p = this.outbound.then(async () => {
      const block = await compressed;
      if (this.transport.writable) this.transport.write(frame(block));
    });
    this.outbound = p.catch(() => undefined);
    return p;
  }

  /** Drops a stream from the table once both directions are done. */
  maybeForget(s: SpdyStream): void {
    if (s.remoteEnded && s.localEnded) this.streams.delete(s.id);
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  /** Ends the session cleanly: GOAWAY, then the transport ends once queued frames are out. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sendFrame(encodeGoaway(this.lastStreamId, 0));
    void this.outbound.then(() => {
      this.transport.end();
      setTimeout(() => this.transport.destroy(), 2000).unref();
    });
    this.teardown();
  }

  private tornDown = false;

  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.closed = true;
    for (const s of this.streams.values()) {
      if (!s.remoteEnded) s.push(null);
      s.destroy();
    }
    this.streams.clear();
    // Pending header work resolves or rejects before the zlib streams go.
    void this.outbound.finally(() => {
      this.inflater.close();
      this.deflater.close();
    });
    this.emit('close');
  }
}
