/** Public data model: the JSON report of docs/CONTRACT.md §3. Everything a stage returns is plain data from here. */

import type { RuleId, Severity, Stage } from './rules.js';
import type { LiveSection } from './types-live.js';

export type { Severity, Stage };
// The live section's types are in their own file (this one stays under 400 lines); every stage imports them from here.
export type { Backend, LiveWorker, LiveQueue, LiveTarget, LiveBroker, CeleryLiveSummary, SidekiqLiveSummary, LiveSection } from './types-live.js';

/** A place in a project file; `file` is relative to the project root with '/' separators. */
export interface Location {
  file: string;
  line: number;
  column?: number;
}

export interface RelatedInfo {
  message: string;
  file?: string;
  line?: number;
  /** Present on the config line a person changes to fix the finding: what to change there. */
  change?: string;
}

/** One problem, identified by a stable rule id (see src/rules.ts). */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  stage: Stage;
  /** The fact, one sentence. */
  message: string;
  /** The imperative advice, separate from the fact. */
  hint?: string;
  queue?: string;
  environment?: string;
  service?: string;
  worker?: string;
  location?: Location;
  related?: RelatedInfo[];
  /** The edit `receipts-doctor fix` would make for this finding (present in `fix`'s reports). */
  fix?: FindingFix;
}

/**
 * One replacement in a project file (SARIF's `replacement`): the region [start, end) in 1-based lines and
 * columns (UTF-16 code units), its text before and after, and the whole lines it touches before and after.
 */
export interface FixReplacement {
  file: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  deletedText: string;
  insertedText: string;
  /** The lines startLine…endLine as they read before the change (no line endings). */
  linesBefore: string[];
  /** The same lines after the change. */
  linesAfter: string[];
}

/** The change that fixes a finding: what it does, and its replacements. */
export interface FindingFix {
  description: string;
  replacements: FixReplacement[];
}

/** An environment: the deployment source that made it, its files (in merge order) and the profiles active. */
export interface Environment {
  name: string;
  /** The deployment source that made it: compose, kubernetes, kustomize, helm, procfile, systemd, supervisord, fly. */
  source?: string;
  files: string[];
  profiles: string[];
  /** Names of all services in the merged model (active or not). */
  services: string[];
}

export type ProducerKind =
  | 'rq-queue'
  | 'rq-job-decorator'
  | 'django-rq-get-queue'
  | 'bullmq-queue'
  | 'bullmq-flow'
  | 'rq-scheduler'
  | 'celery-task'
  | 'celery-send-task'
  | 'celery-beat'
  | 'sidekiq-job'
  | 'sidekiq-client'
  | 'activejob-job'
  | 'actionmailer-deliver-later';

/** A producer's queue in one environment, when its name is read from the environment. */
export interface ProducerQueueInEnvironment {
  environment: string;
  /** null: the variable is unset there and the code has no default. */
  queue: string | null;
  /** `environment`: set by the services named; `code-default`: unset there, so the code's default applies. */
  source: 'environment' | 'code-default';
  services?: string[];
  /** Where the variable is set (the first service's entry). */
  location?: Location;
}

/** A place in the source that enqueues to a queue. `queue` is null when the name could not be resolved. */
export interface Producer {
  queue: string | null;
  kind: ProducerKind;
  location: Location;
  /** Source text of the queue-name expression when it was not a literal (for producer-unresolved). */
  expression?: string;
  /** Enclosing function (dotted for methods), or undefined at module level. */
  scope?: string;
  /** The method that enqueues (`enqueue`, `enqueue_at`, `add`, `schedule`, `delay`, …); absent for a construction never enqueued to. */
  via?: string;
  /** Where the queue object it enqueues through is built, when that is not the site itself (maybe another module). */
  construction?: Location;
  /** The queue name is read from this environment variable; `queue` is then the code default (null without one). */
  env?: { variable: string; default: string | null };
  /** With `env`: the queue in each environment, from the services that run this code. */
  environments?: ProducerQueueInEnvironment[];
  /** BullMQ's key prefix when the code sets it (`{ prefix: … }`); literal, or read from `env` there. */
  prefix?: string | { variable: string; default: string | null };
  /** Celery: the task's name, and how its queue was chosen when the call names none (`task_routes` or the default). */
  task?: string;
  routedBy?: 'route' | 'default';
  /**
   * Celery, in a project with several apps: the app whose configuration routed this send (its main name, else
   * `file:variable`), and the setting that chose the queue (a `task_routes` key or the app's default queue).
   */
  celeryApp?: string;
  routedAt?: Location;
}

/** A call that asks "is a worker listening to queue X?" before enqueueing. */
export interface AvailabilityCheck {
  queue: string;
  location: Location;
  scope?: string;
  /** Callee as written, e.g. `_has_worker_for_queue` or `Worker.count`. */
  callee: string;
}

export type QueueSource =
  /** queues given as arguments of the worker command (`rq worker high default`) */
  | 'command'
  /** a queue variable set in the service's environment/env_file */
  | 'environment'
  /** the worker script's code default for an unset queue variable */
  | 'code-default'
  /** the worker program's own default (`rq worker` with no queues → default) */
  | 'program-default';

/** A worker service in one environment and the queues it consumes there. */
export interface Consumer {
  environment: string;
  service: string;
  active: boolean;
  /** Why the service does not run in this environment (profile not active, replicas: 0, scale: 0). */
  inactiveReason?: string;
  queues: string[];
  queueSource: QueueSource;
  /** The queue variable that supplied the queues, when queueSource is environment/code-default. */
  variable?: string;
  /** Where the queue list is set (env entry, command, or code default). */
  location?: Location;
  /** Where the service is declared (`services.<name>` key) in the environment's last file defining it. */
  serviceLocation?: Location;
  /** How the worker was recognised, e.g. `rq worker`, `python -m server.worker`, `RQ_QUEUES`. */
  detectedBy: string;
  /** Unset variables without a default interpolated into the queue variable (queue-var-unset). */
  unsetVariables?: string[];
  /** The project file of the worker script the service runs, when it was found. */
  script?: string;
  /** Celery, in a project with several apps: the app `celery -A …` loads (its main name, else `file:variable`). */
  celeryApp?: string;
}

/** A project file the static stage could not read (a dangling symlink, no permission, over the size cap). */
export interface UnreadableFile {
  /** Relative to the project root. */
  file: string;
  reason: string;
}

export interface StaticSection {
  environments: Environment[];
  producers: Producer[];
  consumers: Consumer[];
  checks?: AvailabilityCheck[];
  /** Present when some files could not be read: they were skipped, so what they hold is not in the analysis. */
  unreadable?: { count: number; files: UnreadableFile[] };
  durationMs: number;
}

export interface SmokePhase {
  status: string;
  atMs: number;
}

/** What the API's diagnostics endpoint said when the smoke failed (docs/CONTRACT.md §6). */
export interface SmokeDiagnostics {
  workers: { name: string; queues: string[]; state?: string }[];
  /** Queue name → waiting jobs. */
  queues: Record<string, number>;
  defaultQueueHasWorker?: boolean;
  /** One line: "1 worker (`w1`) listening to high, low; `default` has no worker; queue `default` has 3 waiting". */
  summary: string;
}

export interface SmokeSection {
  url: string;
  jobId?: string;
  finalStatus?: string;
  /** HTTP status of the sync POST. */
  httpStatus?: number;
  phases: SmokePhase[];
  durationMs: number;
  /** Read from the diagnostics endpoint on a failure, when it answered. */
  diagnostics?: SmokeDiagnostics;
}

export interface Summary {
  error: number;
  warning: number;
  info: number;
}

export interface Report {
  tool: 'receipts-doctor';
  version: string;
  ok: boolean;
  summary: Summary;
  findings: Finding[];
  static?: StaticSection;
  live?: LiveSection;
  smoke?: SmokeSection;
  /** Present when `--baseline`/`--write-baseline` was used: findings the baseline accepted were dropped. */
  baseline?: BaselineInfo;
  /** One-line facts about the run itself (why the live stage ran, an interruption), shown before the verdict. */
  notes?: string[];
  /** `check` was interrupted (Ctrl-C) while this stage ran: its findings are missing (exit 130). */
  interrupted?: 'static' | 'live' | 'smoke';
}

export interface BaselineInfo {
  /** The baseline file as given on the command line. */
  file: string;
  /** How many findings the baseline suppressed. */
  suppressed: number;
}
