/** How bad a rule's findings are by default (a project may override it per rule). */
export type Severity = 'error' | 'warning' | 'info';
/** The stage that emits a rule's findings. */
export type Stage = 'static' | 'live' | 'smoke';

/**
 * What a rule is, written once: where it runs, how bad it is by default, one line saying what it means (SARIF
 * `shortDescription`, the docs index, the first line of its doc page) and one or two sentences of advice (SARIF
 * `help`, the Markdown report's link). A finding's own `hint` is the advice for that one case; the doc page
 * docs/rules/<id>.md says more. Ids never change meaning (docs/CONTRACT.md §3).
 */
interface RuleSpec {
  stage: Stage;
  severity: Severity;
  description: string;
  help: string;
  /** `fix` writes a change for its findings (docs/fix.md); the others need a decision a file edit cannot make. */
  fixable?: true;
}

const RULE_SPECS = {
  'queue-without-worker': {
    stage: 'static',
    severity: 'error',
    description: 'A queue the code enqueues to is consumed by no active worker service in an environment.',
    help: 'Add the queue to the worker service of that environment (RQ_QUEUES, or the queues of `rq worker …`), or add a worker service that listens to it.',
    fixable: true,
  },
  'worker-check-mismatch': {
    stage: 'static',
    severity: 'error',
    description: 'An availability check asks about one queue while the same code enqueues to another.',
    help: 'Make the availability check ask about the queue the code actually enqueues to, or enqueue to the queue it checks.',
    fixable: true,
  },
  'celery-setting-ignored': {
    stage: 'static',
    severity: 'warning',
    description: "A Celery setting is named so that Celery ignores it under the app's configuration namespace.",
    help: 'Rename the setting to the name Celery reads under the namespace (the finding gives it), or remove it.',
  },
  'queue-var-empty': {
    stage: 'static',
    severity: 'error',
    description: "A worker's queue variable resolves to an empty string, so the worker listens to nothing.",
    help: 'Set the queue variable to the comma-separated queues the worker must consume, or remove it so the code default applies.',
  },
  'queue-var-unset': {
    stage: 'static',
    severity: 'warning',
    description: 'A queue variable interpolates an unset variable that has no default.',
    help: 'Set the interpolated variable in .env (or with --env-file/--var), or give it a default with ${VAR:-default}.',
  },
  'worker-inactive': {
    stage: 'static',
    severity: 'warning',
    description: 'A worker service exists but does not run in an environment (inactive profile, replicas/scale 0).',
    help: "Activate the worker's profile for that environment, or give it a positive `deploy.replicas`/`scale`.",
  },
  'worker-queue-unused': {
    stage: 'static',
    severity: 'info',
    description: 'A worker listens to a queue that nothing enqueues to.',
    help: 'Remove the queue from the worker if nothing will enqueue to it, or ignore the rule for planned queues.',
  },
  'connection-mismatch': {
    stage: 'static',
    severity: 'error',
    description: 'The services that enqueue to a queue and the workers that consume it point at different Redis (host, port, db, user) or BullMQ prefixes.',
    help: 'Give the producing services and the worker services of the environment the same Redis URL (and, for BullMQ, the same prefix).',
  },
  'static-no-producers': {
    stage: 'static',
    severity: 'warning',
    description: 'Worker services were found but no enqueue site in the code the services run (or no code at all), so there was nothing to check them against.',
    help: 'Run the doctor on the directory that holds both the code and the deployment files, or declare the queues the code enqueues to with --queue (config `queues`).',
  },
  'celery-rabbitmq-broker': {
    stage: 'static',
    severity: 'info',
    description: "An environment's Celery workers use a RabbitMQ broker (amqp://), which the live stage reads only with --broker.",
    help: 'Give check or live `--broker amqp://user:pass@host:5672/vhost` (a `monitoring`-tag user suffices) to see which queues have a consumer.',
  },
  'producer-unresolved': {
    stage: 'static',
    severity: 'info',
    description: 'An enqueue site whose queue name could not be resolved statically.',
    help: 'Use a string literal or a module-level constant for the queue name, or list the queue in `queues` of the config.',
  },
  'live-queue-without-worker': {
    stage: 'live',
    severity: 'error',
    description: 'A queue with waiting jobs, or an expected queue, has no live worker.',
    help: 'Start (or restart) a worker that listens to the queue, with the queues the code enqueues to.',
  },
  'stale-worker': {
    stage: 'live',
    severity: 'warning',
    description: 'A registered worker is not alive; it does not count as a consumer.',
    help: 'Restart the dead worker; its registration expires by itself once its TTL passes.',
  },
  'stuck-jobs': {
    stage: 'live',
    severity: 'warning',
    description: 'The oldest waiting job is older than --stuck-after although live workers listen to its queue.',
    help: 'Look at the worker that listens to the queue: it may be hung, overloaded or stuck on a long job; scale it or fix the job.',
  },
  'failed-jobs': {
    stage: 'live',
    severity: 'warning',
    description: 'Failed-job registries are not empty.',
    help: "Read the failed jobs' errors, fix the cause, then requeue or delete them.",
  },
  'config-live-drift': {
    stage: 'live',
    severity: 'error',
    description: 'The configuration says a queue is consumed, but no live worker listens to it.',
    help: 'Redeploy the workers so they run with the current configuration.',
  },
  'live-unreachable': {
    stage: 'live',
    severity: 'error',
    description: 'Redis could not be reached or authenticated.',
    help: 'Check the Redis URL, network path, user and password the doctor was given.',
  },
  'live-nothing-found': {
    stage: 'live',
    severity: 'warning',
    description: 'The Redis database read holds no key of the queue systems the live stage looked for, so it had nothing to judge.',
    help: 'Point --redis at the database the workers use, or choose the --backend / BullMQ --prefix the keys there belong to.',
  },
  'live-client-list-denied': {
    stage: 'live',
    severity: 'info',
    description: 'CLIENT LIST is not permitted, so BullMQ worker liveness was inferred from stalled-check keys.',
    help: 'Grant the Redis user `+client|list` for an exact view of BullMQ workers.',
  },
  'live-celery-consumers-unknown': {
    stage: 'live',
    severity: 'info',
    description: 'A Celery queue has waiting messages (or is expected) and workers are registered, but which of them consume it is unknown without a broadcast.',
    help: 'Run live with --celery-inspect (it writes: an `inspect active_queues` broadcast) or `celery -A <app> inspect active_queues` to see each worker\'s queues.',
  },
  'live-celery-inspect-failed': {
    stage: 'live',
    severity: 'warning',
    description: 'The --celery-inspect broadcast could not be sent or read (e.g. a read-only Redis user), so Celery consumers are unknown.',
    help: 'Give --celery-inspect a Redis user that may write its reply keys and PUBLISH, or run live without it for the read-only view.',
  },
  'live-known-queue-without-worker': {
    stage: 'live',
    severity: 'warning',
    description: 'A queue Redis knows (RQ `rq:queues`, a BullMQ `meta` key, a Celery binding) has no live worker, even though it is empty.',
    help: 'Start a worker that listens to the queue before anything is enqueued to it, or delete the queue if it is no longer used.',
  },
  'smoke-http-status': {
    stage: 'smoke',
    severity: 'error',
    description: 'The API answered with an unexpected HTTP status.',
    help: 'Read the status and error text in the message; the live findings of the same run usually name the cause.',
  },
  'smoke-timeout': {
    stage: 'smoke',
    severity: 'error',
    description: 'The job did not reach a final state within --timeout.',
    help: 'Make sure a live worker consumes the sync queue and is not stuck; raise --timeout for slow syncs.',
  },
  'smoke-job-failed': {
    stage: 'smoke',
    severity: 'error',
    description: 'The job ended failed.',
    help: "Read the job's error and the worker logs, fix the job, and run the smoke again.",
  },
  'smoke-unreachable': {
    stage: 'smoke',
    severity: 'error',
    description: 'The API could not be reached.',
    help: 'Check the API URL and that the API is up and reachable from where the doctor runs.',
  },
  'smoke-unauthorized': {
    stage: 'smoke',
    severity: 'error',
    description: "The API refused the doctor's own token (401/403): a credentials problem of the check, not of the deploy.",
    help: 'Give the doctor a valid token (--token, --token-file or RECEIPTS_DOCTOR_TOKEN) for the API it smoke-tests.',
  },
} as const satisfies Record<string, RuleSpec>;

/** Every rule id; a finding of an id not in the registry does not compile. */
export type RuleId = keyof typeof RULE_SPECS;

export interface RuleMeta extends RuleSpec {
  id: RuleId;
}

/** The registry in its declared order (SARIF driver, JUnit test cases, the docs index follow it). */
export const RULES: readonly RuleMeta[] = (Object.keys(RULE_SPECS) as RuleId[]).map((id) => ({ id, ...RULE_SPECS[id] }));

const byId = new Map<string, RuleMeta>(RULES.map((rule) => [rule.id, rule]));

export const isRuleId = (id: string): id is RuleId => byId.has(id);

/** Whether `fix` writes a change for findings of this rule. */
export const isFixable = (id: string): boolean => byId.get(id)?.fixable === true;

export function ruleMeta(id: RuleId): RuleMeta {
  const meta = byId.get(id);
  if (!meta) throw new Error(`Unknown rule id: ${id}`);
  return meta;
}

/** Documentation page of a rule, relative to the repository root. */
export const ruleDocPath = (id: string) => `docs/rules/${id}.md`;
export const RULE_DOCS_BASE_URL = 'https://github.com/receipts-doctor/receipts-doctor/blob/main/docs/rules/';
/** The rule's documentation page on the web (SARIF `helpUri`, Markdown links). */
export const ruleHelpUri = (id: string) => `${RULE_DOCS_BASE_URL}${id}.md`;

/**
 * The parts of docs/rules/ rendered from the registry: `npm run docs:rules` writes them, test/formats/docs.test.ts
 * checks them. The table of docs/rules/README.md:
 */
export function rulesIndexTable(): string {
  const rows = RULES.map((rule) => `| [\`${rule.id}\`](${rule.id}.md) | ${rule.stage} | ${rule.severity} | ${rule.description} |`);
  return ['| rule | stage | default severity | when |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The head of a rule's doc page, up to its first `## ` section: title, stage and severity, the one-line summary. */
export function ruleDocHeader(id: RuleId): string {
  const rule = ruleMeta(id);
  return `# \`${rule.id}\`\n\n**Stage:** ${rule.stage} · **Default severity:** ${rule.severity}\n\n${rule.description}\n\n`;
}
