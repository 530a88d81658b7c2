import * as path from 'node:path';
import type { Command } from 'commander';
import type { ProjectConfig } from '../config/index.js';
import { DEFAULT_SMOKE_TIMEOUT_SECONDS, DEFAULT_SYNC_BODY, DIAGNOSTICS_PATH, JOB_ID_PARAM, STATUS_PATH, SYNC_PATH } from '../contract/http.js';
import { InputError } from '../errors.js';
import { confinedFileSystem, nodeFileSystem, readFailureReason } from '../fs.js';
import { DEFAULT_BULL_PREFIX } from '../frameworks/bullmq/live-keys.js';
import { BACKENDS } from '../frameworks/index.js';
import { parseBrokerUrl } from '../live/rabbitmq/broker-url.js';
import type { LiveOptions } from '../live/index.js';
import { parseApiUrl } from '../smoke/api-url.js';
import type { SmokeOptions } from '../smoke/index.js';
import { describeDiscovery, hasDeploymentFiles, sourceById, SOURCES } from '../sources/index.js';
import type { StaticOptions } from '../static.js';
import type { StaticSection } from '../types.js';
import { assertEnvironmentHasProject, assertKnownEnvironment } from './environment.js';
import { collect, collectRaw, parseEnvSpec, parseNumber, parseSourceSpec, parseVars } from './parse.js';

/** The help of every command's `[dir]`: a project is any folder with the files of a deployment source (the registry). */
export const PROJECT_DIR_ARGUMENT = `project dir, with any deployment source: ${SOURCES.map((source) => source.id).join(', ')}`;

/** Whether a dir holds the files of a deployment source; a dir without any is not a project. */
export function hasProjectFiles(dir: string): boolean {
  return hasDeploymentFiles(nodeFileSystem, dir);
}

/** Absolute project root; exit 2 when the dir does not exist or (unless sources are explicit) holds no deployment files. */
export async function resolveProjectDir(dir: string, explicitEnvironments: boolean): Promise<string> {
  const root = path.resolve(dir);
  if (!nodeFileSystem.isDirectory(root)) {
    if (!nodeFileSystem.exists(root)) throw new InputError(`Project dir ${dir} does not exist.`);
    // `static proj/docker-compose.yml`: the argument is the project's folder; one file is an environment.
    const folder = path.dirname(dir);
    throw new InputError(
      `${dir} is a file; give the project's folder (${folder}), or that folder with --env NAME=${path.basename(dir)} to read only this file as environment NAME.`,
    );
  }
  // Environments declared in the config file are as explicit as --env: their files may live in subdirs.
  if (!explicitEnvironments && !hasProjectFiles(root)) {
    const config = await projectConfig(root);
    if (!config.environments && !config.sources) throw new InputError(`${dir}: no deployment files in this directory (looked for ${describeDiscovery()}).`);
  }
  return root;
}

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

export function resolveStatic(root: string, options: StaticCliOptions, config: ProjectConfig): StaticOptions {
  const explicitCli = Boolean(options.env || options.source);
  const environments = explicitCli ? options.env?.map(parseEnvSpec) : config.environments;
  const sources = explicitCli ? options.source?.map(parseSourceSpec) : config.sources;
  // An unknown kind is an input error before anything is read.
  for (const declaration of sources ?? []) sourceById(declaration.source);
  const vars = { ...config.vars, ...parseVars(options.var ?? []) };
  const envFiles = (options.envFile ?? config.envFiles)?.map((file) => path.resolve(root, file));
  const profiles = options.profile ?? config.profiles;
  const queueVariables = options.queueVar ?? config.queueVariables;
  return {
    fs: nodeFileSystem,
    root,
    ...(environments ? { environments } : {}),
    ...(sources?.length ? { sources } : {}),
    ...(sources?.some((declaration) => declaration.path === '-') ? { readStdin } : {}),
    ...(profiles ? { profiles } : {}),
    ...(envFiles ? { envFiles } : {}),
    // Files the operator named may live anywhere; those the project's config names stay inside the project.
    ...(options.envFile && envFiles ? { operatorFiles: envFiles } : {}),
    ...(Object.keys(vars).length ? { vars } : {}),
    ...(options.shellEnv ? { shellEnv: { ...process.env } } : {}),
    ...(queueVariables ? { queueVariables } : {}),
    ...(options.includeTests || config.includeTests ? { includeTests: true } : {}),
    ...(config.ignore ? { ignore: config.ignore } : {}),
    ...(options.queue?.length ? { queues: options.queue } : {}),
  };
}

/** Stdin whole, capped while reading (rendered manifests piped in: `helm template … | receipts-doctor static --source helm=-`). */
async function readStdin(): Promise<string> {
  const limit = 10 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new InputError(`stdin: more than ${limit / 1024 / 1024} MiB of rendered manifests`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `--queue` for the `static` command (`check` has it among the live options, and passes it to both stages). */
export function addStaticQueueOption(command: Command): Command {
  return command.option('--queue <name>', 'a queue the code enqueues to that the scan cannot see (repeatable, comma lists)', collect);
}

/** The project config under `root` ({} without a root); its YAML parser is loaded only when needed. */
export async function projectConfig(root: string | undefined): Promise<ProjectConfig> {
  if (!root) return {};
  const { loadProjectConfig } = await import('../config/index.js');
  return loadProjectConfig(root, confinedFileSystem(nodeFileSystem, root));
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

/** "rq, bullmq and celery": the live backends (the FRAMEWORKS registry's) in a sentence, for help and messages. */
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
function noteWithheld(what: string, options: { quiet?: boolean }): void {
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

export interface SmokeCliOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
  body?: string;
  syncPath?: string;
  statusPath?: string;
  diagnosticsPath?: string;
  timeout?: string;
  insecure?: boolean;
  /** `--quiet` (an output option): no note on stderr. */
  quiet?: boolean;
}

export function addSmokeOptions(command: Command): Command {
  return command
    .option('--url <url>', 'base URL of the API to smoke-test (RECEIPTS_DOCTOR_URL)')
    .option('--token <token>', 'bearer token (prefer --token-file or RECEIPTS_DOCTOR_TOKEN)')
    .option('--token-file <file>', 'read the bearer token from a file')
    .option('--body <json>', `JSON body of the sync request (default: ${DEFAULT_SYNC_BODY})`)
    .option('--sync-path <path>', `sync endpoint (default: ${SYNC_PATH})`)
    .option('--status-path <path>', `status endpoint (${JOB_ID_PARAM} is added as a query parameter) (default: ${STATUS_PATH})`)
    .option('--diagnostics-path <path>', `diagnostics endpoint read on failure (default: ${DIAGNOSTICS_PATH})`)
    .option('--timeout <seconds>', `give up when the job is not final after this long (default: ${DEFAULT_SMOKE_TIMEOUT_SECONDS})`)
    .option('--insecure', 'accept an invalid TLS certificate');
}

/** A bearer token is a line, not a file of megabytes. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

function readToken(options: SmokeCliOptions): string | undefined {
  if (options.token) return options.token;
  if (options.tokenFile) {
    try {
      return nodeFileSystem.readFile(options.tokenFile, MAX_TOKEN_FILE_BYTES).trim();
    } catch (error) {
      // The reason only: never the file's content, which is a secret.
      throw new InputError(`Cannot read --token-file ${options.tokenFile}: ${readFailureReason(error)}`);
    }
  }
  return process.env.RECEIPTS_DOCTOR_TOKEN || undefined;
}

export function resolveSmoke(options: SmokeCliOptions, config: ProjectConfig): SmokeOptions | undefined {
  const operatorUrl = options.url ?? process.env.RECEIPTS_DOCTOR_URL;
  const url = operatorUrl ?? config.smoke?.url;
  if (!url) return undefined;
  // Checked now: a bad URL is an input error before any stage runs (runSmoke checks it the same way).
  parseApiUrl(url);
  const body = options.body ?? config.smoke?.body ?? DEFAULT_SYNC_BODY;
  try {
    JSON.parse(body);
  } catch {
    throw new InputError('--body is not valid JSON.');
  }
  const operatorToken = readToken(options);
  // The operator's token goes only to a URL the operator named, never to one only the repository's config names.
  const token = operatorUrl !== undefined ? operatorToken : undefined;
  const tokenWithheld = operatorToken !== undefined && token === undefined;
  if (tokenWithheld) noteWithheld('the token (smoke.url comes only from the config file; name the API with --url or RECEIPTS_DOCTOR_URL to send it)', options);
  return {
    url,
    ...(token ? { token } : {}),
    ...(tokenWithheld ? { tokenWithheld } : {}),
    body,
    syncPath: options.syncPath ?? config.smoke?.syncPath ?? SYNC_PATH,
    statusPath: options.statusPath ?? config.smoke?.statusPath ?? STATUS_PATH,
    diagnosticsPath: options.diagnosticsPath ?? config.smoke?.diagnosticsPath ?? DIAGNOSTICS_PATH,
    timeoutMs:
      1000 * (options.timeout !== undefined ? parseNumber('--timeout', options.timeout) : (config.smoke?.timeout ?? DEFAULT_SMOKE_TIMEOUT_SECONDS)),
    insecure: options.insecure ?? false,
  };
}

/** What `live` and `exporter` start from: the project (optional), its config, the live options and `--environment`. */
export interface LiveCommandSetup {
  root?: string;
  config: ProjectConfig;
  live: LiveOptions;
  environment?: string;
}

/** Checks a live command's dir and flags before any network: a Redis is required, `--environment` needs a dir. */
export async function setUpLiveCommand(command: string, dir: string | undefined, options: LiveCliOptions & StaticCliOptions): Promise<LiveCommandSetup> {
  const root = dir !== undefined ? await resolveProjectDir(dir, Boolean(options.env || options.source)) : undefined;
  const config = await projectConfig(root);
  assertEnvironmentHasProject(options.environment ?? config.live?.environment, root);
  const resolved = resolveLive(options, config);
  if (!resolved) throw new InputError(`${command} needs --redis URL (or REDIS_URL), or --broker amqp://… for Celery on RabbitMQ.`);
  const { environment, ...live } = resolved;
  return { ...(root ? { root } : {}), config, live, ...(environment !== undefined ? { environment } : {}) };
}

/** The project's static section, loaded only when a dir is given; an `--environment` it does not have is an input error. */
export async function runProjectStatic(
  root: string,
  options: StaticCliOptions,
  config: ProjectConfig,
  environment: string | undefined,
): Promise<StaticSection> {
  const { runStatic } = await import('../static.js');
  const { section } = await runStatic(resolveStatic(root, options, config));
  assertKnownEnvironment(section.environments.map((entry) => entry.name), environment);
  return section;
}
