import { InputError, UnreachableError } from '../errors.js';
import { badRedisUrlReason, escapeControlChars, redisUrlFormProblem, redactUrl, redactUrlsInText, scrubSecrets } from '../redact.js';
import { connectTimedOut, withDeadline } from './deadline.js';
import { describeForeignProtocol } from './protocol-guess.js';
import { RedisReplyError, RespConnection, type RespValue, type TlsFiles } from './resp.js';

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

/** The form --redis expects, quoted in every message about a malformed URL. */
const REDIS_URL_FORM = 'redis://[user:password@]host[:port][/db]';

/** Parses `redis[s]://[user[:password]@]host[:port][/db]` (db also as `?db=N`); bad URLs are input errors. */
export function parseRedisUrl(raw: string): RedisTarget {
  const formProblem = redisUrlFormProblem(raw);
  if (formProblem) throw new InputError(`--redis is not a valid Redis URL: ${formProblem} (expected ${REDIS_URL_FORM}).`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`--redis is not a valid URL: ${badRedisUrlReason(raw)} (expected ${REDIS_URL_FORM}).`);
  }
  const redacted = redactUrl(raw);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InputError(`--redis must be a redis:// or rediss:// URL, got ${redacted}.`);
  }
  const dbText = url.pathname.replace(/^\/+/, '') || url.searchParams.get('db') || '0';
  const db = Number(dbText);
  // The path is not quoted: in `rediss:/u:PW@host` (one slash) it holds the password.
  if (!Number.isInteger(db) || db < 0) throw new InputError(`--redis: the database (the path after the host, or ?db=) is not a number (${redacted}).`);
  const port = url.port ? Number(url.port) : 6379;
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new InputError(`--redis: the ${what} is not valid percent-encoding (write % as %25): ${redacted}.`);
    }
  };
  const username = url.username ? decode(url.username, 'user') : undefined;
  const password = url.password ? decode(url.password, 'password') : undefined;
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
  /**
   * The servers that hold a part of the keyspace, for commands that are per server, not per key (SCAN,
   * CLIENT LIST): the masters of a Cluster; absent for one server (it is its own only node).
   */
  readonly nodes?: readonly RedisReader[];
  /** The server said `cluster_enabled:1` in the handshake's INFO. */
  readonly clusterEnabled?: boolean;
  close(): Promise<void>;
}

/** Connection settings every server of one `--redis` shares (TLS files today). */
export interface ConnectSettings {
  tlsFiles?: TlsFiles;
}

/**
 * One line on why a Redis could not be used. Only the error's own text is untrusted (a server's reply, a socket
 * error): the secrets are scrubbed from it, never from the doctor's words around it.
 */
function describeConnectError(error: unknown, target: RedisTarget, timeoutMs: number): string {
  const where = `Redis at ${target.redacted}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = redactUrlsInText(scrubSecrets(error instanceof Error ? error.message : String(error), [target.password]));
  if (code === 'ECONNREFUSED') return `Cannot connect to ${where}: connection refused.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return `Cannot connect to ${where}: host \`${target.host}\` not found (DNS).`;
  }
  if (code === 'ERESPPROTO') {
    const head = (error as { head?: Buffer }).head;
    return head ? `${where} does not speak Redis's protocol: ${describeForeignProtocol(head)}.` : `${where} answered with a reply that is not valid RESP: ${text}.`;
  }
  if (code === 'EREADTIMEOUT') return `${where} stopped answering during the inspection: ${text}.`;
  if (code === 'ETLSNOANSWER') {
    return `Cannot connect to ${where}: the TLS handshake got no answer within ${timeoutMs} ms (a Redis without TLS never answers one: use redis:// for it).`;
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) return `Cannot connect to ${where}: no answer within ${timeoutMs} ms.`;
  if (/^NOAUTH/.test(text)) {
    return target.password === undefined
      ? `Cannot connect to ${where}: the server requires a password and none was sent (write it in the URL: redis://[user]:password@host).`
      : `Cannot connect to ${where}: the server still requires authentication after the password was sent.`;
  }
  if (/WRONGPASS|invalid password|invalid username-password/i.test(text)) {
    return `Cannot connect to ${where}: authentication failed (wrong user or password).`;
  }
  if (/AUTH .*called without any password configured/i.test(text)) {
    return `Cannot connect to ${where}: a password was sent but the server has none configured for the ${target.username ? `user \`${target.username}\`` : 'default user'} (drop it from the URL, or check the host).`;
  }
  if (/NOPERM/.test(text)) return `Cannot use ${where}: permission denied (${text.split('\n')[0]}).`;
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    // Redis's TLS port hangs up on a plain-text client without a byte: the likeliest cause worth naming.
    return `Cannot connect to ${where}: the connection was closed by the server${target.tls ? '' : ' (if that port expects TLS, use rediss://)'}.`;
  }
  if (/DB index is out of range|invalid DB index/i.test(text)) return `Cannot use ${where}: database ${target.db} does not exist.`;
  if (/SELECT is not allowed in cluster mode/i.test(text)) return `Cannot use ${where}: it is a Redis Cluster node, which has database 0 only (drop /${target.db} from the URL).`;
  if (/certificate|self[- ]signed|unable to (get|verify)|SSL|TLS|alert/i.test(text) || /^ERR_TLS|^ERR_SSL|CERT/.test(String(code ?? ''))) {
    return `Cannot connect to ${where}: TLS failed (${text.split('\n')[0]}); check --tls-ca, --tls-cert and --tls-key.`;
  }
  return `Cannot connect to ${where}: ${text.split('\n')[0]}`;
}

/** Bulk strings become text, HGETALL's flat list a record; `hgetBuffer` keeps the raw bytes (zlib'd payloads). */
function decode(name: string, value: RespValue): unknown {
  if (value instanceof RedisReplyError) return value;
  if (name === 'hgetBuffer') return value;
  if (name === 'hgetall' && Array.isArray(value)) {
    const hash: Record<string, string> = {};
    for (let index = 0; index + 1 < value.length; index += 2) hash[String(value[index])] = String(value[index + 1]);
    return hash;
  }
  return value;
}


/**
 * Connects and checks the server answers, all within `timeoutMs`: refused, unknown host, wrong password, and a
 * server that accepts but never answers all end in an `UnreachableError` — never a hang. The handshake is
 * AUTH (when given), SELECT (db ≠ 0), CLIENT SETNAME (so operators can see the inspection), PING.
 */
/**
 * Once connected, a round trip of the inspection gets at least this long (or the connect timeout, when longer):
 * reads are fast even on a large Redis, and a Redis that freezes mid-inspection must not hang the run.
 */
const READ_TIMEOUT_FLOOR_MS = 10_000;

/** Commands whose refusal by an ACL (NOPERM) only leaves something out, instead of making the Redis look empty. */
const OPTIONAL_COMMANDS = new Set(['client', 'cluster', 'object']);

/**
 * The commands as sent and which replies stay bytes: `hgetBuffer` is HGET with its reply kept raw. Only those are
 * copied (a pipeline of 1,000 worker hashes copied whole, argument by argument, was a visible part of a cold run).
 */
function onTheWire(commands: Command[]): [wire: readonly Command[], raw: readonly boolean[]] {
  let wire: Command[] | undefined;
  const raw: boolean[] = [];
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!;
    if (command[0] !== 'hgetBuffer') continue;
    wire ??= commands.slice();
    wire[index] = ['hget', ...command.slice(1)];
    raw[index] = true;
  }
  return [wire ?? commands, raw];
}

export async function connectReader(url: string | RedisTarget, timeoutMs: number, settings: ConnectSettings = {}): Promise<RedisReader> {
  const target = typeof url === 'string' ? parseRedisUrl(url) : url;
  let clusterEnabled = false;
  const fail = (error: unknown) =>
    new UnreachableError(escapeControlChars(describeConnectError(error, target, timeoutMs)), 'redis', {
      cause: error,
    });
  let connection: RespConnection | undefined;
  try {
    await withDeadline(
      timeoutMs,
      async (signal) => {
        connection = await RespConnection.open({ ...target, ...(settings.tlsFiles ? { tlsFiles: settings.tlsFiles } : {}) }, signal);
        const handshake: Command[] = [];
        if (target.password !== undefined) {
          handshake.push(target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]);
        }
        if (target.db !== 0) handshake.push(['SELECT', target.db]);
        // INFO cluster rides along (no extra round trip): a Cluster node is detected from `cluster_enabled:1`.
        handshake.push(['CLIENT', 'SETNAME', 'receipts-doctor:live'], ['PING'], ['INFO', 'cluster']);
        const replies = await connection.send(handshake);
        // CLIENT SETNAME may be refused by an ACL (the inspection works without a name), INFO too (then: no Cluster).
        const setnameIndex = handshake.length - 3;
        const infoIndex = handshake.length - 1;
        const refused = replies.find((reply, index) => reply instanceof RedisReplyError && index !== setnameIndex && index !== infoIndex);
        if (refused) throw refused;
        const info = replies[infoIndex];
        clusterEnabled = typeof info === 'string' && /^cluster_enabled:1\s*$/m.test(info);
      },
      connectTimedOut,
    );
  } catch (error) {
    connection?.close();
    throw fail(error);
  }
  const open = connection!;

  let roundTrips = 0;
  return {
    target,
    clusterEnabled,
    get roundTrips() {
      return roundTrips;
    },
    async pipeline(commands) {
      if (commands.length === 0) return [];
      roundTrips += 1;
      let replies: RespValue[];
      const readTimeoutMs = Math.max(timeoutMs, READ_TIMEOUT_FLOOR_MS);
      let readTimer: NodeJS.Timeout | undefined;
      try {
        replies = await Promise.race([
          open.send(...onTheWire(commands)),
          new Promise<never>((_, reject) => {
            readTimer = setTimeout(() => {
              open.close();
              reject(Object.assign(new Error(`no reply within ${readTimeoutMs} ms`), { code: 'EREADTIMEOUT' }));
            }, readTimeoutMs);
          }),
        ]);
      } catch (error) {
        throw fail(error);
      } finally {
        clearTimeout(readTimer);
      }
      // A refused read (ACL without +@read) would silently look like an empty Redis: say so instead.
      // CLIENT LIST may be refused (BullMQ falls back to stalled-check keys); CLUSTER SLOTS says which grant it needs;
      // OBJECT IDLETIME only adds how long a Celery message waited.
      const denied = replies.findIndex(
        (reply, index) => reply instanceof RedisReplyError && /^NOPERM/.test(reply.message) && !OPTIONAL_COMMANDS.has(commands[index]![0]),
      );
      if (denied >= 0) throw fail(replies[denied]);
      return replies.map((reply, index) => {
        const value = decode(commands[index]![0], reply);
        return value instanceof RedisReplyError ? { error: value } : { value };
      });
    },
    async close() {
      open.close();
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
