import { UnreachableError } from '../errors.js';
import type { Consumer, Finding, LiveSection } from '../types.js';

export interface LiveOptions {
  /** Redis URL (redis://, rediss://, with user/password/db). Never printed unredacted. */
  redisUrl: string;
  backend: 'rq' | 'bullmq' | 'auto';
  /** BullMQ key prefix (default `bull`). */
  prefix: string;
  /** Queues that must have a live worker (`--queue`, plus the static producers inside `check`). */
  expectedQueues: string[];
  /** Seconds after which the oldest waiting job of a served queue is stuck (default 120). */
  stuckAfterSeconds: number;
  connectTimeoutMs: number;
  /** For config-live-drift: the selected environment's consumers (active ones count). */
  config?: { environment: string; consumers: Consumer[]; reason: string };
  /** Injected clock for ages (tests). */
  now?: () => number;
}

export interface LiveResult {
  section: LiveSection;
  findings: Finding[];
}

/** Reads (never writes) a Redis: workers, queues, registries; returns the live section and its findings. */
export async function runLive(_options: LiveOptions): Promise<LiveResult> {
  throw new UnreachableError('live stage not implemented yet', 'redis');
}
