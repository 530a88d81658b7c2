import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { lazyBuiltin } from '../lazy-builtin.js';
import { PROTOCOL_HEAD_BYTES } from './protocol-guess.js';

const tls = lazyBuiltin<typeof import('node:tls')>('node:tls');

/** An error reply from Redis (`-ERR …`, `-NOPERM …`): per command, it does not break the connection. */
export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

/** A decoded RESP2 value: bulk strings are text, or Buffers when asked for raw bytes (zlib'd payloads); nil is null. */
export type RespValue = string | number | Buffer | null | RedisReplyError | RespValue[];

const CRLF = Buffer.from('\r\n');

/** Real replies of the commands the live stage sends nest 3 levels at most (XREVRANGE). */
export const MAX_REPLY_DEPTH = 32;

/**
 * A reply that is not RESP this client reads: the connection is unusable (code ERESPPROTO). `head`: the first bytes
 * of an answer that was never RESP at all, for describeForeignProtocol.
 */
function protocolError(what: string, head?: Buffer): Error {
  return Object.assign(new Error(`the server sent ${what}`), { code: 'ERESPPROTO', ...(head ? { head } : {}) });
}

/** RESP2's type bytes: `+ - : $ *`. */
const isRespTypeByte = (byte: number | undefined) => byte === 0x2b || byte === 0x2d || byte === 0x3a || byte === 0x24 || byte === 0x2a;

/**
 * Encodes commands as RESP arrays of bulk strings, all in one buffer (one allocation for a whole pipeline). Lengths
 * are first taken as UTF-16 lengths, right for ASCII: one byteLength of the whole text tells whether that held
 * (a pipeline of 1,000 worker keys is ≈ 38,000 arguments; a byteLength call per argument was half the encoding time
 * of a cold live run); only a text with a non-ASCII argument is encoded again with each argument's byte length.
 */
export function encodeCommands(commands: readonly (readonly (string | number)[])[]): Buffer {
  const text = encodeText(commands, false);
  return Buffer.byteLength(text) === text.length ? Buffer.from(text, 'latin1') : Buffer.from(encodeText(commands, true));
}

function encodeText(commands: readonly (readonly (string | number)[])[], byteLengths: boolean): string {
  let text = '';
  for (const args of commands) {
    text += `*${args.length}\r\n`;
    for (const arg of args) {
      const value = String(arg);
      text += `$${byteLengths ? Buffer.byteLength(value) : value.length}\r\n${value}\r\n`;
    }
  }
  return text;
}

/** Incremental RESP2 parser: feed chunks, take complete replies. */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  private raw = false;
  private consumedAny = false;

  push(chunk: Buffer): void {
    this.buffer = this.offset < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.offset), chunk]) : chunk;
    this.offset = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed; bulk strings as text unless `raw`. */
  next(raw = false): RespValue | undefined {
    const start = this.offset;
    this.raw = raw;
    const value = this.read();
    if (value === undefined) this.offset = start;
    else this.consumedAny = true;
    return value;
  }

  /** The header line after the type byte, as text (`+`/`-` replies and headers that are not plain digits). */
  private line(): string | undefined {
    const end = this.buffer.indexOf(CRLF, this.offset);
    if (end < 0) return undefined;
    const text = this.buffer.toString('utf8', this.offset + 1, end);
    this.offset = end + 2;
    return text;
  }

  /**
   * The integer of a `:`, `$` or `*` header, read from the bytes: a pipeline of 1,000 worker hashes has ≈ 13,000
   * headers, and a search plus a string per header was most of a cold run's parsing. Anything but an optional `-`
   * and 1–15 digits before CRLF (or a line not yet complete) goes through `line()` and `Number`, as before.
   */
  private integer(): number | undefined {
    const buffer = this.buffer;
    let index = this.offset + 1;
    const negative = buffer[index] === 0x2d;
    if (negative) index += 1;
    const first = index;
    let value = 0;
    for (; index < buffer.length && index - first < 15; index++) {
      const byte = buffer[index]!;
      if (byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
    }
    if (index > first && buffer[index] === 0x0d && buffer[index + 1] === 0x0a) {
      this.offset = index + 2;
      return negative ? -value : value;
    }
    const text = this.line();
    return text === undefined ? undefined : Number(text);
  }

  /**
   * The first bytes of the stream when they are not RESP at all (nothing parsed yet: a server of another protocol),
   * else undefined; also read when the server hangs up on a half line (a TLS alert has no CRLF).
   */
  foreignHead(): Buffer | undefined {
    if (this.consumedAny || this.buffer.length === 0 || isRespTypeByte(this.buffer[0])) return undefined;
    return Buffer.from(this.buffer.subarray(0, PROTOCOL_HEAD_BYTES));
  }

  private read(depth = 0): RespValue | undefined {
    if (this.offset >= this.buffer.length) return undefined;
    // The parser recurses per level: a hostile 100k-deep array must be a protocol error, not a stack overflow.
    if (depth > MAX_REPLY_DEPTH) throw protocolError(`a reply nested more than ${MAX_REPLY_DEPTH} levels deep`);
    const type = this.buffer[this.offset];
    switch (type) {
      case 0x2b: // +
        return this.line();
      case 0x2d: {
        // -
        const text = this.line();
        return text === undefined ? undefined : new RedisReplyError(text);
      }
      case 0x3a: // :
        return this.integer();
      case 0x24: {
        // $
        const length = this.integer();
        if (length === undefined) return undefined;
        if (length < 0) return null;
        if (this.offset + length + 2 > this.buffer.length) return undefined;
        const end = this.offset + length;
        const value = this.raw ? Buffer.from(this.buffer.subarray(this.offset, end)) : this.buffer.toString('utf8', this.offset, end);
        this.offset = end + 2;
        return value;
      }
      case 0x2a: {
        // *
        const count = this.integer();
        if (count === undefined) return undefined;
        if (count < 0) return null;
        const items: RespValue[] = [];
        for (let index = 0; index < count; index++) {
          const item = this.read(depth + 1);
          if (item === undefined) return undefined;
          items.push(item);
        }
        return items;
      }
      default:
        // Only a complete line is an error: before, an unknown type byte was reported once its line had arrived.
        if (this.buffer.indexOf(CRLF, this.offset) < 0) return undefined;
        throw protocolError(`an unexpected RESP type byte ${type}`, this.foreignHead());
    }
  }
}

/** Why a connection attempt was given up: the signal's reason when it is an Error, else a generic time-out. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
}

/** Where and how to connect. */
export interface RespEndpoint {
  host: string;
  port: number;
  tls: boolean;
  /** PEM contents for `rediss://`: a CA to trust (instead of the system's), a client certificate and its key. */
  tlsFiles?: TlsFiles;
}

/** PEM file contents given with --tls-ca, --tls-cert, --tls-key. */
export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * A minimal pipelining RESP2 connection: every `send` writes all commands at once and resolves with their replies
 * in order (one round trip). Deliberately tiny: the live stage only ever sends read commands, and a generic client
 * spends more time per command than Redis does for 1,000 worker hashes.
 */
export class RespConnection {
  private readonly parser = new RespParser();
  private waiting: { count: number; raw: readonly boolean[]; replies: RespValue[]; resolve: (replies: RespValue[]) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      const head = this.parser.foreignHead();
      this.fail(head ? protocolError('an answer that is not RESP', head) : Object.assign(new Error('the connection was closed by the server'), { code: 'ECONNRESET' }));
    });
  }

  /**
   * Opens a TCP (or TLS) connection; rejects with the socket error (ECONNREFUSED, ENOTFOUND, …). When `signal`
   * aborts first (the caller's deadline), the socket is destroyed: a TLS handshake a plain-text server never answers
   * must not keep the process alive after the verdict.
   */
  static open(endpoint: RespEndpoint, signal?: AbortSignal): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const files = endpoint.tlsFiles ?? {};
      const socket = endpoint.tls
        ? tls().connect({
            host: endpoint.host,
            port: endpoint.port,
            // SNI carries host names only (RFC 6066); Node warns on an IP address.
            ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }),
            ...(files.ca ? { ca: files.ca } : {}),
            ...(files.cert ? { cert: files.cert } : {}),
            ...(files.key ? { key: files.key } : {}),
          })
        : connectTcp({ host: endpoint.host, port: endpoint.port });
      socket.setNoDelay(true);
      const onAbort = () => {
        // Connected over TCP but no TLS answer: a plain-text server waits for a command and never answers a hello.
        const handshakePending = endpoint.tls && !socket.connecting;
        socket.destroy();
        reject(handshakePending ? Object.assign(abortReason(signal!), { code: 'ETLSNOANSWER' }) : abortReason(signal!));
      };
      const onError = (error: Error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        resolve(new RespConnection(socket));
      });
    });
  }

  /** Sends all commands at once; `raw[i]` asks for command i's bulk strings as Buffers. */
  send(commands: readonly (readonly (string | number)[])[], raw: readonly boolean[] = []): Promise<RespValue[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ count: commands.length, raw, replies: [], resolve, reject });
      this.socket.write(encodeCommands(commands));
    });
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.parser.push(chunk);
    try {
      for (;;) {
        const batch = this.waiting[0];
        if (!batch) return;
        const reply = this.parser.next(batch.raw[batch.replies.length] ?? false);
        if (reply === undefined) return;
        batch.replies.push(reply);
        if (batch.replies.length === batch.count) {
          this.waiting.shift();
          batch.resolve(batch.replies);
        }
      }
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const batch of this.waiting.splice(0)) batch.reject(error);
  }
}
