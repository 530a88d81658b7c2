import { buildReport } from '../../src/report/build.js';
import { finding } from '../../src/finding.js';
import { RULES, type RuleId } from '../../src/rules.js';
import type { Finding, LiveSection, Report, SmokeSection, StaticSection } from '../../src/types.js';
import { SYNC_PATH, WORKER_OFFLINE } from '../../src/contract/http.js';

/** Realistic findings (the incident's project, prosaas) with the fields the real stage fills in. */
export const FINDING_BY_RULE: Partial<Record<RuleId, Finding>> = {
  'queue-without-worker': finding('queue-without-worker', {
    message: 'Queue `default` is enqueued to but no worker in `prod` consumes it.',
    hint: 'Add `default` to RQ_QUEUES of service `worker` in docker-compose.prod.yml:14.',
    queue: 'default',
    environment: 'prod',
    location: { file: 'server/routes/receipts.py', line: 42, column: 13 },
    related: [
      {
        message: 'Service `worker` in `prod` listens to `high`, `low`.',
        file: 'docker-compose.prod.yml',
        line: 14,
        change: 'Add `default` to RQ_QUEUES of service `worker` in docker-compose.prod.yml:14.',
      },
    ],
  }),
  'worker-check-mismatch': finding('worker-check-mismatch', {
    message: '`sync_receipts` checks for a worker on `receipts_sync` but enqueues to `default`.',
    hint: 'Make `_has_worker_for_queue` ask about the queue the code enqueues to (`default`), or enqueue to `receipts_sync`.',
    queue: 'receipts_sync',
    location: { file: 'server/routes/receipts.py', line: 38 },
    related: [{ message: 'Enqueues to `default` here.', file: 'server/routes/receipts.py', line: 42 }],
  }),
  'queue-var-empty': finding('queue-var-empty', {
    message: 'RQ_QUEUES of service `worker` is empty in `staging`, so the worker listens to no queue.',
    hint: 'Set RQ_QUEUES to the queues the worker must consume in docker-compose.staging.yml:9.',
    environment: 'staging',
    service: 'worker',
    location: { file: 'docker-compose.staging.yml', line: 9 },
  }),
  'queue-var-unset': finding('queue-var-unset', {
    message: 'RQ_QUEUES of service `worker` interpolates `WORKER_QUEUES`, which is unset in `default` and has no default.',
    hint: 'Set `WORKER_QUEUES` in .env (or pass --env-file/--var), or give it a default: ${WORKER_QUEUES:-default}.',
    environment: 'default',
    service: 'worker',
    location: { file: 'docker-compose.yml', line: 21, column: 7 },
  }),
  'worker-inactive': finding('worker-inactive', {
    message: 'Worker service `scheduler` does not run in `prod`: its profile `cron` is not active.',
    hint: 'Activate the profile with --profile (or COMPOSE_PROFILES) when deploying `prod`, or remove `profiles` from service `scheduler`.',
    environment: 'prod',
    service: 'scheduler',
    location: { file: 'docker-compose.yml', line: 30 },
  }),
  'worker-queue-unused': finding('worker-queue-unused', {
    message: 'Service `worker` in `default` listens to `receipts_sync`, which nothing enqueues to.',
    hint: "Remove `receipts_sync` from the worker's queues if it is not needed.",
    queue: 'receipts_sync',
    environment: 'default',
    service: 'worker',
    location: { file: 'docker-compose.yml', line: 18 },
  }),
  'producer-unresolved': finding('producer-unresolved', {
    message: 'The queue name `settings.SYNC_QUEUE` of this enqueue site could not be resolved statically.',
    hint: 'Use a string literal or a module-level constant for the queue name, or declare the queue with --queue.',
    location: { file: 'server/tasks/export.py', line: 7 },
  }),
  'live-queue-without-worker': finding('live-queue-without-worker', {
    message: 'Queue `default` has 3 waiting jobs and no live worker listens to it.',
    hint: 'Start a worker that listens to `default`, e.g. `rq worker high default low`.',
    queue: 'default',
  }),
  'stale-worker': finding('stale-worker', {
    message: 'Worker `7f3a…@worker-1` is registered but its last heartbeat was 14m ago.',
    hint: 'Remove the dead registration or restart the worker; it does not count as a consumer.',
    worker: '7f3a91c2@worker-1',
    queue: 'high',
  }),
  'stuck-jobs': finding('stuck-jobs', {
    message: 'The oldest waiting job in `low` is 9m old although worker `b12c@worker-2` listens to it.',
    hint: 'Check the worker logs: it may be busy with a long job or hung.',
    queue: 'low',
    worker: 'b12c@worker-2',
  }),
  'failed-jobs': finding('failed-jobs', {
    message: 'Queue `default` has 2 failed jobs; the newest failed with `ConnectionError: receipts API timed out`.',
    hint: 'Inspect them with `rq info` / the failed registry and requeue once fixed.',
    queue: 'default',
  }),
  'config-live-drift': finding('config-live-drift', {
    message: 'Queue `default` is consumed according to `prod` but no live worker listens to it.',
    hint: 'Restart the workers of `prod` so they pick up the current RQ_QUEUES.',
    queue: 'default',
    environment: 'prod',
    service: 'worker',
    location: { file: 'docker-compose.prod.yml', line: 14 },
  }),
  'live-unreachable': finding('live-unreachable', {
    message: 'Redis at redis://:***@127.0.0.1:6390 refused the connection (ECONNREFUSED).',
    hint: 'Check that Redis at redis://:***@127.0.0.1:6390 is up and that the URL, user and password are right.',
  }),
  'live-client-list-denied': finding('live-client-list-denied', {
    message: 'CLIENT LIST is not permitted for this Redis user; BullMQ worker liveness was inferred from stalled-check keys.',
    hint: 'Grant `+client|list` to the user for an exact view of BullMQ workers.',
  }),
  'smoke-http-status': finding('smoke-http-status', {
    message: `POST ${SYNC_PATH} answered 503: "${WORKER_OFFLINE}".`,
    hint: 'Start a worker for the sync queue; see the related live findings.',
    related: [{ message: 'live: Queue `default` has 3 waiting jobs and no live worker listens to it.' }],
  }),
  'smoke-timeout': finding('smoke-timeout', {
    message: 'Job 1b2c3d did not reach a final state within 60s; its last status was `queued`.',
    hint: 'Check that a live worker listens to the sync queue.',
  }),
  'smoke-job-failed': finding('smoke-job-failed', {
    message: 'Job 1b2c3d ended `failed`: "ValueError: bad receipt payload <total> & \'tax\'".',
    hint: 'Read the worker logs for the traceback.',
  }),
  'smoke-unreachable': finding('smoke-unreachable', {
    message: 'The API at http://127.0.0.1:8099 could not be reached (ECONNREFUSED).',
    hint: 'Check that the API at http://127.0.0.1:8099 is up and reachable from here.',
  }),
};

export const STATIC_SECTION: StaticSection = {
  environments: [
    { name: 'default', files: ['docker-compose.yml'], profiles: [], services: ['api', 'redis', 'worker'] },
    { name: 'prod', files: ['docker-compose.yml', 'docker-compose.prod.yml'], profiles: [], services: ['api', 'redis', 'worker'] },
  ],
  producers: [
    { queue: 'default', kind: 'rq-queue', location: { file: 'server/routes/receipts.py', line: 42 }, scope: 'sync_receipts' },
    { queue: 'high', kind: 'rq-queue', location: { file: 'server/routes/alerts.py', line: 10 } },
    { queue: null, kind: 'rq-queue', expression: 'settings.SYNC_QUEUE', location: { file: 'server/tasks/export.py', line: 7 } },
  ],
  consumers: [
    {
      environment: 'default', service: 'worker', active: true, queues: ['high', 'default', 'low', 'receipts_sync'],
      queueSource: 'environment', variable: 'RQ_QUEUES', detectedBy: 'RQ_QUEUES',
      location: { file: 'docker-compose.yml', line: 18 },
    },
    {
      environment: 'prod', service: 'worker', active: true, queues: ['high', 'low'],
      queueSource: 'environment', variable: 'RQ_QUEUES', detectedBy: 'RQ_QUEUES',
      location: { file: 'docker-compose.prod.yml', line: 14 },
    },
  ],
  durationMs: 38,
};

export const LIVE_SECTION: LiveSection = {
  backend: 'rq',
  workers: [
    { name: 'b12c@worker-2', backend: 'rq', queues: ['high', 'low'], alive: true, state: 'busy' },
    { name: '7f3a91c2@worker-1', backend: 'rq', queues: ['high'], alive: false, state: 'idle' },
  ],
  queues: [
    { name: 'default', backend: 'rq', waiting: 3, active: 0, failed: 2, consumers: [] },
    { name: 'low', backend: 'rq', waiting: 1, active: 1, failed: 0, oldestWaitingAgeMs: 540_000, consumers: ['b12c@worker-2'] },
  ],
  durationMs: 12,
  redis: 'redis://:***@127.0.0.1:6390',
};

export const SMOKE_SECTION: SmokeSection = {
  url: 'http://127.0.0.1:8099',
  jobId: '1b2c3d',
  finalStatus: 'queued',
  httpStatus: 202,
  phases: [{ status: 'queued', atMs: 40 }],
  durationMs: 60_000,
};

/** No findings, no stage sections. */
export const emptyReport = (): Report => buildReport([], {});

/** A clean static-only run. */
export const cleanStaticReport = (): Report =>
  buildReport([], {
    static: { ...STATIC_SECTION, consumers: STATIC_SECTION.consumers.map((c) => ({ ...c, queues: ['high', 'default'] })), producers: STATIC_SECTION.producers.slice(0, 2) },
  });

/** One finding for every rule id, from every stage, with all three sections. */
export const fullReport = (): Report =>
  buildReport(
    // A rule without a realistic example above still appears, with its registry text as message and hint.
    RULES.map((rule) => structuredClone(FINDING_BY_RULE[rule.id] ?? finding(rule.id, { message: rule.description, hint: rule.help }))),
    { static: STATIC_SECTION, live: LIVE_SECTION, smoke: SMOKE_SECTION },
  );
