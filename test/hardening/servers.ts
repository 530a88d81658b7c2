/**
 * Hostile servers for the fault tests (smoke's HTTP API, RabbitMQ's management API): an HTTP server whose handler
 * answers as it likes, and a raw TCP server for answers HTTP servers cannot produce. Closed after the file's tests.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterAll } from 'vitest';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

// Closed after all tests: the tests of a describe.concurrent block run at the same time.
const closers: (() => void)[] = [];
afterAll(() => {
  for (const close of closers.splice(0)) close();
});

export async function serveHttp(handler: Handler): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createHttpServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => handler(request, response));
  });
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A raw TCP server: the handler owns the socket (for answers HTTP servers cannot produce). */
export async function serveRaw(onConnection: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

