import type { FrameworkLive } from '../framework.js';
import { BULL_DISCOVERY } from './live-keys.js';

/** BullMQ's live part: queues found by their `…:meta` keys, workers by CLIENT LIST (read by live.ts). */
export const bullmqLive: FrameworkLive = {
  discovery: BULL_DISCOVERY,
  read: async (reader, wanted, now, options) =>
    (await import('./live.js')).readBullmq(
      reader,
      options.prefix !== undefined ? { only: options.prefix } : { named: options.codePrefixes ?? [] },
      options.discovered,
      wanted,
      now,
    ),
};
