/**
 * A TCP connection into a pod's network namespace that needs no route from the host to the pod (Docker
 * Desktop has none): `nc 127.0.0.1 PORT` runs by exec in the pod's sandbox and its stdin/stdout become a
 * Duplex. Probes (httpGet, tcpSocket, grpc), port-forward and the network reuse it. The sandbox image must
 * have busybox `nc` (the default sandbox image does).
 */
import { Duplex, PassThrough } from 'node:stream';
import type { Runtime } from '../runtime/types.ts';

export class TunnelError extends Error {}

/** Opens a byte stream to `host:port` as seen from inside the sandbox's network namespace. */
export async function openTcpStream(runtime: Runtime, sandboxId: string, port: number, host = '127.0.0.1'): Promise<Duplex> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TunnelError(`invalid port ${port}`);
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let errText = '';
  stderr.on('data', (d: Buffer) => (errText += d.toString()));
  let gotData = false;
  const duplex = new Duplex({
    write(chunk, _enc, cb) {
      stdin.write(chunk, cb);
    },
    final(cb) {
      stdin.end();
      cb();
    },
    read() {
      stdout.resume();
    },
    destroy(err, cb) {
      stdin.destroy();
      stdout.destroy();
      cb(err);
    },
  });
  stdout.on('data', (d: Buffer) => {
    gotData = true;
    if (!duplex.push(d)) stdout.pause();
  });
  // The stream ends only after stdout's buffered data has been read: `nc` may exit while the reader is
  // applying backpressure (a large response through port-forward), and ending at exit would drop that tail.
  stdout.on('end', () => duplex.push(null));
  const session = await runtime.exec(sandboxId, { command: ['nc', host, String(port)], stdin, stdout, stderr });
  session.exitCode.then((code) => {
    if (code !== 0 && !gotData) {
      duplex.destroy(new TunnelError(errText.trim().replace(/^nc: /, '') || `connection to ${host}:${port} failed (exit code ${code})`));
    } else if (!stdout.writableEnded) stdout.end();
  }, (err: unknown) => duplex.destroy(err as Error));
  return duplex;
}

/** Whether a TCP connection to the port can be opened from inside the sandbox (busybox `nc … -e true`). */
export async function tcpConnects(runtime: Runtime, sandboxId: string, port: number, host = '127.0.0.1'): Promise<{ ok: boolean; message: string }> {
  const stderr = new PassThrough();
  let errText = '';
  stderr.on('data', (d: Buffer) => (errText += d.toString()));
  const session = await runtime.exec(sandboxId, { command: ['nc', host, String(port), '-e', 'true'], stderr, stdout: new PassThrough() });
  const code = await session.exitCode;
  return code === 0 ? { ok: true, message: '' } : { ok: false, message: errText.trim().replace(/^nc: /, '') || `dial tcp ${host}:${port}: connect failed` };
}
