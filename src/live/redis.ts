import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { InputError, UnreachableError } from '../errors.js';
import { redactUrl, scrubSecrets } from '../redact.js';

/** Connection settings parsed from a redis:// or rediss:// URL. */
export interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
  /** The URL with its password replaced by `***`, safe to print. */
  redacted: string;
}

/** Parses `redis[s]://[user[:password]@]host[:port][/db]` (db also as `?db=N`); bad URLs are input errors. */
export function parseRedisUrl(raw: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`--redis is not a valid URL: ${redactUrl(raw)} (expected redis://[user:password@]host[:port][/db]).`);
  }
  const redacted = redactUrl(raw);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InputError(`--redis must be a redis:// or rediss:// URL, got ${redacted}.`);
  }
  const dbText = url.pathname.replace(/^\/+/, '') || url.searchParams.get('db') || '0';
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new InputError(`--redis: database \`${dbText}\` is not a number (${redacted}).`);
  const port = url.port ? Number(url.port) : 6379;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  // `redis://secret@host` is the classic password-only form (no ACL user).
  const lonePassword = username !== undefined && password === undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    tls: url.protocol === 'rediss:',
    ...(lonePassword ? { password: username } : {}),
    ...(!lonePassword && username ? { username } : {}),
    ...(!lonePassword && password !== undefined ? { password } : {}),
    db,
    redacted,
  };
}

/** One command: name and arguments, as sent (`['hgetall', 'rq:worker:a']`). */
export type Command = [string, ...(string | number)[]];

/** A command's outcome inside a pipeline: a value, or the error Redis answered for that command alone. */
export type Reply = { error: Error; value?: undefined } | { error?: undefined; value: unknown };

/** A read-only connection that sends commands in pipelines and counts the round trips. */
export interface RedisReader {
  readonly target: RedisTarget;
  /** Sends all commands in one round trip; an empty list costs nothing. */
  pipeline(commands: Command[]): Promise<Reply[]>;
  readonly roundTrips: number;
  close(): Promise<void>;
}

function describeConnectError(error: unknown, target: RedisTarget, timeoutMs: number): string {
  const where = `Redis at ${target.redacted}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return `Cannot connect to ${where}: connection refused.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return `Cannot connect to ${where}: host \`${target.host}\` not found (DNS).`;
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) return `Cannot connect to ${where}: no answer within ${timeoutMs} ms.`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) {
    return `Cannot connect to ${where}: authentication failed (wrong user or password).`;
  }
  if (/NOPERM/.test(text)) return `Cannot use ${where}: permission denied (${text.split('\n')[0]}).`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `Cannot connect to ${where}: the connection was closed by the server.`;
  if (/DB index is out of range|invalid DB index/i.test(text)) return `Cannot use ${where}: database ${target.db} does not exist.`;
  return `Cannot connect to ${where}: ${text.split('\n')[0]}`;
}

/**
 * Connects (ioredis, loaded lazily) and checks the server answers, all within `timeoutMs`: refused, unknown host,
 * wrong password, and a server that accepts but never answers all end in an `UnreachableError` — never a hang.
 * Nothing is written: no CLIENT SETINFO, no retries that could replay commands.
 */
export async function connectReader(rawUrl: string, timeoutMs: number): Promise<RedisReader> {
  const target = parseRedisUrl(rawUrl);
  const { Redis } = await import('ioredis');
  const options: RedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    autoResubscribe: false,
    disableClientInfo: true,
    // Lets an operator see the inspection in CLIENT LIST (ACL: +client|setname).
    connectionName: 'receipts-doctor:live',
    ...(target.username ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: { servername: target.host } } : {}),
  };
  const client: RedisClient = new Redis(options);
  let lastError: unknown;
  client.on('error', (error) => {
    lastError = error;
  });
  const fail = (error: unknown) => {
    client.disconnect();
    // disconnect() half-closes; a server that never answers would keep the socket (and the process) alive.
    (client as unknown as { stream?: { destroy(): void } }).stream?.destroy();
    const message = scrubSecrets(describeConnectError(error, target, timeoutMs), [target.password]);
    return new UnreachableError(message, 'redis', { cause: error });
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        // connect() resolves once AUTH/SELECT/SETNAME went out; PING proves the server really answers.
        await client.ping();
      })(),
      deadline,
    ]);
  } catch (error) {
    // ioredis often reports "Connection is closed." and leaves the cause in the error event.
    const cause = (error as NodeJS.ErrnoException).code === 'ETIMEDOUT' || !lastError ? error : lastError;
    throw fail(cause);
  } finally {
    clearTimeout(timer);
  }
  // Connected: reads of a large Redis may take longer than the connect budget.
  client.options.commandTimeout = Math.max(timeoutMs, 30_000);

  let roundTrips = 0;
  return {
    target,
    get roundTrips() {
      return roundTrips;
    },
    async pipeline(commands) {
      if (commands.length === 0) return [];
      roundTrips += 1;
      let results: [Error | null, unknown][] | null;
      try {
        results = await client.pipeline(commands as unknown as string[][]).exec();
      } catch (error) {
        throw fail(lastError ?? error);
      }
      if (!results) throw fail(lastError ?? new Error('the connection was closed'));
      return results.map(([error, value]) => (error ? { error } : { value }));
    },
    async close() {
      client.disconnect();
    },
  };
}

/** A reply's value as a string, or undefined for errors, nil and non-strings. */
export const asString = (reply: Reply | undefined): string | undefined => {
  const value = reply?.value;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
};

export const asNumber = (reply: Reply | undefined): number => {
  const value = reply?.value;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : 0;
};

export const asStrings = (reply: Reply | undefined): string[] =>
  Array.isArray(reply?.value) ? (reply.value as unknown[]).map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item))) : [];

export const asHash = (reply: Reply | undefined): Record<string, string> => {
  const value = reply?.value;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
};

/** Escapes glob characters so a prefix is matched literally by SCAN MATCH. */
export const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
