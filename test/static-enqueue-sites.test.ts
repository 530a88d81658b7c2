import { describe, expect, it } from 'vitest';
import { fixture, runCli, runJson } from './helpers/cli.js';
import { onlyFinding, scenarioReport } from './helpers/report.js';

/** Where the static findings of the enqueue-site scenarios point (the verdicts are in their expected.json). */

describe("the incident's shape: a module-level queue enqueued to in a Flask route", () => {
  it('worker-check-mismatch (keyword form) is located in the route, with the enqueue as related', async () => {
    const report = await scenarioReport('incident-module-queue');
    const mismatch = onlyFinding(report, 'worker-check-mismatch');
    expect(mismatch.message).toBe('`sync_receipts` checks for a worker on `receipts_sync` but enqueues to `default`.');
    expect(mismatch.location).toEqual({ file: 'server/routes_receipts.py', line: 19, column: 12 });
    expect(mismatch.related).toEqual([{ message: 'Enqueues to `default` here.', file: 'server/routes_receipts.py', line: 21 }]);
  });

  it('queue-without-worker sits at the enqueue, naming the config line to change and the construction', async () => {
    const report = await scenarioReport('incident-module-queue');
    const prod = onlyFinding(report, 'queue-without-worker', 'prod');
    expect(prod.location).toEqual({ file: 'server/routes_receipts.py', line: 21, column: 11 });
    expect(prod.related![0]).toEqual({
      message: 'Service `worker` in environment `prod` listens to `high`, `receipts_sync`, `low`.',
      file: 'docker-compose.prod.yml',
      line: 3,
      change: prod.hint,
    });
    expect(prod.related).toContainEqual({ message: 'The queue object is built here.', file: 'server/routes_receipts.py', line: 10 });
    const producer = report.static!.producers[0]!;
    expect(producer).toMatchObject({ queue: 'default', via: 'enqueue', scope: 'sync_receipts', construction: { file: 'server/routes_receipts.py', line: 10 } });
  });

  it('the github format annotates the enqueue and the compose line a PR would edit', async () => {
    const result = await runCli(['static', fixture('scenarios', 'incident-module-queue'), '--format', 'github']);
    const lines = result.stdout.split('\n').filter((line) => line.startsWith('::error') && line.includes('queue-without-worker'));
    expect(lines.some((line) => line.includes('file=server/routes_receipts.py,line=21'))).toBe(true);
    expect(lines.some((line) => line.includes('file=docker-compose.prod.yml,line=3') && line.includes('the line to change'))).toBe(true);
  });

  it('helper-default form: the helper called without a queue checks its default parameter; the queue object is imported', async () => {
    const report = await scenarioReport('incident-helper-default');
    const mismatch = onlyFinding(report, 'worker-check-mismatch');
    expect(mismatch.queue).toBe('receipts_sync');
    expect(mismatch.location).toEqual({ file: 'server/routes_receipts.py', line: 16, column: 12 });
    const prod = onlyFinding(report, 'queue-without-worker', 'prod');
    expect(prod.location).toMatchObject({ file: 'server/routes_receipts.py', line: 18 });
    expect(prod.related).toContainEqual({ message: 'The queue object is built here.', file: 'server/queues.py', line: 8 });
  });

  it('Worker.count(queue=<queue object>) asks about that object\'s queue; class attributes, self.x and factories', async () => {
    const report = await scenarioReport('worker-all-queue-object');
    const mismatch = onlyFinding(report, 'worker-check-mismatch');
    expect(mismatch.message).toBe('`ReportService.build` checks for a worker on `reports` but enqueues to `mail`.');
    expect(report.static!.producers.map((p) => `${p.queue} ${p.location.line} ${p.scope} ${p.construction?.line}`)).toEqual([
      'mail 17 ReportService.build 11',
      'reports 22 ReportService.refresh 8',
      'mail 30 notify 26',
    ]);
  });
});

describe('queue names read from the environment', () => {
  it('resolve per environment from the services that run the code, falling back to the code default', async () => {
    const report = await scenarioReport('rq-scheduled-env');
    const sync = report.static!.producers.find((p) => p.env?.variable === 'SYNC_QUEUE')!;
    expect(sync.environments).toEqual([
      { environment: 'default', queue: 'default', source: 'code-default' },
      {
        environment: 'prod',
        queue: 'receipts_sync',
        source: 'environment',
        services: ['api'],
        location: { file: 'docker-compose.prod.yml', line: 4, column: 7 },
      },
    ]);
    expect(onlyFinding(report, 'queue-without-worker', 'default').queue).toBe('default');
    // no default and unset in `default`: unresolved there, `audit` in prod
    expect(onlyFinding(report, 'producer-unresolved').location).toMatchObject({ file: 'app/tasks.py', line: 30 });
  });

  it('scheduled and deferred jobs are producers: rq-scheduler cron/schedule, enqueue_in, @job .delay', async () => {
    const report = await scenarioReport('rq-scheduled-env');
    expect(report.static!.producers.map((p) => `${p.kind} ${p.via} ${p.queue}`)).toEqual([
      'rq-queue enqueue_in default',
      'rq-scheduler cron hourly',
      'rq-scheduler schedule reports',
      'rq-queue enqueue null',
      'rq-job-decorator delay low',
    ]);
  });

  it('process.env.X ?? d in BullMQ, and repeatable jobs, job schedulers and nested flow children count', async () => {
    const report = await scenarioReport('bullmq-enqueue-sites', '--queue-var', 'WORKER_QUEUES');
    const prod = report.findings.filter((f) => f.rule === 'queue-without-worker' && f.environment === 'prod').map((f) => f.queue);
    expect(prod).toEqual(['archive', 'receipts-prod']);
    expect(report.static!.producers.map((p) => `${p.via ?? p.kind} ${p.queue}`)).toEqual([
      'add receipts',
      'upsertJobScheduler digests',
      'add tenant-reports',
      'add emails',
      'bullmq-flow receipts',
      'bullmq-flow emails',
      'bullmq-flow archive',
    ]);
  });

  it('--queue declares a queue for static (and check without --redis)', async () => {
    for (const command of ['static', 'check']) {
      const result = await runJson([command, fixture('scenarios', 'rq-scheduled-env'), '--queue', 'invoices']);
      expect(result.stderr).toBe('');
      const declared = result.report!.findings.filter((f) => f.rule === 'queue-without-worker' && f.queue === 'invoices');
      expect(declared.map((f) => f.environment)).toEqual(['default', 'prod']);
    }
  });
});

describe('connection-mismatch', () => {
  it('a worker on another Redis db: an error with both lines, no password printed', async () => {
    const result = await runJson(['static', fixture('scenarios', 'connection-mismatch-rq')]);
    const mismatch = onlyFinding(result.report!, 'connection-mismatch');
    expect(mismatch).toMatchObject({ severity: 'error', queue: 'default', environment: 'prod', service: 'worker' });
    expect(mismatch.location).toMatchObject({ file: 'docker-compose.prod.yml', line: 3 });
    expect(mismatch.related).toContainEqual({ message: 'Service `api` sets its Redis here (REDIS_URL).', file: 'docker-compose.yml', line: 8 });
    expect(mismatch.message).toContain('db 0 vs redis:6379, db 1');
    for (const format of ['json', 'sarif', 'github', 'markdown', 'table']) {
      const out = await runCli(['static', fixture('scenarios', 'connection-mismatch-rq'), '--format', format]);
      expect(out.stdout, format).not.toMatch(/hunter2|s3cret/);
    }
  });

  it('BullMQ prefixes that differ between the Queue and the worker script\'s Worker', async () => {
    const report = await scenarioReport('connection-mismatch-bullmq', '--queue-var', 'WORKER_QUEUES');
    const mismatch = onlyFinding(report, 'connection-mismatch');
    expect(mismatch.message).toContain('BullMQ prefix: `app` vs `mailer`');
    expect(mismatch.related).toContainEqual({ message: '`mail` is enqueued to here.', file: 'src/api.ts', line: 7 });
  });
});
