import type { Command } from 'commander';
import type { ProjectConfig } from '../config/index.js';
import { InputError } from '../errors.js';
import { nodeFileSystem, readFailureReason } from '../fs.js';
import { DEFAULT_BULL_PREFIX } from '../frameworks/bullmq/live-keys.js';
import { BACKENDS } from '../frameworks/live.js';
import { parseBrokerUrl } from '../live/rabbitmq/broker-url.js';
import type { LiveOptions } from '../live/index.js';
import { SOURCE_IDS } from '../sources/ids.js';
import { assertEnvironmentHasProject } from './environment.js';
import { collect, collectRaw, parseNumber } from './parse.js';

// The options of the commands that read a live target, and the `live` command's set-up without a project: what the
// `live` bundle (src/cli/live-main.ts) needs, kept apart from stages.ts, which loads the static stage's registries.

/** The help of every command's `[dir]`: a project is any folder with the files of a deployment source (SOURCE_IDS, the registry's ids). */
export const PROJECT_DIR_ARGUMENT = `project dir, with any deployment source: ${SOURCE_IDS.join(', ')}`;

export interface StaticCliOptions {
  env?: string[];
  profile?: string[];
  envFile?: string[];
  source?: string[];
  var?: string[];
  shellEnv?: boolean;
  queueVar?: string[];
  includeTests?: boolean;
  /** `--queue` (static registers it; check shares the live stage's option). */
  queue?: string[];
}

export function addStaticOptions(command: Command): Command {
  return command
    .option('--env <name=files>', 'declare an environment: NAME=FILE[,FILE…] (repeatable)', collectRaw)
    .option('--source <kind=path>', 'read environments from this deployment source: KIND[:ENV]=PATH, e.g. kustomize=deploy/overlays/prod, helm:prod=rendered.yaml, helm=- (repeatable)', collectRaw)
    .option('--profile <profile>', 'activate a compose profile (repeatable)', collect)
    .option('--env-file <file>', 'interpolation variables from this file instead of .env (repeatable)', collectRaw)
    .option('--var <key=value>', 'set an interpolation variable (repeatable)', collectRaw)
    .option('--shell-env', 'let the shell environment take part in interpolation')
    .option('--queue-var <name>', 'another environment variable that lists worker queues (repeatable)', collect)
    .option('--include-tests', 'scan test files for producers too');
}

export interface LiveCliOptions {
  redis?: string[];
  broker?: string[];
  rabbitmqApi?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  sentinelPassword?: string;
  queue?: string[];
  backend?: string;
  prefix?: string;
  stuckAfter?: string;
  connectTimeout?: string;
  environment?: string;
  celeryInspect?: string | boolean;
  /** `--quiet` (an output option): no note on stderr. */
  quiet?: boolean;
}

/** "rq, bullmq and celery": the live backends (LIVE_FRAMEWORKS') in a sentence, for help and messages. */
export const liveBackendList = (last = 'or') => `${BACKENDS.slice(0, -1).join(', ')} ${last} ${BACKENDS.at(-1)}`;

/** Celery's own `inspect` waits 1 s for the workers' answers. */
const CELERY_INSPECT_DEFAULT_SECONDS = 1;

export function addLiveOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'Redis to inspect: redis://, rediss://, redis+sentinel://host:port[,host:port…]/<master>[/<db>], a Cluster node; repeatable (REDIS_URL)', collectRaw)
    .option('--broker <url>', "Celery's RabbitMQ broker to inspect: amqp://user:pass@host:5672/vhost, amqps://; read through its management API; repeatable", collectRaw)
    .option('--rabbitmq-api <url>', "RabbitMQ's management API for --broker (default: http://<broker host>:15672, with the broker URL's user unless this URL names its own; a `monitoring`-tag user suffices)")
    .option('--tls-ca <file>', 'rediss://: trust this CA (PEM) instead of the system CAs')
    .option('--tls-cert <file>', 'rediss://: client certificate (PEM)')
    .option('--tls-key <file>', 'rediss://: private key of --tls-cert (PEM)')
    .option('--sentinel-password <password>', "the sentinels' own password (prefer RECEIPTS_DOCTOR_SENTINEL_PASSWORD)")
    .option('--queue <name>', 'a queue that must have a live worker (repeatable, comma lists)', collect)
    .option('--backend <name>', `${BACKENDS.join(', ')} or auto (default: auto)`)
    .option(
      '--celery-inspect [seconds]',
      `WRITES to Redis: send Celery's \`inspect active_queues\` broadcast (a reply binding, a PUBLISH, a reply list; removed afterwards) and wait SECONDS (default ${CELERY_INSPECT_DEFAULT_SECONDS}) for the workers' answers, to learn which queues each consumes. Off by default: without it the live stage only reads`,
    )
    .option('--prefix <prefix>', `read only this BullMQ key prefix (default: every prefix in use, \`${DEFAULT_BULL_PREFIX}\` when none); with --backend sidekiq, only this redis-namespace (default: the root keyspace and every namespace in use)`)
    .option('--stuck-after <seconds>', 'oldest waiting job age that counts as stuck (default: 120)')
    .option('--connect-timeout <ms>', 'give up connecting to Redis after this long (default: 5000)')
    .option('--environment <name>', 'the compose environment live workers are compared with (default prod/production, else default)');
}

/** The one-line note that a credential was not sent to a target only the project's config names (not with --quiet). */
export function noteWithheld(what: string, options: { quiet?: boolean }): void {
  if (!options.quiet) process.stderr.write(`receipts-doctor: note: not sending ${what}.\n`);
}

/** A PEM file for --tls-*: read whole (they are small), an unreadable one is an input error. */
function readPem(flag: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    // Only a regular file, capped while reading (a PEM bundle is a few KiB; /dev/zero must not fill memory).
    return Buffer.from(nodeFileSystem.readFile(file, 1024 * 1024), 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read ${flag} ${file}: ${readFailureReason(error)}`);
  }
}

type ConfiguredUrls = string | string[] | Record<string, string[]> | undefined;

/**
 * `live.redis` / `live.broker` of the config file: one URL, a list, or per environment (the chosen one, else
 * `default`); `missing` names a per-environment entry the environment does not have.
 */
function configuredUrls(key: 'redis' | 'broker', configured: ConfiguredUrls, environment: string | undefined): { urls?: string[]; missing?: string } {
  if (typeof configured === 'string') return { urls: [configured] };
  if (Array.isArray(configured) || !configured) return configured ? { urls: configured } : {};
  const name = environment ?? 'default';
  const urls = configured[name];
  return urls
    ? { urls }
    : { missing: `live.${key} in the config file has no entry for environment \`${name}\` (have: ${Object.keys(configured).join(', ')}); choose one with --environment.` };
}

/** Where the live stage's Redis came from: `--redis`, the `REDIS_URL` environment variable, or the config file. */
export type LiveOrigin = 'flag' | 'REDIS_URL' | 'config';

export function resolveLive(options: LiveCliOptions, config: ProjectConfig): (LiveOptions & { environment?: string; origin: LiveOrigin }) | undefined {
  const environment = options.environment ?? config.live?.environment;
  // Each kind of target: the command line (or REDIS_URL), else the config file.
  const redisFromCli = options.redis ?? (process.env.REDIS_URL ? [process.env.REDIS_URL] : undefined);
  const redis = redisFromCli ? { urls: redisFromCli } : configuredUrls('redis', config.live?.redis, environment);
  const brokers = options.broker ? { urls: options.broker } : configuredUrls('broker', config.live?.broker, environment);
  if (!redis.urls?.length && !brokers.urls?.length) {
    const missing = redis.missing ?? brokers.missing;
    if (missing) throw new InputError(missing);
    return undefined;
  }
  const origin: LiveOrigin = options.redis ? 'flag' : process.env.REDIS_URL ? 'REDIS_URL' : options.broker ? 'flag' : 'config';
  const operatorUrls = redisFromCli;
  const [redisUrl, ...moreRedisUrls] = redis.urls ?? [];
  // A broker named on the command line never sends its credentials to an API address the project's config chose.
  const rabbitmqApi = options.rabbitmqApi ?? (options.broker ? undefined : config.live?.rabbitmqApi);
  // Checked now: a bad URL is an input error before anything is read.
  for (const url of brokers.urls ?? []) parseBrokerUrl(url, rabbitmqApi);
  const rabbitmq: Pick<LiveOptions, 'brokers' | 'rabbitmqApi'> = brokers.urls?.length
    ? { brokers: brokers.urls, ...(rabbitmqApi !== undefined ? { rabbitmqApi } : {}) }
    : {};
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new InputError('--tls-cert and --tls-key go together.');
  // The operator's credentials (the sentinels' password, a client certificate) go only to a Redis the operator
  // named: never to one only the repository's config file names.
  const operatorSentinelPassword = options.sentinelPassword ?? (process.env.RECEIPTS_DOCTOR_SENTINEL_PASSWORD || undefined);
  const withheld = operatorUrls || !redisUrl
    ? []
    : [operatorSentinelPassword !== undefined ? 'the sentinel password' : undefined, options.tlsCert !== undefined ? 'the client certificate' : undefined].filter((what) => what !== undefined);
  if (withheld.length) noteWithheld(`${withheld.join(' and ')} (live.redis comes only from the config file; name the Redis with --redis or REDIS_URL to send them)`, options);
  const tlsFiles = {
    ca: readPem('--tls-ca', options.tlsCa),
    cert: operatorUrls ? readPem('--tls-cert', options.tlsCert) : undefined,
    key: operatorUrls ? readPem('--tls-key', options.tlsKey) : undefined,
  };
  const sentinelPassword = operatorUrls ? operatorSentinelPassword : undefined;
  const backend = options.backend ?? config.live?.backend ?? 'auto';
  if (backend !== 'auto' && !(BACKENDS as readonly string[]).includes(backend)) throw new InputError(`--backend expects ${BACKENDS.join(', ')} or auto, got \`${backend}\`.`);
  const inspect = options.celeryInspect;
  const inspectSeconds =
    inspect === undefined || inspect === false ? undefined : inspect === true ? CELERY_INSPECT_DEFAULT_SECONDS : parseNumber('--celery-inspect', inspect, { min: 0.05 });
  if (inspectSeconds !== undefined && inspectSeconds > 60) throw new InputError(`--celery-inspect waits at most 60 seconds, got ${inspectSeconds}.`);
  if (rabbitmq.brokers && !redisUrl && backend !== 'auto' && backend !== 'celery') {
    throw new InputError(`--backend ${backend} reads Redis: --broker is Celery's RabbitMQ (use --backend celery or auto), or give --redis.`);
  }
  return {
    ...(redisUrl ? { redisUrl } : {}),
    ...(moreRedisUrls.length ? { moreRedisUrls } : {}),
    ...rabbitmq,
    ...(tlsFiles.ca || tlsFiles.cert ? { tlsFiles: Object.fromEntries(Object.entries(tlsFiles).filter(([, value]) => value)) } : {}),
    ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
    backend: backend as LiveOptions['backend'],
    ...((options.prefix ?? config.live?.prefix) !== undefined ? { prefix: (options.prefix ?? config.live?.prefix)! } : {}),
    expectedQueues: options.queue ?? config.queues ?? [],
    stuckAfterSeconds:
      options.stuckAfter !== undefined ? parseNumber('--stuck-after', options.stuckAfter) : (config.live?.stuckAfter ?? 120),
    connectTimeoutMs: parseNumber('--connect-timeout', options.connectTimeout ?? '5000', { min: 1 }),
    ...(inspectSeconds !== undefined ? { celeryInspectTimeoutMs: Math.round(inspectSeconds * 1000) } : {}),
    ...(environment ? { environment } : {}),
    origin,
  };
}

/** What `live` and `exporter` start from: the project (optional), its config, the live options and `--environment`. */
export interface LiveCommandSetup {
  root?: string;
  config: ProjectConfig;
  live: LiveOptions;
  environment?: string;
}

/** The live options of a command, checked before any network: a Redis (or broker) is required, `--environment` needs a dir. */
export function liveSetup(command: string, root: string | undefined, config: ProjectConfig, options: LiveCliOptions): LiveCommandSetup {
  assertEnvironmentHasProject(options.environment ?? config.live?.environment, root);
  const resolved = resolveLive(options, config);
  if (!resolved) throw new InputError(`${command} needs --redis URL (or REDIS_URL), or --broker amqp://… for Celery on RabbitMQ.`);
  const { environment, ...live } = resolved;
  return { ...(root ? { root } : {}), config, live, ...(environment !== undefined ? { environment } : {}) };
}
