import type { LiveOptions } from '../../src/live/index.js';

/** runLive options with the CLI's defaults, for the Redis at `url`. */
export const liveOptions = (url: string, extra: Partial<LiveOptions> = {}): LiveOptions => ({
  redisUrl: url,
  backend: 'auto',
  prefix: 'bull',
  expectedQueues: [],
  stuckAfterSeconds: 120,
  connectTimeoutMs: 5000,
  ...extra,
});
