import type { FrameworkLive } from '../framework.js';
import { SIDEKIQ_DISCOVERY, sidekiqInPlay } from './live-keys.js';

/** Sidekiq's live part: processes and queues at the root or under a redis-namespace (read by live.ts). */
export const sidekiqLive: FrameworkLive = {
  // fetch.rb: one BRPOP waits on the lists of all a process's queues (many slots); Sidekiq supports no Cluster.
  clusterRefusal:
    "Sidekiq does not support Redis Cluster (a process's BRPOP spans the lists of all its queues): give --redis the Redis the Sidekiq processes use, or another --backend.",
  discovery: SIDEKIQ_DISCOVERY,
  inPlay: sidekiqInPlay,
  read: async (reader, wanted, now, options) =>
    (await import('./live.js')).readSidekiq(reader, options.namespace !== undefined ? { only: options.namespace } : {}, options.discovered, wanted, now),
};
