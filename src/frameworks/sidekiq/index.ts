import type { FrameworkLive, QueueFramework } from '../framework.js';
import { sidekiqRuby } from './ruby.js';
import { sidekiq as sidekiqWorkerProgram } from './worker-program.js';

/** Sidekiq (6.x, 7.x): Ruby jobs and ActiveJob on Redis; `sidekiq -q` processes; keys under an optional redis-namespace. */
export const sidekiq: QueueFramework<'sidekiq', 'ruby'> & { live: FrameworkLive } = {
  id: 'sidekiq',
  language: 'ruby',
  // `include Sidekiq::Job`, `sidekiq_options`, `Sidekiq::Client`, `.perform_async/_in/_at`.
  needles: { anywhere: ['idekiq', 'IDEKIQ', 'perform_'] },
  recognizer: sidekiqRuby,
  workerPrograms: [sidekiqWorkerProgram],
  live: {
    // fetch.rb: one BRPOP waits on the lists of all a process's queues (many slots); Sidekiq supports no Cluster.
    clusterRefusal:
      "Sidekiq does not support Redis Cluster (a process's BRPOP spans the lists of all its queues): give --redis the Redis the Sidekiq processes use, or another --backend.",
    read: async (reader, wanted, now, options) =>
      (await import('./live.js')).readSidekiq(reader, options.namespace !== undefined ? { only: options.namespace } : {}, wanted, now),
  },
};
