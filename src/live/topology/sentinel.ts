import { InputError, UnreachableError } from '../../errors.js';
import { isSentinelUrl, redactSentinelUrl, scrubSecrets } from '../../redact.js';
import { asString, connectReader, type ConnectSettings, type RedisReader, type RedisTarget } from '../redis.js';
import { withDeadline } from '../deadline.js';
import { RedisReplyError, RespConnection } from '../resp.js';

/** A `redis+sentinel://` URL: the sentinels, the master's name, and the credentials and db of the master. */
export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  masterName: string;
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
  redacted: string;
}

const SENTINEL_URL = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/@]+)\/([^/?#]+)(?:\/(\d+))?\/?$/;

export { isSentinelUrl };

/** Parses `redis+sentinel://[user:pass@]host:port[,host:port…]/<master>[/<db>]` (`rediss+sentinel://` for TLS). */
export function parseSentinelUrl(raw: string): SentinelTarget {
  const redacted = redactSentinelUrl(raw);
  const match = SENTINEL_URL.exec(raw);
  if (!match) {
    throw new InputError(`--redis is not a valid Sentinel URL: ${redacted} (expected redis+sentinel://[user:password@]host:port[,host:port…]/<master>[/<db>]).`);
  }
  const [, scheme, auth, hosts, master, db] = match;
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new InputError(`--redis: the credentials are not valid percent-encoding (write % as %25): ${redacted}.`);
    }
  };
  const sentinels = hosts!.split(',').map((entry) => {
    const hostPort = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry.trim());
    if (!hostPort) throw new InputError(`--redis: \`${entry}\` is not host:port in the Sentinel URL ${redacted}.`);
    return { host: hostPort[1] ?? hostPort[2]!, port: hostPort[3] ? Number(hostPort[3]) : 26379 };
  });
  let username: string | undefined;
  let password: string | undefined;
  if (auth) {
    const colon = auth.indexOf(':');
    if (colon < 0) password = decode(auth);
    else {
      username = decode(auth.slice(0, colon)) || undefined;
      password = decode(auth.slice(colon + 1));
    }
  }
  return {
    sentinels,
    masterName: decode(master!),
    tls: scheme === 'rediss',
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    db: db ? Number(db) : 0,
    redacted,
  };
}

/** Asks the sentinels, in order, where the master is; the first that knows answers. */
async function askSentinels(target: SentinelTarget, password: string | undefined, timeoutMs: number, settings: ConnectSettings) {
  const problems: string[] = [];
  for (const sentinel of target.sentinels) {
    let connection: RespConnection | undefined;
    try {
      const answer = await withDeadline(
        timeoutMs,
        async (signal) => {
          connection = await RespConnection.open({ ...sentinel, tls: target.tls, ...(settings.tlsFiles ? { tlsFiles: settings.tlsFiles } : {}) }, signal);
          const commands: (string | number)[][] = [];
          if (password !== undefined) commands.push(['AUTH', password]);
          commands.push(['SENTINEL', 'get-master-addr-by-name', target.masterName]);
          return connection.send(commands);
        },
        () => new Error(`no answer within ${timeoutMs} ms`),
      );
      const refused = answer.find((reply) => reply instanceof RedisReplyError);
      if (refused) {
        problems.push(`${sentinel.host}:${sentinel.port} ${/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(refused.message) ? 'refused the sentinel password (--sentinel-password, RECEIPTS_DOCTOR_SENTINEL_PASSWORD)' : refused.message.split('\n')[0]}`);
        continue;
      }
      const address = answer[answer.length - 1];
      if (!Array.isArray(address) || address.length < 2) {
        problems.push(`${sentinel.host}:${sentinel.port} does not know a master named \`${target.masterName}\``);
        continue;
      }
      return { host: asString({ value: address[0] })!, port: Number(asString({ value: address[1] })) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`${sentinel.host}:${sentinel.port} ${code === 'ECONNREFUSED' ? 'refused the connection' : (error as Error).message.split('\n')[0]}`);
    } finally {
      connection?.close();
    }
  }
  // Only the sentinels' answers are untrusted text: the secrets are scrubbed from them, not from the doctor's words.
  const answers = scrubSecrets(problems.join('; '), [password, target.password]);
  throw new UnreachableError(`Cannot find master \`${target.masterName}\` through the sentinels of ${target.redacted}: ${answers}.`, 'redis');
}

/** Sentinels re-elect within seconds; a master still reporting itself a replica is waited for this long at most. */
const FAILOVER_WAIT_MS = 15_000;

export interface SentinelMaster {
  reader: RedisReader;
  /** `host:port` of the master the sentinels named. */
  address: string;
}

/**
 * The master of a Sentinel setup, resolved through the sentinels (with their own password) and checked with
 * `INFO replication` (`role:master`): during a failover the old master may still be named while it is already a
 * replica, so the sentinels are asked again until they name a master (at most FAILOVER_WAIT_MS).
 */
export async function openSentinelMaster(
  target: SentinelTarget,
  sentinelPassword: string | undefined,
  timeoutMs: number,
  settings: ConnectSettings,
): Promise<SentinelMaster> {
  const deadline = Date.now() + Math.max(timeoutMs, FAILOVER_WAIT_MS);
  for (;;) {
    const { host, port } = await askSentinels(target, sentinelPassword, timeoutMs, settings);
    const master: RedisTarget = {
      host,
      port,
      tls: target.tls,
      db: target.db,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      redacted: `${target.tls ? 'rediss' : 'redis'}://${target.password !== undefined ? `${target.username ?? ''}:***@` : ''}${host.includes(':') ? `[${host}]` : host}:${port}${target.db ? `/${target.db}` : ''}`,
    };
    const reader = await connectReader(master, timeoutMs, settings);
    const [role] = await reader.pipeline([['info', 'replication']]);
    if (/^role:master\s*$/m.test(asString(role) ?? '')) return { reader, address: `${host}:${port}` };
    await reader.close();
    if (Date.now() > deadline) {
      throw new UnreachableError(
        `The sentinels of ${target.redacted} name ${host}:${port} as master \`${target.masterName}\`, but it is a replica (a failover that does not finish?).`,
        'redis',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

