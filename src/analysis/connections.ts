import { environmentName } from '../wording.js';
import type { DeploymentEnvironment, DeploymentService, EnvEntry } from '../model.js';
import { finding } from '../finding.js';
import type { Consumer, Finding, Location, Producer, RelatedInfo } from '../types.js';
import { producerQueuesIn, servicesRunning } from './producer-environments.js';
import { byCodeUnits } from '../order.js';

/**
 * connection-mismatch, pure over data: in an environment, the services that enqueue to a queue and the worker
 * services that consume it must point at the same Redis (host, port, db, user) and, for BullMQ, the same key prefix.
 * Only values the configuration (or the code) states on both sides are compared; a password is never read.
 */

/** Variables that hold a Redis URL, most specific first; then any other `*_REDIS_URL`. */
const URL_VARIABLES = ['RQ_REDIS_URL', 'REDIS_URL', 'REDIS_URI', 'REDIS_DSN'];

/** Where a service's Redis is, as far as its configuration states it. */
export interface RedisEndpoint {
  host?: string;
  port?: string;
  db?: string;
  user?: string;
  /** Where it is set (the env entry or the command). */
  location?: Location;
  /** How it was read (`REDIS_URL`, `rq worker --url`). */
  from: string;
}

/** A Redis URL's host, port, db and user (undefined: not a redis/rediss/unix URL). */
export function redisEndpointFromUrl(raw: string, from: string, location?: Location): RedisEndpoint | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (!/^(rediss?|unix):$/.test(url.protocol)) return undefined;
  const endpoint: RedisEndpoint = { from, ...(location ? { location } : {}) };
  if (url.protocol === 'unix:') {
    endpoint.host = url.pathname;
    return endpoint;
  }
  endpoint.host = url.hostname;
  endpoint.port = url.port || '6379';
  const db = url.pathname.replace(/^\//, '') || url.searchParams.get('db') || '0';
  endpoint.db = db;
  // `redis://name@host` without a password: redis-py reads a user, but many write the password there; never compare it.
  if (url.password) endpoint.user = decodeURIComponent(url.username) || 'default';
  else if (!url.username) endpoint.user = 'default';
  return endpoint;
}

/** `rq worker --url redis://…` / `-u …` in a worker's command. */
function commandUrl(service: DeploymentService): RedisEndpoint | undefined {
  const argv = service.command?.argv ?? [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    let raw: string | undefined;
    if (word === '--url' || word === '-u') raw = argv[i + 1];
    else if (word.startsWith('--url=')) raw = word.slice('--url='.length);
    if (raw !== undefined) return redisEndpointFromUrl(raw, 'rq worker --url', service.command?.location);
  }
  return undefined;
}

/** The Redis a service points at: its command's `--url`, a URL variable, or REDIS_HOST/PORT/DB. */
export function serviceEndpoint(service: DeploymentService): RedisEndpoint | undefined {
  const command = commandUrl(service);
  if (command) return command;
  const set = (name: string): EnvEntry | undefined => {
    const entry = service.environment[name];
    return entry && entry.value !== null && entry.value !== '' ? entry : undefined;
  };
  // Sidekiq's REDIS_PROVIDER names the variable that holds the URL, over REDIS_URL
  // (Sidekiq::RedisConnection.determine_redis_provider, sidekiq 6.4 lib/sidekiq/redis_connection.rb).
  const provider = set('REDIS_PROVIDER')?.value;
  if (provider && /^\w+$/.test(provider) && set(provider)) return redisEndpointFromUrl(set(provider)!.value!, `REDIS_PROVIDER → ${provider}`, set(provider)!.location);
  const urlVariable =
    URL_VARIABLES.find((name) => set(name)) ?? Object.keys(service.environment).sort().find((name) => /_REDIS_URL$/.test(name) && set(name));
  if (urlVariable) return redisEndpointFromUrl(set(urlVariable)!.value!, urlVariable, set(urlVariable)!.location);
  const host = set('REDIS_HOST');
  if (!host) return undefined;
  const endpoint: RedisEndpoint = { host: host.value!, from: 'REDIS_HOST', location: host.location };
  if (set('REDIS_PORT')) endpoint.port = set('REDIS_PORT')!.value!;
  if (set('REDIS_DB')) endpoint.db = set('REDIS_DB')!.value!;
  const user = set('REDIS_USERNAME') ?? set('REDIS_USER');
  if (user) endpoint.user = user.value!;
  return endpoint;
}

/** The code's endpoint for a service when it sets one (null: unreadable, so nothing is compared), else its environment's. */
function endpointOf(service: DeploymentService, fromCode: RedisEndpoint | null | undefined): RedisEndpoint | undefined {
  return fromCode === undefined ? serviceEndpoint(service) : (fromCode ?? undefined);
}

const FIELDS = ['host', 'port', 'db', 'user'] as const;

/** The fields known on both sides that differ. */
function differences(a: RedisEndpoint, b: RedisEndpoint): (typeof FIELDS)[number][] {
  return FIELDS.filter((field) => a[field] !== undefined && b[field] !== undefined && a[field] !== b[field]);
}

/** An endpoint as text: host, port, db and user only (never a password). */
export function describeEndpoint(endpoint: RedisEndpoint): string {
  const parts = [`${endpoint.host ?? '?'}${endpoint.port ? `:${endpoint.port}` : ''}`];
  if (endpoint.db !== undefined) parts.push(`db ${endpoint.db}`);
  if (endpoint.user !== undefined && endpoint.user !== 'default') parts.push(`user \`${endpoint.user}\``);
  return parts.join(', ');
}

/** What the analysis needs to know about each consumer's worker code: the BullMQ prefixes its `new Worker` uses. */
export type WorkerPrefixes = (consumer: Consumer, service: DeploymentService) => string | undefined;

/** A BullMQ producer's prefix in a service: the literal, the variable's value there, or the default `bull`. */
function producerPrefix(producer: Producer, service: DeploymentService): string | undefined {
  if (producer.kind !== 'bullmq-queue') return undefined;
  if (producer.prefix === undefined) return 'bull';
  if (typeof producer.prefix === 'string') return producer.prefix;
  const entry = service.environment[producer.prefix.variable];
  if (entry && entry.value !== null) return entry.value;
  return producer.prefix.default ?? undefined;
}

const at = (location: Location | undefined) => (location ? { file: location.file, line: location.line } : {});

/**
 * The Redis the project's code gives a Sidekiq side in a service (a Rails initializer's `Sidekiq.configure_server` /
 * `configure_client`): undefined when the code sets none (the service's environment decides), null when unreadable.
 */
export type SidekiqEndpoints = (side: 'server' | 'client', service: DeploymentService) => RedisEndpoint | null | undefined;

const SIDEKIQ_CLIENT_KINDS = new Set<Producer['kind']>(['sidekiq-job', 'sidekiq-client', 'activejob-job', 'actionmailer-deliver-later']);

/** One finding per (queue, environment) whose producing and consuming services disagree on Redis or prefix. */
export function connectionMismatches(
  environments: DeploymentEnvironment[],
  producers: Producer[],
  consumers: Consumer[],
  workerPrefix: WorkerPrefixes,
  sidekiqEndpoints: SidekiqEndpoints = () => undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const byName = new Map(environment.services.map((service) => [service.name, service]));
    const sitesByQueue = new Map<string, Producer[]>();
    for (const producer of producers) {
      for (const queue of producerQueuesIn(producer, environment.name)) {
        if (queue !== null) sitesByQueue.set(queue, [...(sitesByQueue.get(queue) ?? []), producer]);
      }
    }
    for (const [queue, sites] of [...sitesByQueue].sort(([a], [b]) => byCodeUnits(a, b))) {
      const workers = consumers.filter((c) => c.environment === environment.name && c.active && c.queues.includes(queue));
      let reported = false;
      for (const site of sites) {
        if (reported) break;
        for (const producerService of servicesRunning(site.location.file, environment, consumers)) {
          if (reported) break;
          for (const consumer of workers) {
            const workerService = byName.get(consumer.service);
            if (!workerService || workerService.name === producerService.name) continue;
            // A Sidekiq worker process is the server side; the process that enqueues to it, the client side.
            const sidekiq = /sidekiq/.test(consumer.detectedBy) && SIDEKIQ_CLIENT_KINDS.has(site.kind);
            const producerEndpoint = endpointOf(producerService, sidekiq ? sidekiqEndpoints('client', producerService) : undefined);
            const workerEndpoint = endpointOf(workerService, sidekiq ? sidekiqEndpoints('server', workerService) : undefined);
            const redis = producerEndpoint && workerEndpoint ? differences(producerEndpoint, workerEndpoint) : [];
            const prefixes = [producerPrefix(site, producerService), workerPrefix(consumer, workerService)];
            const prefixDiffers = prefixes[0] !== undefined && prefixes[1] !== undefined && prefixes[0] !== prefixes[1];
            if (redis.length === 0 && !prefixDiffers) continue;
            const what = [
              ...(redis.length ? [`Redis (${redis.join(', ')}): ${describeEndpoint(producerEndpoint!)} vs ${describeEndpoint(workerEndpoint!)}`] : []),
              ...(prefixDiffers ? [`BullMQ prefix: \`${prefixes[0]}\` vs \`${prefixes[1]}\``] : []),
            ].join('; ');
            const related: RelatedInfo[] = [];
            if (producerEndpoint?.location && redis.length) {
              related.push({ message: `Service \`${producerService.name}\` sets its Redis here (${producerEndpoint.from}).`, ...at(producerEndpoint.location) });
            }
            related.push({ message: `\`${queue}\` is enqueued to here.`, ...at(site.location) });
            if (prefixDiffers && site.construction) {
              related.push({ message: `The queue object (prefix \`${prefixes[0]}\`) is built here.`, ...at(site.construction) });
            }
            findings.push(
              finding('connection-mismatch', {
                message: `In ${environmentName(environment.name)}, service \`${producerService.name}\` enqueues to \`${queue}\` and worker service \`${workerService.name}\` consumes it from a different place — ${what}.`,
                hint: `Point service \`${workerService.name}\` and service \`${producerService.name}\` at the same Redis${prefixDiffers ? ' and BullMQ prefix' : ''}.`,
                queue,
                environment: environment.name,
                service: workerService.name,
                ...(workerEndpoint?.location && redis.length
                  ? { location: workerEndpoint.location }
                  : consumer.location
                    ? { location: consumer.location }
                    : consumer.serviceLocation
                      ? { location: consumer.serviceLocation }
                      : {}),
                related,
              }),
            );
            reported = true;
            break;
          }
        }
      }
    }
  }
  return findings;
}
