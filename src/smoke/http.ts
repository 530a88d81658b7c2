import * as http from 'node:http';
import * as https from 'node:https';

/** A complete HTTP answer (the body is cut at `maxBytes`; the rest is drained and dropped). */
export interface HttpAnswer {
  status: number;
  contentType: string;
  /** The `Location` header of a redirect, when there is one. */
  location?: string;
  body: string;
}

/**
 * Why a request produced no HTTP answer:
 * - `connect`: no connection/TLS session was established (refused, DNS, TLS rejected, connect timeout);
 * - `timeout`: connected, but the answer did not arrive in time;
 * - `broken`: connected, then the connection was reset or closed before the answer was complete.
 */
export type HttpFailureKind = 'connect' | 'timeout' | 'broken';

export class HttpFailure extends Error {
  override name = 'HttpFailure';
  constructor(
    message: string,
    readonly kind: HttpFailureKind,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface HttpRequestInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** The whole request (connect + answer) is abandoned after this long. */
  timeoutMs: number;
  /** Accept any TLS certificate, for this request only. */
  insecure: boolean;
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A short human reason for a socket-level error, without anything from the request (no headers, no token). */
export function describeNetworkError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (TLS_CODES.has(code)) return `TLS certificate rejected: ${error.message} (${code}); use --insecure to accept it`;
  if (code.startsWith('ERR_SSL') || /SSL|TLS/i.test(code)) return `TLS handshake failed (${code})`;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND)';
    case 'EAI_AGAIN':
      return 'DNS lookup failed (EAI_AGAIN)';
    case 'ECONNRESET':
      return 'connection reset by the server (ECONNRESET)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to the host (${code})`;
    case 'EPIPE':
      return 'the server closed the connection (EPIPE)';
    default:
      return code ? `${error.message} (${code})` : error.message;
  }
}

/**
 * One HTTP(S) request with a hard deadline and a bounded body. Uses a fresh connection each time
 * (`agent: false`), so `insecure` applies to this request only and never to the process.
 */
export function httpRequest(url: URL, init: HttpRequestInit): Promise<HttpAnswer> {
  const isHttps = url.protocol === 'https:';
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let connected = false;
    let settled = false;
    let request: http.ClientRequest | undefined;
    const settle = (outcome: { answer: HttpAnswer } | { failure: HttpFailure }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if ('answer' in outcome) resolve(outcome.answer);
      else {
        reject(outcome.failure);
        request?.destroy();
      }
    };
    const fail = (error: NodeJS.ErrnoException) =>
      settle({ failure: new HttpFailure(describeNetworkError(error), connected ? 'broken' : 'connect', error.code) });

    const timer = setTimeout(() => {
      const seconds = `${(init.timeoutMs / 1000).toFixed(1)}s`;
      settle({
        failure: connected
          ? new HttpFailure(`no complete answer within ${seconds}`, 'timeout', 'ETIMEDOUT')
          : new HttpFailure(`no connection within ${seconds} (connect timeout)`, 'connect', 'ETIMEDOUT'),
      });
    }, Math.max(0, init.timeoutMs));

    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const options: https.RequestOptions = {
      method: init.method,
      headers,
      agent: false,
      ...(isHttps ? { rejectUnauthorized: !init.insecure } : {}),
    };
    try {
      request = (isHttps ? https : http).request(url, options);
    } catch (error) {
      // e.g. a header value with characters HTTP does not allow; node's message names the header, not its value.
      settle({ failure: new HttpFailure(`invalid request: ${(error as Error).message}`, 'connect', (error as NodeJS.ErrnoException).code) });
      return;
    }
    request.on('socket', (socket) => {
      socket.once(isHttps ? 'secureConnect' : 'connect', () => {
        connected = true;
      });
    });
    request.on('error', fail);
    request.on('response', (response) => {
      connected = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('error', fail);
      response.on('aborted', () => fail(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' })));
      response.on('end', () => {
        if (!response.complete) {
          fail(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }));
          return;
        }
        settle({
          answer: {
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            ...(response.headers.location ? { location: response.headers.location } : {}),
            body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'),
          },
        });
      });
      response.on('close', () => {
        if (!response.complete) fail(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }));
      });
    });
    request.end(init.body);
  });
}
