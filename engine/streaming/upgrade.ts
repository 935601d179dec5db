/**
 * Taking over an upgraded connection: telling WebSocket from SPDY/3.1 requests, negotiating the
 * `X-Stream-Protocol-Version` (SPDY) the way apimachinery's httpstream.Handshake does, answering
 * refusals as Status JSON (a non-101 answer is what makes client-go fall back from WebSocket to SPDY),
 * and completing the 101 for either transport.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Status } from '../api/client.ts';
import { status as mkStatus } from '../registry/errors.ts';
import { SpdySession } from './spdy-session.ts';

export function isWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export function isSpdy(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().split(',').map((s) => s.trim()).includes('spdy/3.1');
}

/** Answers an upgrade request with a Status instead of switching protocols, and closes the socket. */
export function refuse(socket: Duplex, s: Status): void {
  const body = JSON.stringify(s);
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${s.code} ${reasonPhrase(s.code)}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function reasonPhrase(code: number): string {
  return ({ 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' } as Record<number, string>)[code] ?? 'Error';
}

export function badRequest(message: string): Status {
  return mkStatus(400, 'BadRequest', message);
}

/**
 * The SPDY stream protocol both sides support: the first the client lists that the server has. A client
 * that lists none gets '' (legacy); one whose list has no match gets undefined (upstream answers 403).
 */
export function negotiateStreamProtocol(req: IncomingMessage, supported: string[]): string | undefined {
  const raw = req.headers['x-stream-protocol-version'];
  const offered = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (offered.length === 0) return '';
  return offered.find((p) => supported.includes(p));
}

export function protocolMismatch(req: IncomingMessage, supported: string[]): Status {
  const raw = req.headers['x-stream-protocol-version'];
  const offered = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return mkStatus(403, 'Forbidden', `unable to upgrade connection: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`);
}

/** Completes a SPDY/3.1 upgrade and returns the session (the client then opens its streams). */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) socket.unshift(head);
  return new SpdySession(socket);
}

/** Completes a WebSocket upgrade with the negotiated subprotocol ('' for none). */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('connection closed during the WebSocket handshake'));
    socket.once('close', onClose);
    // The choice was made before, and ws would refuse `SPDY/3.1+portforward.k8s.io` (a '/' is not a token
    // character), so the offer is hidden from ws and the answer added to the 101 here.
    delete req.headers['sec-websocket-protocol'];
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
    if (protocol) server.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    server.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', onClose);
      resolve(ws);
    });
  });
}
