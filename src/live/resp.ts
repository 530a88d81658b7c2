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

/** What `element` returns for an array header it opened (its items follow). */
const OPENED = Symbol('opened');

/**
 * The most bytes one reply may take while it arrives (the live stage's largest real replies — CLIENT LIST of
 * thousands of connections, a pipeline of 1,000 worker hashes — are a few MiB): a server streaming more is refused.
 */
export const MAX_PENDING_BYTES = 256 * 1024 * 1024;

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

/** An array being filled: its items so far and how many it has in all. */
interface OpenArray {
  items: RespValue[];
  count: number;
}

/**
 * Incremental RESP2 parser: feed chunks, take complete replies. Linear in the bytes received: a reply that is not
 * complete yet keeps what it has parsed (the open arrays, as a stack) and resumes at the element it stopped at,
 * instead of parsing the reply again from its start on every chunk (a 4 MB nested reply took 1.5 s that way, and
 * ~10 MB ran into the read timeout); received bytes are appended to a buffer that grows by doubling, and the parsed
 * part is dropped when the buffer is compacted.
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of `buffer` in use (it has spare room at its end). */
  private length = 0;
  private offset = 0;
  private raw = false;
  private consumedAny = false;
  /** The arrays of the reply being parsed, outermost first; empty between replies. */
  private readonly open: OpenArray[] = [];
  /** Where the last search for a line's CRLF stopped, for the line starting at `offset`. */
  private lineScan: { offset: number; scanned: number } | undefined;

  push(chunk: Buffer): void {
    if (this.offset > 0 && this.offset >= this.length) {
      this.offset = 0;
      this.length = 0;
    }
    if (this.length + chunk.length > this.buffer.length) {
      // Compact (drop what was parsed) and grow by doubling: each byte is copied a bounded number of times.
      const live = this.length - this.offset;
      if (live + chunk.length > MAX_PENDING_BYTES) throw protocolError(`a reply larger than ${MAX_PENDING_BYTES / 1024 / 1024} MiB`);
      this.lineScan = undefined;
      const grown = Buffer.allocUnsafe(Math.max(live + chunk.length, 2 * live, 4096));
      this.buffer.copy(grown, 0, this.offset, this.length);
      this.buffer = grown;
      this.offset = 0;
      this.length = live;
    }
    chunk.copy(this.buffer, this.length);
    this.length += chunk.length;
  }

  /** The next complete reply, or undefined when more bytes are needed; bulk strings as text unless `raw`. */
  next(raw = false): RespValue | undefined {
    // A reply resumed keeps the `raw` it started with.
    if (this.open.length === 0) this.raw = raw;
    for (;;) {
      const start = this.offset;
      const value = this.element();
      if (value === undefined) {
        this.offset = start;
        return undefined;
      }
      if (value === OPENED) continue;
      let done: RespValue = value;
      // Close every array the value completes; the reply is complete when none is left open.
      for (;;) {
        const parent = this.open.at(-1);
        if (!parent) {
          this.consumedAny = true;
          return done;
        }
        parent.items.push(done);
        if (parent.items.length < parent.count) break;
        this.open.pop();
        done = parent.items;
      }
    }
  }

  /** The header line after the type byte, as text (`+`/`-` replies and headers that are not plain digits). */
  private line(): string | undefined {
    // A long line arriving in many chunks is searched once: the search resumes where the last one stopped.
    const from = this.lineScan?.offset === this.offset ? this.lineScan.scanned : this.offset;
    const end = this.buffer.indexOf(CRLF, from);
    // The buffer has spare room past `length`: a CRLF there is not received data.
    if (end < 0 || end + 2 > this.length) {
      this.lineScan = { offset: this.offset, scanned: Math.max(this.offset, this.length - 1) };
      return undefined;
    }
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
    for (; index < this.length && index - first < 15; index++) {
      const byte = buffer[index]!;
      if (byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
    }
    if (index > first && index + 1 < this.length && buffer[index] === 0x0d && buffer[index + 1] === 0x0a) {
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
    // Nothing parsed and nothing open: `buffer` still starts at the stream's first byte (compaction drops parsed bytes only).
    if (this.consumedAny || this.open.length > 0 || this.length === 0 || isRespTypeByte(this.buffer[0])) return undefined;
    return Buffer.from(this.buffer.subarray(0, Math.min(this.length, PROTOCOL_HEAD_BYTES)));
  }

  /**
   * One element at `offset`: a complete scalar, OPENED for a non-empty array header (now on the `open` stack), or
   * undefined when its bytes are not all here yet (nothing consumed then, only this element is read again).
   */
  private element(): RespValue | typeof OPENED | undefined {
    if (this.offset >= this.length) return undefined;
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
        if (length > MAX_PENDING_BYTES) throw protocolError(`a bulk string of ${length} bytes`);
        if (this.offset + length + 2 > this.length) return undefined;
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
        // `*0` and a count that is not a number (`*abc`) hold no items.
        if (!(count > 0)) return [];
        // A hostile 100k-deep array is a protocol error, not an unbounded stack of open arrays.
        if (this.open.length >= MAX_REPLY_DEPTH) throw protocolError(`a reply nested more than ${MAX_REPLY_DEPTH} levels deep`);
        this.open.push({ items: [], count });
        return OPENED;
      }
      default:
        // Only a complete line is an error: before, an unknown type byte was reported once its line had arrived.
        if (this.buffer.subarray(0, this.length).indexOf(CRLF, this.offset) < 0) return undefined;
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
