import type { FrameworkLive } from './framework.js';
import { bullmqLive } from './bullmq/live-part.js';
import { celeryLive } from './celery/live-part.js';
import { rqLive } from './rq/live-part.js';
import { sidekiqLive } from './sidekiq/live-part.js';

/**
 * The live stage's registry: each framework with a live part, its id and that part, in FRAMEWORKS' order (index.ts
 * checks the ids at compile time, test/frameworks/registry.test.ts the parts and the order). Why a second list: it
 * imports no framework's static parts (recognizers, worker programs, project steps, and yaml through them), so the
 * `live` command's own bundle (scripts/bundle.js) holds none of them.
 */
export const LIVE_FRAMEWORKS = [
  { id: 'rq', live: rqLive },
  { id: 'bullmq', live: bullmqLive },
  { id: 'celery', live: celeryLive },
  { id: 'sidekiq', live: sidekiqLive },
] as const satisfies readonly { id: string; live: FrameworkLive }[];

/** A framework the live stage reads (one with its own key layout in Redis): the report's `backend`. */
export type Backend = (typeof LIVE_FRAMEWORKS)[number]['id'];

/** The live backends' ids: `--backend` and the config file's `live.backend` take one of these or `auto`. */
export const BACKENDS: readonly Backend[] = LIVE_FRAMEWORKS.map((framework) => framework.id);
