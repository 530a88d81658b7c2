import type { LanguageId } from '../languages/language-id.js';
import type { PrefilterNeedles } from '../languages/prefilter.js';
import type { JsRecognizer } from '../languages/javascript/calls.js';
import type { RawQueueObject, SymbolicName, TaskSend, ValueExpr } from '../languages/facts.js';
import type { PythonRecognizer } from '../languages/python/calls.js';
import type { RubyRecognizer } from '../languages/ruby/calls.js';
import type { BackendRead } from '../live/model.js';
import type { KeyDiscovery } from '../live/discovery.js';
import type { RedisReader } from '../live/redis.js';
import type { Finding, Producer, ProducerKind } from '../types.js';
import type { DeploymentService } from '../model.js';
import type { RedisEndpoint } from '../analysis/connections.js';
import type { WorkerProgram } from '../workers/programs/program.js';

/** What the live stage passes every framework's reader besides the connection. */
export interface LiveReadOptions {
  /** BullMQ key prefix given with `--prefix`: that prefix only. Without it every prefix in use is read. */
  prefix?: string;
  /** Sidekiq's redis-namespace: `--prefix` with `--backend sidekiq`. Without it the root keyspace and every namespace in use are read. */
  namespace?: string;
  /** BullMQ prefixes the project's code names: read even before a queue has a key under them. */
  codePrefixes?: readonly string[];
  /** `--celery-inspect`: Celery's opt-in broadcast (writes to Redis) and how long to wait for the answers. */
  celeryInspectTimeoutMs?: number;
  /** The keys of its `discovery` shapes the live stage's one SCAN loop found (every node), sorted; empty without `discovery`. */
  discovered: readonly string[];
}

/**
 * A framework's live part: how its workers and queues are read from one Redis. `read` imports the reader lazily
 * (the static path never loads it).
 */
export interface FrameworkLive {
  /** Why its workers cannot use a Redis Cluster; absent when they can. `--backend <id>` on a Cluster is an input error; auto skips it. */
  clusterRefusal?: string;
  /** The key shapes it finds its queues by, when it has no fixed key to start from: found for it by the live stage's one SCAN loop. */
  discovery?: KeyDiscovery;
  /**
   * Whether the keys its `discovery` found can hold anything of it. False proves its keys absent: auto mode skips its
   * reads (an explicit `--backend` never does). Absent: always read.
   */
  inPlay?(discovered: readonly string[]): boolean;
  /**
   * Reads its workers and queues (read-only, pipelined). `wanted` queues get rows even when Redis does not know them
   * (an explicit `--backend`); `now` is the clock in ms.
   */
  read(reader: RedisReader, wanted: string[], now: number, options: LiveReadOptions): Promise<BackendRead>;
}

/** What a framework's project step reads: the analyzed modules, its own module data, and the Resolver's answers. */
export interface ProjectStepContext {
  /** Every root-relative source file the scan lists. */
  files: readonly string[];
  /** The modules analyzed (those the prefilter let through), in scan order. */
  modules: readonly string[];
  /** What its recognizer's `moduleData` said about a module (undefined: nothing). */
  dataOf(file: string): unknown;
  /** A module-level name of a module → its string value, through constants and imports. */
  resolveName(file: string, name: string): string | null;
  /** A value as a module wrote it → a string, or a read of the environment kept symbolic (`process.env.X ?? 'd'`). */
  resolveValue(file: string, value: ValueExpr): SymbolicName | null;
  /** Where a module-level name of a module is defined (through imports). */
  definition(file: string, name: string): { file: string; name: string } | null;
  /** The modules `file` takes every name of (`from m import *`), lowest precedence first. */
  starModules(file: string): string[];
  /** The import a module-level name is, when it is one. */
  importOf(file: string, name: string): { module: string; name: string } | undefined;
  /** DJANGO_SETTINGS_MODULE as the deployment sets it, and as the entry points (manage.py, wsgi.py) set it. */
  settingsModule: { deployed?: string; entryPoint?: string };
  /** A project file's text (root-relative: Rails' config/application.rb), undefined when it is not a readable file. */
  read(relative: string): string | undefined;
  /**
   * An environment variable as the deployment's services set it (RAILS_ENV): one value when every service that sets
   * it agrees, null when they disagree, undefined when none sets it.
   */
  deployedValue(variable: string): string | null | undefined;
}

/**
 * What a framework's project step found: how it routes task sends, the producers its configuration declares, what
 * its worker programs read and what is wrong with its configuration.
 */
export interface FrameworkProject {
  /**
   * The producers one task send stands for once routed (itself, or one copy per app that routes it differently);
   * undefined when the producer is not one of its own (another framework's project step routes it).
   */
  route?(producer: Producer, task: TaskSend, file: string): Producer[] | undefined;
  /** Producers its configuration declares in `file` (Celery's beat schedule entries), in no particular order. */
  producersIn?(file: string): Producer[];
  /**
   * What its worker programs read, handed to them as `ProjectCode.frameworkData[<its id>]` (Celery's app
   * configuration, for `celery worker` without `-Q` and for which app `-A` loads).
   */
  workerData?: unknown;
  /** Findings about its configuration alone (Celery's settings it ignores), reported by the static stage. */
  findings?: Finding[];
  /**
   * Completes a producer made from one of its queue objects (built in `file`) with what the object says beyond its
   * queue: BullMQ's key prefix.
   */
  completeProducer?(producer: Producer, object: RawQueueObject, file: string): void;
  /**
   * The last word on each producer the scan found, in order, once all are found: the producer as its configuration
   * makes it, or null when it enqueues to none of its queues (ActiveJob's jobs under a non-Sidekiq adapter).
   */
  finishProducer?(producer: Producer): Producer | null;
  /**
   * The Redis its code configures for one side of its processes in a service (Sidekiq's `configure_server` for the
   * `sidekiq` process, `configure_client` for every other): undefined when its code sets none (the service's
   * environment decides), null when it cannot be told statically. connection-mismatch compares the two sides.
   */
  redisEndpoint?(side: 'server' | 'client', service: DeploymentService): RedisEndpoint | null | undefined;
}

/**
 * A framework's optional project-level step: once every module is analyzed, it reads what the modules said
 * (`moduleData`) as one project (Celery: apps, settings modules, task routes, beat).
 */
export type FrameworkProjectStep = (context: ProjectStepContext) => FrameworkProject;

/**
 * How a framework plugs into each language's analyzer: the language's call index is its own (see
 * src/languages/<language>/calls.ts), so each language names the recognizer type it calls.
 */
export interface LanguageRecognizers {
  python: PythonRecognizer;
  js: JsRecognizer;
  ruby: RubyRecognizer;
}

/**
 * A queue framework: one folder under src/frameworks/ and one line in FRAMEWORKS. Its language's analyzer calls its
 * `recognizer` over the language's call index (the recognizer lives in `<language>.ts` in its folder); the
 * language's prefilter lets a file through on its `needles`; its worker programs read their command lines; its live
 * part reads its workers and queues in Redis (only frameworks with their own key layout have one: django-rq and
 * rq-scheduler are RQ on the wire).
 */
export interface QueueFramework<Id extends string = string, Language extends LanguageId = LanguageId> {
  id: Id;
  /** The language its producers are written in. */
  language: Language;
  /**
   * What its calls look like to the prefilter: a file with none of any framework's needles (nor its language's own)
   * is never tokenized. Every call `recognizer` accepts must contain one (the prefilter property tests generate
   * them from `vocabulary`).
   */
  needles?: PrefilterNeedles;
  /** Turns its language's calls into queue objects, producers and module data. */
  recognizer?: LanguageRecognizers[Language];
  /**
   * Sample modules its recognizer accepts, with `NAME`/`QUEUE` placeholders for the property tests' identifiers:
   * each must yield a producer, a queue object or a check, and pass the prefilter.
   */
  vocabulary?: readonly string[];
  /** Its project-level step, run by the scan after every module is analyzed. */
  project?: FrameworkProjectStep;
  /**
   * Kinds of its queue objects that are sent only through its recognizer's `enqueueMethods` (Celery's tasks:
   * `.delay`, `.apply_async`, a signature): such an object is a producer where it is sent, never where it is built,
   * and a method of that list no other framework's recognizer lists (`delay` is RQ's too) sends nothing else.
   */
  sentOnlyKinds?: readonly ProducerKind[];
  /** The worker programs it ships, with their queue-list syntax (`rq worker a b`, `celery worker -Q a,b`). */
  workerPrograms?: readonly WorkerProgram[];
  /**
   * Environment variables its workers conventionally take their queue list from (`RQ_QUEUES`): a service that sets
   * one is a worker of those queues, and a worker script reading one has them. `--queue-var` adds others.
   */
  queueVariables?: readonly string[];
  live?: FrameworkLive;
}
