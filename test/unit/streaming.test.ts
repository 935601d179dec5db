/**
 * The streaming protocols without Docker: SPDY/3.1 frames and header blocks (round trips, byte-at-a-time
 * parsing, hostile input), the shared-state zlib header compression, a SpdySession driven by a hand-made
 * client over an in-memory pipe, and the WebSocket channel codec and request parsing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import {
  decodeHeaderBlock, encodeData, encodeGoaway, encodeHeaderBlock, encodePing, encodeRstStream, encodeSettings, encodeSynReply,
  encodeSynStream, encodeWindowUpdate, FLAG_FIN, FrameParser, SpdyProtocolError, type Frame,
} from '../../engine/streaming/spdy-frames.ts';
import { HeaderCompressor, HeaderDecompressor, SpdySession, type SpdyStream } from '../../engine/streaming/spdy-session.ts';
import { SPDY_DICTIONARY } from '../../engine/streaming/spdy-dictionary.ts';
import { decodeMessage, encodeMessage, negotiate, offeredProtocols, protocolInfo, REMOTE_COMMAND_WS_PROTOCOLS } from '../../engine/streaming/channels.ts';
import { exitStatus, parseResize, remoteCommandOptions } from '../../engine/streaming/remote-command.ts';
import { parsePort, requestedPorts } from '../../engine/streaming/port-forward.ts';

/** Two connected in-memory Duplexes. */
function pipePair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const mk = (other: () => Duplex): Duplex => new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      other().push(chunk);
      cb();
    },
    final(cb) {
      other().push(null);
      cb();
    },
  });
  ends.push(mk(() => ends[1]!), mk(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

/** A minimal SPDY client for driving the server session. */
class TestClient {
  readonly frames: Frame[] = [];
  private readonly parser = new FrameParser();
  readonly deflate = new HeaderCompressor();
  readonly inflate = new HeaderDecompressor();
  private waiters: (() => void)[] = [];
  constructor(readonly sock: Duplex) {
    sock.on('data', (d: Buffer) => {
      this.frames.push(...this.parser.push(d));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async open(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    this.sock.write(encodeSynStream(id, await this.deflate.compress(headers), fin ? FLAG_FIN : 0));
  }
  async waitFor<T extends Frame>(pred: (f: Frame) => f is T, timeoutMs = 2000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0] as T;
      if (Date.now() > deadline) throw new Error(`no such frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

describe('SPDY/3.1 frames', () => {
  const samples: Buffer[] = [
    encodeData(5, Buffer.from('hello'), true),
    encodeData(7, Buffer.alloc(0)),
    encodeSynStream(1, Buffer.from([1, 2, 3]), FLAG_FIN, 0, 3),
    encodeSynReply(3, Buffer.from([9])),
    encodeRstStream(9, 5),
    encodeSettings([{ id: 7, value: 1 << 20 }, { id: 4, value: 100, flags: 1 }]),
    encodePing(11),
    encodeGoaway(13, 1),
    encodeWindowUpdate(15, 4096),
  ];

  it('parses what it encodes, whole or split into single bytes', () => {
    const all = Buffer.concat(samples);
    const whole = new FrameParser().push(all);
    const p = new FrameParser();
    const bytewise: Frame[] = [];
    for (const byte of all) bytewise.push(...p.push(Buffer.from([byte])));
    assert.deepEqual(bytewise, whole);
    assert.deepEqual(whole.map((f) => f.type), ['data', 'data', 'syn_stream', 'syn_reply', 'rst_stream', 'settings', 'ping', 'goaway', 'window_update']);
    assert.deepEqual(whole[0], { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hello') });
    assert.deepEqual(whole[2], { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 3, flags: FLAG_FIN, headerBlock: Buffer.from([1, 2, 3]) });
    assert.deepEqual(whole[5], { type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 1 << 20 }, { flags: 1, id: 4, value: 100 }] });
    assert.deepEqual(whole[8], { type: 'window_update', streamId: 15, delta: 4096 });
  });

  it('ignores unknown control frames and rejects other versions and oversized frames', () => {
    const unknown = Buffer.from([0x80, 3, 0, 99, 0, 0, 0, 0]);
    assert.deepEqual(new FrameParser().push(unknown), [{ type: 'unknown', frameType: 99 }]);
    assert.throws(() => new FrameParser().push(Buffer.from([0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1])), SpdyProtocolError);
    assert.throws(() => new FrameParser(1024).push(Buffer.from([0, 0, 0, 1, 0, 0xff, 0xff, 0xff])), /exceeds the limit/);
    assert.throws(() => new FrameParser().push(Buffer.from([0x80, 3, 0, 4, 0, 0, 0, 4, 0, 0, 0, 9])), /SETTINGS frame announces 9 entries/);
  });

  it('never throws anything but SpdyProtocolError on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const p = new FrameParser(64 * 1024);
      try {
        p.push(randomBytes(1 + (i % 64)));
        p.push(randomBytes(i % 17));
      } catch (e) {
        assert.ok(e instanceof SpdyProtocolError, String(e));
      }
    }
  });

  it('header blocks round-trip with lower-cased names; lies about counts and lengths are errors', () => {
    const h = { StreamType: 'error', port: '8080', requestid: '0' };
    assert.deepEqual({ ...decodeHeaderBlock(encodeHeaderBlock(h)) }, { streamtype: 'error', port: '8080', requestid: '0' });
    const b = encodeHeaderBlock({ a: 'b' });
    b.writeUInt32BE(0x7fffffff, 0);
    assert.throws(() => decodeHeaderBlock(b), /announces/);
    const c = encodeHeaderBlock({ a: 'b' });
    c.writeUInt32BE(1000, 4);
    assert.throws(() => decodeHeaderBlock(c), /truncated/);
    for (let i = 0; i < 2000; i++) {
      try {
        decodeHeaderBlock(randomBytes(i % 40));
      } catch (e) {
        assert.ok(e instanceof SpdyProtocolError, String(e));
      }
    }
  });

  it('the dictionary is the 1423-byte SPDY/3 one', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(SPDY_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
    assert.ok(SPDY_DICTIONARY.toString('latin1').endsWith('charset=iso-8859-1,utf-,*,enq=0.'));
  });
});

describe('SPDY header compression', () => {
  it('keeps one zlib stream per direction across blocks', async () => {
    const d = new HeaderCompressor();
    const i = new HeaderDecompressor();
    const blocks: Record<string, string>[] = [{ streamtype: 'error' }, { streamtype: 'stdout' }, { streamtype: 'data', port: '80', requestid: '7' }];
    const compressed = await Promise.all(blocks.map((b) => d.compress(b)));
    // Later blocks refer back to earlier ones, so they only inflate in order, on the same stream.
    for (const [n, c] of compressed.entries()) assert.deepEqual({ ...(await i.decompress(c)) }, blocks[n]);
    // A block compressed with the standard zlib framing and the dictionary is what Go's client sends first.
    const fresh = new HeaderDecompressor();
    const goStyle = zlib.deflateSync(encodeHeaderBlock({ streamtype: 'stdin' }), { dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual({ ...(await fresh.decompress(goStyle)) }, { streamtype: 'stdin' });
    d.close();
    i.close();
    fresh.close();
  });

  it('rejects garbage and decompression bombs without crashing', async () => {
    const i = new HeaderDecompressor();
    await assert.rejects(i.decompress(randomBytes(64)), SpdyProtocolError);
    // After a failure the stream is unusable: every later block is rejected too.
    await assert.rejects(i.decompress(Buffer.from([1, 2, 3])), SpdyProtocolError);
    const bomb = zlib.deflateSync(Buffer.alloc(4 * 1024 * 1024), { dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    await assert.rejects(new HeaderDecompressor().decompress(bomb), /inflates beyond/);
  });
});

describe('SpdySession', () => {
  it('replies to streams, moves data both ways, answers pings and acknowledges data', async () => {
    const [server, clientSock] = pipePair();
    const session = new SpdySession(server);
    const c = new TestClient(clientSock);
    const got = new Promise<SpdyStream>((r) => session.once('stream', r));
    await c.open(1, { streamtype: 'data', port: '80', requestid: '0' });
    const s = await got;
    assert.equal(s.headers.streamtype, 'data');
    assert.equal(s.headers.port, '80');
    const reply = await c.waitFor((f): f is Extract<Frame, { type: 'syn_reply' }> => f.type === 'syn_reply');
    assert.equal(reply.streamId, 1);
    assert.deepEqual({ ...(await c.inflate.decompress(reply.headerBlock)) }, {});

    let received = '';
    s.on('data', (d: Buffer) => (received += d.toString()));
    const ended = new Promise((r) => s.once('end', r));
    clientSock.write(encodeData(1, Buffer.from('ping?')));
    clientSock.write(encodeData(1, Buffer.from('!'), true));
    await ended;
    assert.equal(received, 'ping?!');
    const wu = await c.waitFor((f): f is Extract<Frame, { type: 'window_update' }> => f.type === 'window_update');
    assert.equal(wu.streamId, 1);

    s.end('pong');
    const data = await c.waitFor((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data' && f.data.length > 0);
    assert.equal(data.data.toString(), 'pong');
    const fin = await c.waitFor((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data' && (f.flags & FLAG_FIN) !== 0);
    assert.equal(fin.streamId, 1);

    clientSock.write(encodePing(3));
    const pong = await c.waitFor((f): f is Extract<Frame, { type: 'ping' }> => f.type === 'ping');
    assert.equal(pong.id, 3);

    session.close();
    const goaway = await c.waitFor((f): f is Extract<Frame, { type: 'goaway' }> => f.type === 'goaway');
    assert.equal(goaway.status, 0);
  });

  it('honours the peer window once the peer does flow control', async () => {
    const [server, clientSock] = pipePair();
    const session = new SpdySession(server);
    const c = new TestClient(clientSock);
    const got = new Promise<SpdyStream>((r) => session.once('stream', r));
    clientSock.write(encodeSettings([{ id: 7, value: 1000 }]));
    await c.open(1, { streamtype: 'stdout' });
    const s = await got;
    s.write(Buffer.alloc(3000, 1));
    await new Promise((r) => setTimeout(r, 100));
    const sent = (): number => c.frames.filter((f) => f.type === 'data').reduce((n, f) => n + (f as { data: Buffer }).data.length, 0);
    assert.equal(sent(), 1000);
    clientSock.write(encodeWindowUpdate(1, 5000));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sent(), 3000);
    session.close();
  });

  it('answers hostile bytes with GOAWAY and closes, without throwing', async () => {
    for (let i = 0; i < 30; i++) {
      const [server, clientSock] = pipePair();
      const session = new SpdySession(server);
      const c = new TestClient(clientSock);
      const closed = new Promise<void>((r) => session.once('close', () => r()));
      // A valid-looking SYN_STREAM with a garbage header block, or plain noise.
      if (i % 2) clientSock.write(encodeSynStream(1, randomBytes(40)));
      else clientSock.write(Buffer.concat([Buffer.from([0x80, 3, 0, 1, 0, 0, 0, 2]), randomBytes(2), randomBytes(100)]));
      clientSock.write(Buffer.from([0x80, 7, 0, 1, 0, 0, 0, 0]));
      await closed;
      const goaway = await c.waitFor((f): f is Extract<Frame, { type: 'goaway' }> => f.type === 'goaway');
      assert.equal(goaway.status, 1);
      assert.ok(session.lastError);
    }
  });

  it('refuses even and reused stream ids', async () => {
    const [server, clientSock] = pipePair();
    const session = new SpdySession(server);
    const c = new TestClient(clientSock);
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    await c.open(2, { streamtype: 'error' });
    await closed;
    const goaway = await c.waitFor((f): f is Extract<Frame, { type: 'goaway' }> => f.type === 'goaway');
    assert.equal(goaway.status, 1);
    assert.match(String(session.lastError?.message), /invalid stream id 2/);
  });
});

describe('WebSocket channel protocols', () => {
  it('negotiates the first offered protocol the server supports', () => {
    assert.equal(negotiate(offeredProtocols('v5.channel.k8s.io'), REMOTE_COMMAND_WS_PROTOCOLS), 'v5.channel.k8s.io');
    assert.equal(negotiate(offeredProtocols('foo, v4.channel.k8s.io,v5.channel.k8s.io'), REMOTE_COMMAND_WS_PROTOCOLS), 'v4.channel.k8s.io');
    assert.equal(negotiate(offeredProtocols(undefined), REMOTE_COMMAND_WS_PROTOCOLS), '');
    assert.equal(negotiate(offeredProtocols('nope'), REMOTE_COMMAND_WS_PROTOCOLS), undefined);
  });

  it('round-trips binary and base64 messages; malformed ones are dropped', () => {
    const bin = protocolInfo('v5.channel.k8s.io');
    const b64 = protocolInfo('base64.channel.k8s.io');
    const data = Buffer.from([0, 1, 2, 255]);
    const m1 = encodeMessage(bin, 2, data) as Buffer;
    assert.deepEqual(decodeMessage(bin, m1, true), { channel: 2, data });
    const m2 = encodeMessage(b64, 1, data) as string;
    assert.equal(m2[0], '1');
    assert.deepEqual(decodeMessage(b64, Buffer.from(m2), false), { channel: 1, data });
    assert.equal(decodeMessage(bin, Buffer.alloc(0), true), undefined);
    assert.equal(decodeMessage(b64, Buffer.from('x!!'), false), undefined);
    assert.equal(decodeMessage(b64, Buffer.from('1@@@'), false), undefined);
    for (let i = 0; i < 2000; i++) {
      decodeMessage(bin, randomBytes(i % 9), true);
      decodeMessage(b64, randomBytes(i % 9), false);
    }
  });

  it('parses resize events and drops bad ones', () => {
    assert.deepEqual(parseResize('{"Width":80,"Height":24}\n{"Width":100,"Height":30}\n'), [{ width: 80, height: 24 }, { width: 100, height: 30 }]);
    assert.deepEqual(parseResize('{"Width":-1,"Height":24}\n{oops\n{"Width":1e9,"Height":2}\nnull\n[]'), []);
  });
});

describe('request parsing', () => {
  it('exec options as upstream validates them', () => {
    const o = remoteCommandOptions(new URLSearchParams('command=sh&command=-c&command=true&stdin=true&stdout=true&stderr=true&tty=true&container=app'), 'exec');
    assert.deepEqual(o, { container: 'app', command: ['sh', '-c', 'true'], stdin: true, stdout: true, stderr: false, tty: true });
    assert.throws(() => remoteCommandOptions(new URLSearchParams('command=ls'), 'exec'), /at least 1 of stdin, stdout, stderr/);
    assert.throws(() => remoteCommandOptions(new URLSearchParams('stdout=true'), 'exec'), /at least one command/);
    assert.doesNotThrow(() => remoteCommandOptions(new URLSearchParams('stdout=true'), 'attach'));
  });

  it('exit status objects as the kubelet writes them', () => {
    assert.deepEqual(exitStatus(0, ['true']), { metadata: {}, status: 'Success' });
    assert.deepEqual(exitStatus(3, ['sh', '-c', 'exit 3']), {
      metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('ports', () => {
    assert.equal(parsePort('8080'), 8080);
    for (const bad of ['0', '65536', '-1', '80a', '', undefined, '123456']) assert.equal(parsePort(bad), undefined);
    assert.deepEqual(requestedPorts(new URLSearchParams('ports=80,443&ports=8080')), [80, 443, 8080]);
    assert.match(String(requestedPorts(new URLSearchParams(''))), /required/);
    assert.match(String(requestedPorts(new URLSearchParams('ports=99999'))), /invalid port/);
  });
});
