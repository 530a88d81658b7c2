import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { celeryPython, startCeleryWorker, type CeleryWorker } from '../helpers/celery.js';
import { eventually } from '../helpers/poll.js';
import { startRabbitmq, type RabbitmqNode } from '../helpers/rabbitmq.js';
import { fixture } from '../helpers/cli.js';

/** The Celery app on RabbitMQ: `default` for receipts, `high` and `low` routed; its worker service runs `-Q high,low`. */
const APP_DIR = fixture('scenarios', 'celery-rabbitmq');
const VHOST = 'shop';
const MONITOR = { user: 'doctor', password: 'm0nitor-s3cret' };

const ruleQueues = (findings: { rule: string; queue?: string }[]) => findings.map((f) => `${f.rule}:${f.queue ?? ''}`).sort();

describe('live --broker against a real RabbitMQ 3.10 and real Celery workers', () => {
  let node: RabbitmqNode;
  let workerUrl: string;
  let doctorUrl: string;
  let worker: CeleryWorker | undefined;

  /** The worker nodes whose mailbox `<node>.celery.pidbox` has a consumer (what a running worker holds). */
  const mailboxNodes = async () => {
    const answer = await fetch(`${node.apiUrl}/api/consumers/${VHOST}?columns=queue.name`, {
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
    });
    const consumers = (await answer.json()) as { queue: { name: string } }[];
    return consumers.map((consumer) => consumer.queue.name).filter((name) => name.endsWith('.celery.pidbox')).map((name) => name.slice(0, -'.celery.pidbox'.length));
  };
  const startWorker = (name: string, queues: string[]) =>
    startCeleryWorker({ redisUrl: workerUrl, name, queues, nodes: mailboxNodes, app: { module: 'app', dir: APP_DIR } });
  /** Waits until `rabbitmqctl list_queues` shows these `name messages consumers` lines for the task queues. */
  const queuesSettle = (expected: string[]) =>
    eventually(
      async () => {
        const lines = (await node.listQueues(VHOST)).filter((line) => /^(default|high|low) /.test(line));
        return JSON.stringify(lines) === JSON.stringify(expected) ? lines : undefined;
      },
      { what: `queues ${expected.join('; ')}`, timeoutMs: 30_000, intervalMs: 200 },
    );
  /** The API's counts lag the queues by its statistics interval: wait until it says the same. */
  const apiSettles = (name: string, ready: number, consumers: number) =>
    eventually(
      async () => {
        const answer = await fetch(`${node.apiUrl}/api/queues/${VHOST}/${name}?columns=messages_ready,consumers`, {
          headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        });
        const queue = (await answer.json()) as { messages_ready?: number; consumers?: number };
        return queue.messages_ready === ready && queue.consumers === consumers ? true : undefined;
      },
      { what: `the API to show ${name} with ${ready} ready and ${consumers} consumers`, timeoutMs: 30_000, intervalMs: 200 },
    );
  const doctor = (...args: string[]) => ['live', '--broker', doctorUrl, '--rabbitmq-api', node.apiUrl, ...args];

  beforeAll(async () => {
    node = await startRabbitmq();
    await node.ctl('add_vhost', VHOST);
    await node.ctl('set_permissions', '-p', VHOST, 'guest', '.*', '.*', '.*');
    await node.addMonitoringUser(MONITOR.user, MONITOR.password, VHOST);
    workerUrl = node.url('guest', 'guest', VHOST);
    doctorUrl = node.url(MONITOR.user, MONITOR.password, VHOST);
    // The incident: a worker idles on high,low while checkout's receipts pile up in default.
    worker = await startWorker('idle', ['high', 'low']);
    await celeryPython(workerUrl, `from app.tasks import send_receipt\nfor order in range(3): send_receipt.delay(order)`, APP_DIR);
    await queuesSettle(['default 3 0', 'high 0 1', 'low 0 1']);
    await apiSettles('default', 3, 0);
    await apiSettles('high', 0, 1);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await node?.stop();
  });

  it('an idle worker on high,low with messages in default: an error on default only, read by a monitoring-only user, nothing written', async () => {
    const before = await node.listQueues(VHOST);
    const { exitCode, report, stderr, stdout } = await runJson(doctor());
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(ruleQueues(report!.findings)).toEqual(['live-queue-without-worker:default']);
    expect(report!.findings[0]!.message).toBe('Queue `default` has 3 waiting jobs but no live worker listens to it.');
    const live = report!.live!;
    expect(live.backend).toBe('celery');
    expect(live.workers).toEqual([
      expect.objectContaining({ name: worker!.node, backend: 'celery', queues: ['high', 'low'], alive: true, connection: expect.stringMatching(/ -> 127\.0\.0\.1:\d+$/) }),
    ]);
    // Celery's own queues (the worker's pidbox mailbox, reply and event queues) are not work queues.
    expect(live.queues.map((queue) => [queue.name, queue.waiting, queue.consumers])).toEqual([
      ['default', 3, []],
      ['high', 0, [worker!.node]],
      ['low', 0, [worker!.node]],
    ]);
    expect(live.brokers).toEqual([
      expect.objectContaining({ broker: `amqp://${MONITOR.user}:***@127.0.0.1:${node.amqpPort}/${VHOST}`, api: node.apiUrl, vhost: VHOST, version: expect.stringMatching(/^3\.10\./), queuesTotal: expect.any(Number) }),
    ]);
    expect(stdout).not.toContain(MONITOR.password);
    // The read declared, bound, published, consumed and purged nothing: the same queues with the same counts.
    expect(await node.listQueues(VHOST)).toEqual(before);
  });

  it('table and openmetrics: the unconsumed queue stands out; no password in any format', async () => {
    const table = await runCli(doctor('--no-color'));
    expect(table.exitCode).toBe(1);
    expect(table.stdout).toMatch(/│ default\s+│\s+3 │/);
    expect(table.stdout).toContain(`RabbitMQ 3.10.`);
    const metrics = await runCli(doctor('--format', 'openmetrics'));
    expect(metrics.stdout).toContain('receipts_doctor_queue_no_consumer{backend="celery",queue="default"} 1\n');
    expect(metrics.stdout).toContain('receipts_doctor_queue_no_consumer{backend="celery",queue="high"} 0\n');
    expect(metrics.stdout).toContain(`receipts_doctor_worker_up{backend="celery",worker="${worker!.node}",host="${worker!.node.split('@')[1]}"} 1\n`);
    for (const output of [table.stdout, table.stderr, metrics.stdout, metrics.stderr]) expect(output).not.toContain(MONITOR.password);
  });

  it('check with the project: the static cause and the live error on default; the worker matches its -Q (no drift)', async () => {
    const { exitCode, report, stderr } = await runJson(['check', APP_DIR, '--broker', doctorUrl, '--rabbitmq-api', node.apiUrl]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(ruleQueues(report!.findings)).toEqual(['live-queue-without-worker:default', 'queue-without-worker:default']);
    const live = report!.findings.find((finding) => finding.rule === 'live-queue-without-worker')!;
    expect(live.related?.map((entry) => entry.message)).toContain('static: Queue `default` is enqueued to but no worker in environment `default` consumes it.');
  });

  it('errors in one line with exit 2: an unknown vhost, a user without the monitoring tag, a wrong password', async () => {
    const vhost = await runCli(['live', '--broker', node.url(MONITOR.user, MONITOR.password, 'nope'), '--rabbitmq-api', node.apiUrl]);
    expect(vhost.exitCode).toBe(2);
    expect(vhost.stdout).toBe('');
    expect(vhost.stderr.trim().split('\n')).toHaveLength(1);
    expect(vhost.stderr).toContain('vhost `nope` does not exist (have: `/`, `shop`)');

    await node.ctl('add_user', 'tagless', 'tagless-pw');
    await node.ctl('set_permissions', '-p', VHOST, 'tagless', '', '', '');
    const tagless = await runCli(['live', '--broker', node.url('tagless', 'tagless-pw', VHOST), '--rabbitmq-api', node.apiUrl]);
    expect(tagless.exitCode).toBe(2);
    expect(tagless.stderr.trim().split('\n')).toHaveLength(1);
    expect(tagless.stderr).toContain('refused user `tagless` (HTTP 401: Not management user): give user `tagless` the `monitoring` tag');
    expect(tagless.stderr).not.toContain('tagless-pw');

    const wrong = await runCli(['live', '--broker', node.url(MONITOR.user, 'not-the-password', VHOST), '--rabbitmq-api', node.apiUrl]);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('(HTTP 401: Login failed)');
    expect(wrong.stderr).not.toContain('not-the-password');
  });

  it('a worker started from an older config (-Q high): config-live-drift on low, and default still unconsumed', async () => {
    await worker!.stop();
    worker = await startWorker('old', ['high']);
    await queuesSettle(['default 3 0', 'high 0 1', 'low 0 0']);
    await apiSettles('low', 0, 0);
    const { exitCode, report, stderr } = await runJson(['live', APP_DIR, '--broker', doctorUrl, '--rabbitmq-api', node.apiUrl]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    // `low` exists on the broker and is expected (the code enqueues to it): the expected-queue error, and the drift.
    expect(ruleQueues(report!.findings)).toEqual(['config-live-drift:low', 'live-queue-without-worker:default', 'live-queue-without-worker:low']);
    expect(report!.findings.find((finding) => finding.rule === 'config-live-drift')).toMatchObject({ service: 'worker', environment: 'default' });
  });

  it('the fixed worker (-Q default,high,low) drains default: OK', async () => {
    await worker!.stop();
    worker = await startWorker('fixed', ['default', 'high', 'low']);
    await queuesSettle(['default 0 1', 'high 0 1', 'low 0 1']);
    await apiSettles('default', 0, 1);
    const { exitCode, report, stderr } = await runJson(['live', APP_DIR, '--broker', doctorUrl, '--rabbitmq-api', node.apiUrl]);
    expect(stderr).toBe('');
    expect(report!.findings).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report!.live!.queues.map((queue) => [queue.name, queue.consumers])).toEqual([
      ['default', [worker!.node]],
      ['high', [worker!.node]],
      ['low', [worker!.node]],
    ]);
  });

  it('a worker whose task consumers were cancelled keeps only its mailbox: stale-worker, and the empty queues it left are known without a worker', async () => {
    await celeryPython(workerUrl, `for queue in ('default', 'high', 'low'): print(celery.control.cancel_consumer(queue, reply=True))`, APP_DIR);
    await queuesSettle(['default 0 0', 'high 0 0', 'low 0 0']);
    for (const queue of ['default', 'high', 'low']) await apiSettles(queue, 0, 0);
    const { exitCode, report, stderr } = await runJson(doctor());
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(ruleQueues(report!.findings)).toEqual([
      'live-known-queue-without-worker:default',
      'live-known-queue-without-worker:high',
      'live-known-queue-without-worker:low',
      'stale-worker:',
    ]);
    const stale = report!.findings.find((finding) => finding.rule === 'stale-worker')!;
    expect(stale.worker).toBe(worker!.node);
    expect(stale.message).toContain(`Worker \`${worker!.node}\` (${worker!.node.split('@')[1]}) is registered but not alive: its connection (`);
    expect(stale.message).toContain(') consumes its remote-control mailbox on RabbitMQ but no task queue');
    expect(report!.findings.find((finding) => finding.queue === 'high')!.message).toBe(
      "Queue `high` exists on the broker (RabbitMQ queue in vhost `shop`) but no live worker listens to it; it is empty now, so anything enqueued to it will wait.",
    );
  });
});
