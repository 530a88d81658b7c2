import type { DeploymentService } from '../../model.js';
import type { Location } from '../../types.js';
import type { SymbolicName, ValueExpr } from '../../languages/facts.js';
import { redisEndpointFromUrl, type RedisEndpoint } from '../../analysis/connections.js';
import type { FrameworkProjectStep } from '../framework.js';
import type { SidekiqRedisConfig } from './initializer.js';

/** A `config.redis = {…}` and the file it is in. */
export interface LocatedSidekiqRedisConfig {
  file: string;
  config: SidekiqRedisConfig;
}

/** Resolves a value written in a file (constants followed) to a literal or an environment read. */
export type ResolveInFile = (file: string, value: ValueExpr) => SymbolicName | null;

/**
 * The Redis a Sidekiq side (`server`: the `sidekiq` process; `client`: every other process) uses in a service, as the
 * project's `Sidekiq.configure_*` blocks set it: undefined when no block of that side sets `config.redis` (the
 * service's environment decides, as before); null when it cannot be told here (never a false red). Reproduces
 * sidekiq 6.4 Sidekiq::RedisConnection.create: `url:` when given, else the variable REDIS_PROVIDER names, else
 * REDIS_URL; then redis-rb 4's explicit `db:` over the URL's path.
 */
export function sidekiqSideEndpoint(
  configs: readonly LocatedSidekiqRedisConfig[],
  side: SidekiqRedisConfig['side'],
  service: DeploymentService,
  resolve: ResolveInFile,
): RedisEndpoint | null | undefined {
  const mine = configs.filter(({ config }) => config.side === side);
  if (mine.length === 0) return undefined;
  // Several blocks (per-environment branches, several files): which one runs is not read here.
  if (mine.length > 1 || mine[0]!.config.unreadable) return null;
  const { file, config } = mine[0]!;
  const location: Location = { file, line: config.line, column: config.column };
  const from = `config.redis in Sidekiq.configure_${side}`;
  const value = (expression: ValueExpr): string | null => {
    const resolved = resolve(file, expression);
    if (resolved?.kind === 'literal') return resolved.value;
    if (resolved?.kind !== 'env') return null;
    const entry = service.environment[resolved.variable];
    if (entry) return entry.value === null || entry.value === '' ? null : entry.value;
    return resolved.fallback;
  };
  let endpoint: RedisEndpoint | undefined;
  if (config.url) {
    const url = value(config.url);
    endpoint = url === null ? undefined : redisEndpointFromUrl(url, from, location);
  } else {
    endpoint = sidekiqDefaultEndpoint(service, from, location);
  }
  if (!endpoint) return null;
  if (config.db) {
    const db = value(config.db);
    if (db === null || !/^\d+$/.test(db)) return null;
    endpoint.db = String(Number(db));
  }
  return endpoint;
}

/** Without `url:`: the variable REDIS_PROVIDER names, else REDIS_URL (RedisConnection.determine_redis_provider). */
function sidekiqDefaultEndpoint(service: DeploymentService, from: string, location: Location): RedisEndpoint | undefined {
  const valueOf = (name: string) => {
    const entry = service.environment[name];
    return entry && entry.value !== null && entry.value !== '' ? entry.value : undefined;
  };
  const provider = valueOf('REDIS_PROVIDER');
  const variable = provider ?? 'REDIS_URL';
  if (!/^\w+$/.test(variable)) return undefined;
  const url = valueOf(variable);
  return url === undefined ? undefined : redisEndpointFromUrl(url, `${from} (${variable})`, location);
}

/**
 * Sidekiq's project step: the `config.redis` of the project's `Sidekiq.configure_server`/`configure_client` blocks
 * (kept per module by its Ruby recognizer), resolved for each side in a service's environment.
 */
export const sidekiqProject: FrameworkProjectStep = ({ modules, dataOf, resolveValue }) => {
  const configs: LocatedSidekiqRedisConfig[] = modules.flatMap((file) =>
    ((dataOf(file) as { redis?: SidekiqRedisConfig[] } | undefined)?.redis ?? []).map((config) => ({ file, config })),
  );
  return configs.length ? { redisEndpoint: (side, service) => sidekiqSideEndpoint(configs, side, service, resolveValue) } : {};
};
