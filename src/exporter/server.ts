import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPES, negotiateFlavor } from './negotiate.js';
import type { Reads } from './reads.js';

/**
 * The exporter's HTTP side: `GET /metrics` (the last read, in the text the Accept header asks for), `GET /healthz`
 * (the process serves: a liveness probe that does not depend on Redis, which `receipts_doctor_up` reports), 404
 * elsewhere, 405 for other methods. Scrapes never start a read.
 */
export function handle(reads: Reads, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0];
  const known = path === '/metrics' || path === '/healthz';
  if (!known) return send(response, 404, 'text/plain; charset=utf-8', 'Not found: the exporter serves /metrics and /healthz.\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
  }
  if (path === '/healthz') return send(response, 200, 'text/plain; charset=utf-8', 'ok\n', request.method === 'HEAD');
  const flavor = negotiateFlavor(request.headers.accept);
  send(response, 200, CONTENT_TYPES[flavor], reads.body(flavor), request.method === 'HEAD');
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(headOnly ? undefined : body);
}

/** Bounds on what a client may hold: a scraper sends one small request per connection or per keep-alive. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Listens on host:port (port 0: any free port); resolves with the server and the address it got. */
export function listen(reads: Reads, host: string, port: number): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer({ maxHeaderSize: 16 * 1024 }, (request, response) => handle(reads, request, response));
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, address: server.address() as AddressInfo });
    });
  });
}
