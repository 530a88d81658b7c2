import { literal, matchingBracket, UNKNOWN, type ValueExpr } from '../../languages/facts.js';
import type { RbToken } from '../../languages/ruby/tokenizer.js';
import { hashValue, MAX_ARGUMENT_TOKENS, readValue } from '../../languages/ruby/values.js';

/**
 * `Sidekiq.configure_server { |config| config.redis = { url: …, db: … } }` and `configure_client`, as a Rails
 * initializer writes them (sidekiq 6.4 lib/sidekiq.rb: `redis=` hands the hash to Sidekiq::RedisConnection.create).
 * The server block runs only in the `sidekiq` process (`Sidekiq.server?`), the client block only elsewhere.
 */
export interface SidekiqRedisConfig {
  side: 'server' | 'client';
  /** `url:` as written (absent: Sidekiq reads REDIS_PROVIDER's variable, else REDIS_URL). */
  url?: ValueExpr;
  /** `db:` as written: redis-rb 4's explicit option wins over the URL's path (Redis::Client#_parse_options). */
  db?: ValueExpr;
  /** The hash is not a literal, or names the server another way (host:, path:, sentinels:): not reproduced. */
  unreadable?: boolean;
  line: number;
  column: number;
}

/** Keys that place the server other than by `url:`/`db:`: a hash with one of them is left unread (never a false red). */
const OTHER_PLACE_KEYS = ['host', 'port', 'path', 'sentinels', 'cluster'];

/** Every `Sidekiq.configure_server`/`configure_client` block's `config.redis = …` in a Ruby file's tokens. */
export function readSidekiqRedisConfigs(tokens: readonly RbToken[]): SidekiqRedisConfig[] {
  const configs: SidekiqRedisConfig[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const method = tokens[i + 2]!.value;
    if (tokens[i]!.value !== 'Sidekiq' || tokens[i + 1]!.value !== '.' || (method !== 'configure_server' && method !== 'configure_client')) continue;
    const side = method === 'configure_server' ? 'server' : 'client';
    // The block's `x.redis = …`, before the next configure_* call (a bounded look: real blocks are a few lines).
    const limit = Math.min(tokens.length, i + 3 + MAX_ARGUMENT_TOKENS);
    for (let j = i + 3; j + 2 < limit; j++) {
      if (tokens[j]!.value === 'configure_server' || tokens[j]!.value === 'configure_client') break;
      if (tokens[j]!.value !== '.' || tokens[j + 1]!.value !== 'redis' || tokens[j + 2]!.value !== '=') continue;
      const at = tokens[j + 1]!;
      const open = j + 3;
      if (tokens[open]?.value !== '{') {
        configs.push({ side, unreadable: true, line: at.line, column: at.column });
        break;
      }
      const close = matchingBracket(tokens, open);
      const has = (key: string) => hashValue(tokens, open, close, key) !== undefined;
      const splat = tokens.slice(open, Math.min(close, open + MAX_ARGUMENT_TOKENS)).some((token) => token.value === '**');
      const config: SidekiqRedisConfig = { side, line: at.line, column: at.column };
      if (splat || OTHER_PLACE_KEYS.some(has)) config.unreadable = true;
      const url = hashValue(tokens, open, close, 'url');
      if (url) config.url = url.value;
      const db = dbValue(tokens, open, close);
      if (db) config.db = db;
      configs.push(config);
      break;
    }
  }
  return configs;
}

/** `db: 2` (a number), or a value readValue reads (`ENV['REDIS_DB']`, a constant). */
function dbValue(tokens: readonly RbToken[], open: number, close: number): ValueExpr | undefined {
  for (let j = open + 1; j < Math.min(close, open + MAX_ARGUMENT_TOKENS); j++) {
    const label = tokens[j]!.type === 'label' && tokens[j]!.value === 'db';
    const arrow = tokens[j]!.type === 'symbol' && tokens[j]!.value === 'db' && tokens[j + 1]?.value === '=>';
    if (!label && !arrow) continue;
    const value = tokens[j + (label ? 1 : 2)];
    if (value?.type === 'number') return /^\d+$/.test(value.value) ? literal(value.value) : UNKNOWN;
    return hashValue(tokens, open, close, 'db')?.value ?? UNKNOWN;
  }
  return undefined;
}
