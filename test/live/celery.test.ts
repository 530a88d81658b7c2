import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runCli, runJson } from '../helpers/cli.js';
import { CELERY_APP_DIR, celeryPython, startCeleryWorker, type CeleryWorker } from '../helpers/celery.js';
import { eventually } from '../helpers/poll.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { addReadOnlyUser } from '../helpers/topology.js';

const DUE_AGO_S = 600;

/** The commands ACL LOG says were refused. */
async function refused(admin: Redis): Promise<string[]> {
  const log = (await admin.call('ACL', 'LOG')) as unknown[][];
  return log.map((entry) => String(entry[entry.indexOf('object') + 1]));
}

const ruleQueues = (findings: { rule: string; queue?: string }[]) => findings.map((f) => `${f.rule}:${f.queue ?? ''}`).sort();

describe('live against real Celery workers (Debian celery 5.2, Redis broker)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let alpha: CeleryWorker;
  let beta: CeleryWorker;
  let readOnlyUrl: string;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    await addReadOnlyUser(admin, 'doctor', 's3cret-pw');
    readOnlyUrl = `redis://doctor:s3cret-pw@127.0.0.1:${redis.port}`;
    // alpha consumes default and emails; beta (thumbnails) is killed as a crash would, leaving its mailbox binding.
    [alpha, beta] = await Promise.all([
      startCeleryWorker({ redisUrl: redis.url, name: 'alpha', queues: ['default', 'emails'] }),
      startCeleryWorker({ redisUrl: redis.url, name: 'beta', queues: ['thumbnails'] }),
    ]);
    await beta.stop('SIGKILL');
    // billing: nobody consumes it. Its oldest message was due 10 minutes ago; one more has priority 6 (its own list).
    // default: a task with a 10-minute countdown, which alpha takes and holds unacknowledged until its ETA.
    await celeryPython(
      redis.url,
      `from datetime import datetime, timedelta, timezone
celery.send_task('billing.charge', args=(1,), queue='billing', eta=datetime.now(timezone.utc) - timedelta(seconds=${DUE_AGO_S}))
celery.send_task('billing.charge', args=(2,), queue='billing')
celery.send_task('billing.charge', args=(3,), queue='billing', priority=6)
celery.send_task('app.tasks.crunch', args=(4,), queue='default', countdown=600)`,
    );
    await eventually(async () => ((await admin.hlen('unacked')) === 1 ? true : undefined), { what: 'alpha to hold the ETA task', context: alpha.output });
    await admin.call('ACL', 'LOG', 'RESET');
  }, 90_000);

  afterAll(async () => {
    await alpha?.stop('SIGKILL');
    await beta?.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
  });

  it('read-only by default: depths with priority lists, unacked, the age an ETA says, consumers unknown; ACL LOG stays empty', async () => {
    expect(await admin.llen('billing\x06\x166')).toBe(1);
    const { exitCode, report, stderr } = await runJson(['live', '--redis', readOnlyUrl]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const live = report!.live!;
    expect(live.backend).toBe('celery');
    expect(live.celery).toEqual({ unacked: 1, consumers: 'unknown' });
    const billing = live.queues.find((queue) => queue.name === 'billing')!;
    expect(billing).toMatchObject({ backend: 'celery', waiting: 3, active: 0, consumers: [], consumersUnknown: true });
    expect(billing.oldestWaitingAgeMs).toBeGreaterThanOrEqual(DUE_AGO_S * 1000);
    expect(billing.oldestWaitingAgeMs).toBeLessThan((DUE_AGO_S + 120) * 1000);
    expect(live.queues.find((queue) => queue.name === 'default')).toMatchObject({ waiting: 0, active: 0, scheduled: 1, consumersUnknown: true });
    expect(live.workers.map((worker) => [worker.name, worker.alive, worker.liveness])).toEqual([
      [alpha.node, false, 'unconfirmed'],
      [beta.node, false, 'unconfirmed'],
    ]);
    expect(ruleQueues(report!.findings)).toEqual(['live-celery-consumers-unknown:billing']);
    expect(await refused(admin)).toEqual([]);
  });

  it('--celery-inspect: each worker\'s queues from the broadcast, the unconsumed queue, the killed worker; nothing left behind', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', redis.url, '--celery-inspect']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    const live = report!.live!;
    expect(live.celery).toMatchObject({ consumers: 'broadcast', broadcast: { replies: 1, timeoutMs: 1000 } });
    expect(live.workers.find((worker) => worker.name === alpha.node)).toMatchObject({ alive: true, queues: ['default', 'emails'] });
    expect(live.workers.find((worker) => worker.name === beta.node)).toMatchObject({ alive: false, queues: [] });
    expect(live.queues.find((queue) => queue.name === 'default')!.consumers).toEqual([alpha.node]);
    expect(live.queues.find((queue) => queue.name === 'billing')!.consumers).toEqual([]);
    expect(ruleQueues(report!.findings)).toEqual(['live-known-queue-without-worker:thumbnails', 'live-queue-without-worker:billing', 'stale-worker:']);
    expect(report!.findings.find((f) => f.rule === 'stale-worker')!.worker).toBe(beta.node);
    // The reply binding and the reply lists are gone again.
    expect(await admin.keys('*reply*')).toEqual([]);
  });

  it('--celery-inspect under the read-only user: refused, said so, the rest still read', async () => {
    const { exitCode, report, stderr } = await runJson(['live', '--redis', readOnlyUrl, '--celery-inspect']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const failed = report!.findings.find((f) => f.rule === 'live-celery-inspect-failed')!;
    expect(failed.severity).toBe('warning');
    expect(failed.message).toMatch(/NOPERM/);
    expect(failed.message).not.toContain('s3cret-pw');
    expect(report!.live!.celery!.consumers).toBe('unknown');
    expect(report!.live!.queues.find((queue) => queue.name === 'billing')!.waiting).toBe(3);
    const denied = await refused(admin);
    expect(denied.length).toBeGreaterThan(0);
    expect(new Set(denied).size).toBeLessThanOrEqual(4);
    for (const command of denied) expect(['sadd', 'publish', 'srem', 'del']).toContain(command);
    await admin.call('ACL', 'LOG', 'RESET');
  });

  it('no worker known to the broker (another db): the waiting queue has no worker, without any broadcast', async () => {
    await celeryPython(`${redis.url}/1`, `celery.send_task('billing.charge', args=(1,), queue='billing')`);
    const { exitCode, report } = await runJson(['live', '--redis', `${readOnlyUrl}/1`]);
    expect(exitCode).toBe(1);
    expect(report!.live!.celery!.consumers).toBe('no-worker');
    expect(ruleQueues(report!.findings)).toEqual(['live-queue-without-worker:billing']);
    expect(report!.findings[0]!.related!.map((entry) => entry.message).join('\n')).toMatch(/No Celery worker is known to the broker/);
    expect(await refused(admin)).toEqual([]);
  });

  it('with the project dir, the queues its Celery code sends to are expected', async () => {
    const { report } = await runJson(['live', CELERY_APP_DIR, '--redis', redis.url, '--celery-inspect']);
    const rules = ruleQueues(report!.findings);
    // thumbnails: `.signature(..., options={'queue': 'thumbnails'})` in app/views.py; beta, its consumer, is dead.
    expect(rules).toContain('live-queue-without-worker:thumbnails');
    expect(rules).toContain('live-queue-without-worker:billing');
    expect(rules).not.toContain('live-queue-without-worker:emails');
    expect(rules).not.toContain('live-queue-without-worker:default');
  });

  describe('every format shows the Celery case', () => {
    const args = () => ['live', '--redis', redis.url, '--celery-inspect'];

    it('table', async () => {
      const { stdout } = await runCli(args());
      expect(stdout).toMatch(/Live celery at/);
      expect(stdout).toMatch(/Celery · 1 unacked · consumers from the --celery-inspect broadcast/);
      expect(stdout).toMatch(new RegExp(`${alpha.node.replace(/[.]/g, '\\.')}.*answered.*default, emails`));
      expect(stdout).toMatch(/billing +│ +3 │/);
      expect(stdout).toMatch(/error \[live\] Queue `billing` has 3 waiting jobs/);
    });

    it('table, read-only: consumers unknown, workers unconfirmed', async () => {
      const { stdout } = await runCli(['live', '--redis', readOnlyUrl]);
      expect(stdout).toMatch(/registered \(unconfirmed\)/);
      expect(stdout).toMatch(/billing .*unknown \(--celery-inspect\)/);
      expect(stdout).toMatch(/live-celery-consumers-unknown/);
    });

    it('sarif, github, junit, markdown', async () => {
      const sarif = JSON.parse((await runCli([...args(), '--format', 'sarif'])).stdout);
      const results = sarif.runs[0].results as { ruleId: string; message: { text: string } }[];
      expect(results.find((result) => result.ruleId === 'live-queue-without-worker')!.message.text).toMatch(/`billing`/);
      expect(sarif.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id)).toContain('live-celery-consumers-unknown');
      const github = (await runCli([...args(), '--format', 'github'])).stdout;
      expect(github).toMatch(/^::error title=receipts-doctor live-queue-without-worker::Queue `billing`/m);
      const junit = (await runCli([...args(), '--format', 'junit'])).stdout;
      expect(junit).toMatch(/<testcase [^>]*name="[^"]*billing[^"]*"[^>]*>\s*<failure/);
      const markdown = (await runCli([...args(), '--format', 'markdown'])).stdout;
      expect(markdown).toMatch(/live \(celery\)/);
      expect(markdown).toMatch(/\[live-queue-without-worker\]\(/);
      expect(markdown).toMatch(/`billing`/);
    });

    it('openmetrics: depths and unacked; no consumer gauge where consumers are unknown', async () => {
      const inspected = (await runCli([...args(), '--format', 'openmetrics'])).stdout;
      expect(inspected).toContain('receipts_doctor_queue_waiting{backend="celery",queue="billing"} 3');
      expect(inspected).toContain('receipts_doctor_queue_no_consumer{backend="celery",queue="billing"} 1');
      expect(inspected).toContain('receipts_doctor_queue_workers{backend="celery",queue="default"} 1');
      expect(inspected).toMatch(/^receipts_doctor_celery_unacked 1$/m);
      const readOnly = (await runCli(['live', '--redis', readOnlyUrl, '--format', 'openmetrics'])).stdout;
      expect(readOnly).toContain('receipts_doctor_queue_waiting{backend="celery",queue="billing"} 3');
      expect(readOnly).not.toMatch(/receipts_doctor_queue_no_consumer\{backend="celery"/);
      expect(readOnly).not.toMatch(/receipts_doctor_worker_up\{backend="celery"/);
    });
  });
});
