/**
 * Docker's multiplexed stream format (logs and exec of containers without a TTY): frames of an 8-byte
 * header — stream type (0 stdin, 1 stdout, 2 stderr), 3 zero bytes, big-endian payload length — followed
 * by the payload. Contract: `push` accepts arbitrary chunk boundaries and calls `onFrame` once per whole
 * frame, in order; a frame with an unknown stream type throws (the stream was not multiplexed).
 */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 'stdout' | 'stderr', data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const type = this.buf[0];
      if ((type !== 0 && type !== 1 && type !== 2) || this.buf[1] !== 0 || this.buf[2] !== 0 || this.buf[3] !== 0) {
        throw new Error('the Docker stream is not multiplexed (bad frame header)');
      }
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) return;
      const data = this.buf.subarray(8, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      // stdin frames never come back from Docker; treat a 0 as stdout as the CLI does.
      this.onFrame(type === 2 ? 'stderr' : 'stdout', Buffer.from(data));
    }
  }

  /** Bytes of an incomplete frame still held (a non-zero value at the end means a truncated stream). */
  get pending(): number {
    return this.buf.length;
  }
}

/** Builds one frame (used by tests and by anything that must speak the format). */
export function frame(stream: 'stdout' | 'stderr', data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream === 'stderr' ? 2 : 1;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}
