import type { Severity, Stage } from './types.js';

/** Static description of a rule: the id never changes meaning (SPEC §3). */
export interface RuleMeta {
  id: string;
  stage: Stage;
  severity: Severity;
  /** One line, used by SARIF `shortDescription` and the docs index. */
  description: string;
}

export const RULES: readonly RuleMeta[] = [
  { id: 'queue-without-worker', stage: 'static', severity: 'error', description: 'A queue the code enqueues to is consumed by no active worker service in an environment.' },
  { id: 'worker-check-mismatch', stage: 'static', severity: 'error', description: 'An availability check asks about one queue while the same code enqueues to another.' },
  { id: 'queue-var-empty', stage: 'static', severity: 'error', description: "A worker's queue variable resolves to an empty string, so the worker listens to nothing." },
  { id: 'queue-var-unset', stage: 'static', severity: 'warning', description: 'A queue variable interpolates an unset variable that has no default.' },
  { id: 'worker-inactive', stage: 'static', severity: 'warning', description: 'A worker service exists but does not run in an environment (inactive profile, replicas/scale 0).' },
  { id: 'worker-queue-unused', stage: 'static', severity: 'info', description: 'A worker listens to a queue that nothing enqueues to.' },
  { id: 'producer-unresolved', stage: 'static', severity: 'info', description: 'An enqueue site whose queue name could not be resolved statically.' },
  { id: 'live-queue-without-worker', stage: 'live', severity: 'error', description: 'A queue with waiting jobs, or an expected queue, has no live worker.' },
  { id: 'stale-worker', stage: 'live', severity: 'warning', description: 'A registered worker is not alive; it does not count as a consumer.' },
  { id: 'stuck-jobs', stage: 'live', severity: 'warning', description: 'The oldest waiting job is older than --stuck-after although live workers listen to its queue.' },
  { id: 'failed-jobs', stage: 'live', severity: 'warning', description: 'Failed-job registries are not empty.' },
  { id: 'config-live-drift', stage: 'live', severity: 'error', description: 'The configuration says a queue is consumed, but no live worker listens to it.' },
  { id: 'live-unreachable', stage: 'live', severity: 'error', description: 'Redis could not be reached or authenticated.' },
  { id: 'live-client-list-denied', stage: 'live', severity: 'info', description: 'CLIENT LIST is not permitted, so BullMQ worker liveness was inferred from stalled-check keys.' },
  { id: 'smoke-http-status', stage: 'smoke', severity: 'error', description: 'The API answered with an unexpected HTTP status.' },
  { id: 'smoke-timeout', stage: 'smoke', severity: 'error', description: 'The job did not reach a final state within --timeout.' },
  { id: 'smoke-job-failed', stage: 'smoke', severity: 'error', description: 'The job ended failed.' },
  { id: 'smoke-unreachable', stage: 'smoke', severity: 'error', description: 'The API could not be reached.' },
];

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleMeta(id: string): RuleMeta {
  const meta = byId.get(id);
  if (!meta) throw new Error(`Unknown rule id: ${id}`);
  return meta;
}

/** Documentation page of a rule, relative to the repository root. */
export const ruleDocPath = (id: string) => `docs/rules/${id}.md`;
export const RULE_DOCS_BASE_URL = 'https://github.com/receipts-doctor/receipts-doctor/blob/main/docs/rules/';
