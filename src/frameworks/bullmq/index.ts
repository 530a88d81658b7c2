import type { FrameworkLive, QueueFramework } from '../framework.js';

/** BullMQ (and Bull, BullMQ Pro): `new Queue(...)`, FlowProducer children; workers are scripts (`new Worker`). */
export const bullmq: QueueFramework<'bullmq'> & { live: FrameworkLive } = {
  id: 'bullmq',
  language: 'js',
  live: {
    read: async (reader, wanted, now, options) =>
      (await import('./live.js')).readBullmq(reader, options.prefix !== undefined ? { only: options.prefix } : { named: options.codePrefixes ?? [] }, wanted, now),
  },
};
