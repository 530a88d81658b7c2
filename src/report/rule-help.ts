import { RULE_DOCS_BASE_URL } from '../rules.js';

/** How to fix each rule's findings, in one or two sentences (SARIF `help`, Markdown links); the docs say more. */
export const RULE_HELP: Readonly<Record<string, string>> = {
  'queue-without-worker':
    'Add the queue to the worker service of that environment (RQ_QUEUES, or the queues of `rq worker …`), or add a worker service that listens to it.',
  'worker-check-mismatch':
    'Make the availability check ask about the queue the code actually enqueues to, or enqueue to the queue it checks.',
  'queue-var-empty': 'Set the queue variable to the comma-separated queues the worker must consume, or remove it so the code default applies.',
  'queue-var-unset': 'Set the interpolated variable in .env (or with --env-file/--var), or give it a default with ${VAR:-default}.',
  'worker-inactive': 'Activate the worker\'s profile for that environment, or give it a positive `deploy.replicas`/`scale`.',
  'worker-queue-unused': 'Remove the queue from the worker if nothing will enqueue to it, or ignore the rule for planned queues.',
  'producer-unresolved': 'Use a string literal or a module-level constant for the queue name, or list the queue in `queues` of the config.',
  'live-queue-without-worker': 'Start (or restart) a worker that listens to the queue, with the queues the code enqueues to.',
  'stale-worker': 'Restart the dead worker; its registration expires by itself once its TTL passes.',
  'stuck-jobs': 'Look at the worker that listens to the queue: it may be hung, overloaded or stuck on a long job; scale it or fix the job.',
  'failed-jobs': 'Read the failed jobs\' errors, fix the cause, then requeue or delete them.',
  'config-live-drift': 'Redeploy the workers so they run with the current configuration.',
  'live-unreachable': 'Check the Redis URL, network path, user and password the doctor was given.',
  'live-client-list-denied': 'Grant the Redis user `+client|list` for an exact view of BullMQ workers.',
  'smoke-http-status': 'Read the status and error text in the message; the live findings of the same run usually name the cause.',
  'smoke-timeout': 'Make sure a live worker consumes the sync queue and is not stuck; raise --timeout for slow syncs.',
  'smoke-job-failed': 'Read the job\'s error and the worker logs, fix the job, and run the smoke again.',
  'smoke-unreachable': 'Check the API URL and that the API is up and reachable from where the doctor runs.',
};

/** The rule's documentation page on the web. */
export const ruleHelpUri = (id: string) => `${RULE_DOCS_BASE_URL}${id}.md`;
