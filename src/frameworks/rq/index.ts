import type { FrameworkLive, QueueFramework } from '../framework.js';
import { JOB_DECORATOR } from './python.js';
import { rq as rqWorkerProgram } from './worker-program.js';

/** RQ (python-rq): `Queue(...)`, `@job`, `rq worker`; workers and queues under `rq:`. */
export const rq: QueueFramework<'rq'> & { live: FrameworkLive } = {
  id: 'rq',
  language: 'python',
  // `Queue(…)`, `.enqueue…(`; `f.delay(…)` on a `@job` function, whose decorator can have any name `import … as` gives it.
  needles: { anywhere: ['.delay'], calls: ['queue', 'Queue'], patterns: [{ needle: '@', pattern: JOB_DECORATOR }] },
  workerPrograms: [rqWorkerProgram],
  live: {
    clusterRefusal:
      'RQ does not support Redis Cluster (its pipelines span keys of different slots): give --redis the standalone or Sentinel Redis the RQ workers use, or --backend bullmq.',
    read: async (reader, wanted, now) => (await import('./live.js')).readRq(reader, wanted, now),
  },
};
