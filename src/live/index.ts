import type { Consumer, Finding, LiveSection } from '../types.js';
import { analyzeLive, attachConsumers } from './analysis.js';
import type { BackendRead } from './model.js';
import { byCodeUnits, emptyQueue } from './model.js';
import { connectReader } from './redis.js';
import { escapeControlCharsDeep } from '../redact.js';

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

const EMPTY: BackendRead = { found: false, workers: [], queues: [] };

/**
 * Reads (never writes) a Redis: workers, queues, registries; returns the live section and its findings.
 * Only read commands, in pipelines: the round trips do not grow with the number of workers or queues.
 * Throws `UnreachableError` when Redis cannot be reached, authenticated, or does not answer in time.
 */
export async function runLive(options: LiveOptions): Promise<LiveResult> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const reader = await connectReader(options.redisUrl, options.connectTimeoutMs);
  try {
    const wanted = [
      ...new Set([
        ...options.expectedQueues,
        ...(options.config?.consumers.filter((consumer) => consumer.active).flatMap((consumer) => consumer.queues) ?? []),
      ]),
    ];
    // With an explicit backend the wanted queues get rows there; with auto, only where they exist (added below).
    const { readRq } = await import('./rq.js');
    const { readBullmq } = await import('./bullmq.js');
    // Both readers share the connection; their pipelines interleave instead of waiting for each other.
    const [rq, bull] = await Promise.all([
      options.backend === 'bullmq' ? EMPTY : readRq(reader, options.backend === 'rq' ? wanted : [], now()),
      options.backend === 'rq' ? EMPTY : readBullmq(reader, options.prefix, options.backend === 'bullmq' ? wanted : [], now()),
    ]);
    const backend: LiveSection['backend'] =
      options.backend !== 'auto' ? options.backend : rq.found && bull.found ? 'both' : bull.found ? 'bullmq' : 'rq';

    const workers = [...rq.workers, ...bull.workers];
    const queues = [...rq.queues, ...bull.queues];
    if (options.backend === 'auto') {
      const primary = backend === 'bullmq' ? 'bullmq' : 'rq';
      for (const name of wanted) if (!queues.some((read) => read.queue.name === name)) queues.push({ queue: emptyQueue(name, primary) });
    }
    for (const read of queues) if (read.stalledCheckAlive && bull.clientListDenied) read.queue.liveness = 'stalled-check';
    attachConsumers(
      workers.map((read) => read.worker),
      queues.map((read) => read.queue),
    );
    const findings = analyzeLive({
      workers,
      queues,
      expectedQueues: options.expectedQueues,
      stuckAfterSeconds: options.stuckAfterSeconds,
      prefix: options.prefix,
      ...(options.config ? { config: options.config } : {}),
      ...(bull.clientListDenied ? { clientListDenied: true } : {}),
    });
    const section: LiveSection = {
      backend,
      workers: workers.map((read) => read.worker).sort((a, b) => byCodeUnits(a.backend, b.backend) || byCodeUnits(a.name, b.name)),
      queues: queues.map((read) => read.queue).sort((a, b) => byCodeUnits(a.backend, b.backend) || byCodeUnits(a.name, b.name)),
      durationMs: Math.round(performance.now() - started),
      redis: reader.target.redacted,
      roundTrips: reader.roundTrips,
    };
    // Every string here may come from Redis (worker names, hostnames, states, queue names, exception text).
    return { section: escapeControlCharsDeep(section), findings: escapeControlCharsDeep(findings) };
  } finally {
    await reader.close();
  }
}
