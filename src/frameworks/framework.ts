import type { LanguageId } from '../languages/index.js';
import type { BackendRead } from '../live/model.js';
import type { RedisReader } from '../live/redis.js';
import type { WorkerProgram } from '../workers/programs/program.js';

/** What the live stage passes every framework's reader besides the connection. */
export interface LiveReadOptions {
  /** BullMQ key prefix given with `--prefix`: that prefix only. Without it every prefix in use is read. */
  prefix?: string;
  /** BullMQ prefixes the project's code names: read even before a queue has a key under them. */
  codePrefixes?: readonly string[];
  /** `--celery-inspect`: Celery's opt-in broadcast (writes to Redis) and how long to wait for the answers. */
  celeryInspectTimeoutMs?: number;
}

/**
 * A framework's live part: how its workers and queues are read from one Redis. `read` imports the reader lazily
 * (the static path never loads it).
 */
export interface FrameworkLive {
  /** Why its workers cannot use a Redis Cluster; absent when they can. `--backend <id>` on a Cluster is an input error; auto skips it. */
  clusterRefusal?: string;
  /**
   * Reads its workers and queues (read-only, pipelined). `wanted` queues get rows even when Redis does not know them
   * (an explicit `--backend`); `now` is the clock in ms.
   */
  read(reader: RedisReader, wanted: string[], now: number, options: LiveReadOptions): Promise<BackendRead>;
}

/**
 * A queue framework: one folder under src/frameworks/ and one line in FRAMEWORKS. Its language's analyzer
 * recognises its imports and calls (`<language>.ts` in its folder); its worker programs read their command lines;
 * its live part reads its workers and queues in Redis (only frameworks with their own key layout have one: django-rq
 * and rq-scheduler are RQ on the wire).
 */
export interface QueueFramework<Id extends string = string> {
  id: Id;
  /** The language its producers are written in. */
  language: LanguageId;
  /** The worker programs it ships, with their queue-list syntax (`rq worker a b`, `celery worker -Q a,b`). */
  workerPrograms?: readonly WorkerProgram[];
  live?: FrameworkLive;
}
