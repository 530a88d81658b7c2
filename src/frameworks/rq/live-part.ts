import type { FrameworkLive } from '../framework.js';

/** RQ's live part: workers, queues and registries under `rq:` (read by live.ts). */
export const rqLive: FrameworkLive = {
  clusterRefusal:
    'RQ does not support Redis Cluster (its pipelines span keys of different slots): give --redis the standalone or Sentinel Redis the RQ workers use, or --backend bullmq.',
  read: async (reader, wanted, now) => (await import('./live.js')).readRq(reader, wanted, now),
};
