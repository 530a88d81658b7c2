/**
 * `check` end to end against the real prosaas replica: the Flask API (Debian's python3-flask) and RQ workers
 * (/usr/bin/rq), on one private redis-server per file, in every mode the incident had. Each scenario runs the
 * built CLI as a process and asserts the exit code, the rule ids and the facts that tie the stages together.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { errorFindings, findingsOf, ruleIds } from '../helpers/report.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/types.js';
import { fixture, runCli, runJson } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { httpGet, startProsaas, type ProsaasStack } from '../helpers/prosaas.js';
import { flushRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { DIAGNOSTICS_PATH, WORKER_OFFLINE } from '../../src/contract/http.js';

const FIXED = fixture('prosaas');
const INCIDENT = fixture('incident');
const TOKEN = 'integration-secret-token-4711';


/** The API's fail-fast check reads RQ's registrations: wait until it agrees with what the scenario started. */
async function expectDiagnostics(apiUrl: string, defaultHasWorker: boolean): Promise<void> {
  const answer = await httpGet(`${apiUrl}${DIAGNOSTICS_PATH}`);
  expect(JSON.parse(answer!.body).default_queue_has_worker).toBe(defaultHasWorker);
}

describe('check against the prosaas replica (Flask API + RQ workers + redis-server)', () => {
  let redis: RedisServer;
  const scratch: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  describe('healthy: a worker on high,default,low,receipts_sync', () => {
    let stack: ProsaasStack;
    beforeAll(async () => {
      await flushRedis(redis);
      stack = await startProsaas({ redis, token: TOKEN, syncMode: 'fail-fast', workers: [['high', 'default', 'low', 'receipts_sync']] });
      await expectDiagnostics(stack.api.url, true);
    });
    afterAll(() => stack?.stop());

    it('runs all three stages, finds no error and exits 0 (token from RECEIPTS_DOCTOR_TOKEN)', async () => {
      const { exitCode, report, stdout, stderr } = await runJson(['check', FIXED, '--redis', redis.url, '--url', stack.api.url], {
        env: { RECEIPTS_DOCTOR_TOKEN: TOKEN },
      });
      expect(stderr).toBe('');
      expect(exitCode).toBe(0);
      expect(report!.ok).toBe(true);
      expect(errorFindings(report)).toEqual([]);
      expect(report!.static).toBeDefined();
      expect(report!.live).toBeDefined();
      expect(report!.smoke).toBeDefined();
      expect(report!.live!.backend).toBe('rq');
      expect(report!.live!.workers.map((worker) => worker.name)).toEqual([stack.workers[0]!.name]);
      expect(report!.smoke!.finalStatus).toBe('finished');
      expect(report!.smoke!.phases.at(-1)!.status).toBe('finished');
      // What is left is the fixed config's future-proofing: info only.
      expect(ruleIds(report)).toEqual(['worker-queue-unused']);
      expect(stdout).not.toContain(TOKEN);
    });

    it('takes the token from --token-file too', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rd-int-token-'));
      scratch.push(dir);
      const file = join(dir, 'token');
      writeFileSync(file, `${TOKEN}\n`);
      const { exitCode, report } = await runJson(['check', FIXED, '--redis', redis.url, '--url', stack.api.url, '--token-file', file]);
      expect(exitCode).toBe(0);
      expect(report!.smoke!.finalStatus).toBe('finished');
    });

    it('a failing job is smoke-job-failed; the live view (read after the smoke) shows it as failed-jobs', async () => {
      const { exitCode, report, stdout, stderr } = await runJson([
        'check',
        FIXED,
        '--redis',
        redis.url,
        '--url',
        stack.api.url,
        '--token',
        TOKEN,
        '--body',
        '{"mode":"fail"}',
      ]);
      expect(exitCode).toBe(1);
      expect(ruleIds(report)).toEqual(['failed-jobs', 'smoke-job-failed', 'worker-queue-unused']);
      expect(errorFindings(report).map((finding) => finding.rule)).toEqual(['smoke-job-failed']);
      expect(report!.smoke!.finalStatus).toBe('failed');
      expect(findingsOf(report, 'smoke-job-failed')[0]!.message).toContain('Receipt provider rejected the credentials');
      const failed = findingsOf(report, 'failed-jobs');
      expect(failed.map((finding) => [finding.severity, finding.queue])).toEqual([['warning', 'default']]);
      expect(report!.live!.queues.find((queue) => queue.name === 'default')!.failed).toBe(1);
      expect(`${stdout}${stderr}`).not.toContain(TOKEN);
    });

    it('a wrong token is smoke-unauthorized (the doctor\'s credentials, not the deploy), and no token is printed', async () => {
      const wrong = 'wrong-token-not-for-printing';
      const { exitCode, report, stdout, stderr } = await runJson(['check', FIXED, '--redis', redis.url, '--url', stack.api.url, '--token', wrong]);
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => finding.rule)).toEqual(['smoke-unauthorized']);
      expect(report!.smoke!.httpStatus).toBe(401);
      const [refused] = findingsOf(report, 'smoke-unauthorized');
      expect(refused!.message).toContain('401');
      expect(refused!.hint).toMatch(/^A token was sent and the API refused it/);
      expect(refused!.related ?? []).toEqual([]);
      expect(`${stdout}${stderr}`).not.toContain(wrong);
    });

    it('Redis unreachable: live-unreachable (password redacted), static and smoke still run, exit 1', async () => {
      const closed = await freePort();
      const secret = 'redis-password-not-for-printing';
      const { exitCode, report, stdout, stderr } = await runJson([
        'check',
        FIXED,
        '--redis',
        `redis://:${secret}@127.0.0.1:${closed}`,
        '--url',
        stack.api.url,
        '--token',
        TOKEN,
        '--connect-timeout',
        '2000',
      ]);
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => finding.rule)).toEqual(['live-unreachable']);
      expect(report!.live).toBeUndefined();
      expect(report!.static).toBeDefined();
      expect(report!.smoke!.finalStatus).toBe('finished');
      expect(`${stdout}${stderr}`).not.toContain(secret);
    });

    it('API unreachable: smoke-unreachable, static and live still run, exit 1', async () => {
      const closed = await freePort();
      const { exitCode, report, stderr } = await runJson(['check', FIXED, '--redis', redis.url, '--url', `http://127.0.0.1:${closed}`, '--token', TOKEN]);
      expect(stderr).toBe('');
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => finding.rule)).toEqual(['smoke-unreachable']);
      expect(report!.static).toBeDefined();
      expect(report!.live!.workers).toHaveLength(1);
    });
  });

  describe('the incident: the worker listens to high,low, the API fails fast', () => {
    let stack: ProsaasStack;
    beforeAll(async () => {
      await flushRedis(redis);
      stack = await startProsaas({ redis, token: TOKEN, syncMode: 'fail-fast', workers: [['high', 'low']] });
      await expectDiagnostics(stack.api.url, false);
    });
    afterAll(() => stack?.stop());

    it('before-fix config: the 503, no live worker on `default`, and the RQ_QUEUES line to change', async () => {
      const { exitCode, report, stderr } = await runJson(['check', INCIDENT, '--redis', redis.url, '--url', stack.api.url, '--token', TOKEN]);
      expect(stderr).toBe('');
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => `${finding.stage}:${finding.rule}`).sort()).toEqual([
        'live:live-queue-without-worker',
        'smoke:smoke-http-status',
        'static:queue-without-worker',
        'static:queue-without-worker',
      ]);

      const staticProd = findingsOf(report, 'queue-without-worker', 'default').find((finding) => finding.environment === 'prod')!;
      expect(staticProd.location?.file).toBe('server/routes_receipts.py');
      expect(staticProd.hint).toContain('docker-compose.prod.yml:11');
      expect(findingsOf(report, 'queue-without-worker').map((finding) => finding.environment).sort()).toEqual(['default', 'prod']);

      const [live] = findingsOf(report, 'live-queue-without-worker');
      expect(live!.queue).toBe('default');
      // The live finding points at its cause in the config (the static finding, whose hint names the line).
      expect(live!.related?.some((entry) => entry.file === 'server/routes_receipts.py' && entry.message.includes(staticProd.message))).toBe(true);
      // Config and live agree (both high,low): the cause is the config, not a stale deploy.
      expect(findingsOf(report, 'config-live-drift')).toEqual([]);

      const [smoke] = findingsOf(report, 'smoke-http-status');
      expect(report!.smoke!.httpStatus).toBe(503);
      expect(smoke!.message).toContain('503');
      expect(smoke!.message).toContain(WORKER_OFFLINE);
      const related = smoke!.related ?? [];
      expect(related.some((entry) => entry.file === 'server/routes_receipts.py' && entry.message.includes(staticProd.message))).toBe(true);
      expect(related.some((entry) => entry.message.includes(live!.message))).toBe(true);
    });

    it('without a project dir: the 503 and no live worker on `default` (the queue the API says it needs)', async () => {
      const { exitCode, report } = await runJson(['check', '--redis', redis.url, '--url', stack.api.url, '--token', TOKEN]);
      expect(exitCode).toBe(1);
      expect(report!.static).toBeUndefined();
      expect(errorFindings(report).map((finding) => `${finding.rule}:${finding.queue ?? ''}`).sort()).toEqual([
        'live-queue-without-worker:default',
        'smoke-http-status:',
      ]);
      expect(report!.smoke!.httpStatus).toBe(503);
      const [live] = findingsOf(report, 'live-queue-without-worker');
      expect(findingsOf(report, 'smoke-http-status')[0]!.related?.some((entry) => entry.message.includes(live!.message))).toBe(true);
    });

    it('a wrong token is a 401 that the worker findings do not claim to explain', async () => {
      const { exitCode, report } = await runJson(['check', INCIDENT, '--redis', redis.url, '--url', stack.api.url, '--token', 'not-the-token']);
      expect(exitCode).toBe(1);
      expect(report!.smoke!.httpStatus).toBe(401);
      expect(ruleIds(report)).toEqual(['live-queue-without-worker', 'queue-without-worker', 'smoke-unauthorized', 'worker-queue-unused']);
      expect(findingsOf(report, 'smoke-unauthorized')[0]!.related ?? []).toEqual([]);
    });

    it('Redis unreachable: the 503 is explained by the static finding only, not by the unreachable Redis', async () => {
      const closed = await freePort();
      const { exitCode, report } = await runJson(['check', INCIDENT, '--redis', `redis://127.0.0.1:${closed}`, '--url', stack.api.url, '--token', TOKEN]);
      expect(exitCode).toBe(1);
      expect(ruleIds(report)).toEqual(['live-unreachable', 'queue-without-worker', 'smoke-http-status', 'worker-queue-unused']);
      const related = findingsOf(report, 'smoke-http-status')[0]!.related ?? [];
      expect(related.filter((entry) => entry.message.startsWith('static:'))).toHaveLength(2);
      expect(related.filter((entry) => entry.message.startsWith('live:'))).toEqual([]);
    });

    it('the table names the 503, `default` and docker-compose.prod.yml:11, and never the token', async () => {
      const { exitCode, stdout, stderr } = await runCli([
        'check',
        INCIDENT,
        '--redis',
        redis.url,
        '--url',
        stack.api.url,
        '--token',
        TOKEN,
        '--format',
        'table',
      ]);
      expect(exitCode).toBe(1);
      expect(stdout).toContain('503');
      expect(stdout).toContain(WORKER_OFFLINE);
      expect(stdout).toContain('`default`');
      expect(stdout).toContain('docker-compose.prod.yml:11');
      expect(stdout).toContain('live-queue-without-worker');
      // One cause, one headline: the four errors about `default` (static ×2, live, smoke) under the static one.
      const findingsBlock = stdout.slice(stdout.indexOf('\nFindings\n'));
      expect(findingsBlock.split('\n').filter((line) => line.startsWith('error '))).toEqual([
        'error [static] Queue `default` is enqueued to but no worker in environment `default` consumes it. queue-without-worker',
      ]);
      expect(findingsBlock).toContain('  + 3 more findings with the same cause (queue `default`):');
      for (const stage of ['static', 'live', 'smoke']) expect(findingsBlock).toMatch(new RegExp(`^    error \\[${stage}\\] `, 'm'));
      expect(stdout.trim().split('\n').at(-1)).toBe('FAIL 4 errors, 0 warnings, 2 info (static + live + smoke)');
      // NO_COLOR: plain text.
      expect(stdout).not.toMatch(/\u001b\[/);
      expect(`${stdout}${stderr}`).not.toContain(TOKEN);
    });

    it('fixed config, old worker: config-live-drift for `default` in prod, with the live and smoke findings', async () => {
      const { exitCode, report } = await runJson(['check', FIXED, '--redis', redis.url, '--url', stack.api.url, '--token', TOKEN]);
      expect(exitCode).toBe(1);
      expect(findingsOf(report, 'queue-without-worker')).toEqual([]);
      const drift = findingsOf(report, 'config-live-drift', 'default');
      expect(drift).toHaveLength(1);
      expect(drift[0]!.severity).toBe('error');
      expect(drift[0]!.environment).toBe('prod');
      expect(drift[0]!.related?.some((entry) => entry.file === 'docker-compose.prod.yml')).toBe(true);
      expect(findingsOf(report, 'live-queue-without-worker', 'default')).toHaveLength(1);
      expect(report!.smoke!.httpStatus).toBe(503);
      const [smoke] = findingsOf(report, 'smoke-http-status');
      expect(smoke!.related?.some((entry) => entry.message.includes(drift[0]!.message))).toBe(true);
    });

    it('the live stage expects the --queue queues as well as the producers', async () => {
      const { exitCode, report } = await runJson(['check', FIXED, '--redis', redis.url, '--queue', 'receipts_sync']);
      expect(exitCode).toBe(1);
      expect(findingsOf(report, 'live-queue-without-worker').map((finding) => finding.queue).sort()).toEqual(['default', 'receipts_sync']);
      expect(report!.smoke).toBeUndefined();
    });
  });

  describe('no worker, the API always enqueues: the job waits in `queued`', () => {
    let stack: ProsaasStack;
    beforeAll(async () => {
      await flushRedis(redis);
      stack = await startProsaas({ redis, token: TOKEN, syncMode: 'always-enqueue', workers: [] });
    });
    afterAll(() => stack?.stop());

    it('is smoke-timeout naming `queued`, with live-queue-without-worker for `default`', async () => {
      const args = ['check', FIXED, '--redis', redis.url, '--url', stack.api.url, '--token', TOKEN, '--timeout', '3'];
      const { exitCode, report } = await runJson(args);
      expect(exitCode).toBe(1);
      // No worker at all: every queue the prod config consumes drifts, every produced queue lacks a worker.
      expect(ruleIds(report)).toEqual(['config-live-drift', 'live-queue-without-worker', 'smoke-timeout', 'worker-queue-unused']);
      expect(findingsOf(report, 'config-live-drift').map((finding) => finding.queue).sort()).toEqual(['default', 'high', 'low', 'receipts_sync']);
      expect(findingsOf(report, 'live-queue-without-worker').map((finding) => finding.queue).sort()).toEqual(['default', 'high']);
      const [timeout] = findingsOf(report, 'smoke-timeout');
      expect(timeout!.message).toContain('`queued`');
      expect(report!.smoke!.finalStatus).toBe('queued');
      expect(findingsOf(report, 'live-queue-without-worker', 'default')).toHaveLength(1);
      expect(timeout!.related?.some((entry) => entry.message.includes(findingsOf(report, 'live-queue-without-worker')[0]!.message))).toBe(true);
    });

    it('without a project dir: smoke-timeout, and the live view (read after the smoke) shows its job waiting in `default`', async () => {
      await flushRedis(redis);
      const { exitCode, report } = await runJson(['check', '--redis', redis.url, '--url', stack.api.url, '--token', TOKEN, '--timeout', '2']);
      expect(exitCode).toBe(1);
      expect(ruleIds(report)).toEqual(['live-queue-without-worker', 'smoke-timeout']);
      expect(findingsOf(report, 'live-queue-without-worker')[0]!.queue).toBe('default');
      expect(report!.live!.queues.find((queue) => queue.name === 'default')!.waiting).toBe(1);
      // The smoke says it left its job behind, with the id it can be found by: that id is the job waiting in RQ.
      const jobId = report!.smoke!.jobId!;
      const [timeout] = findingsOf(report, 'smoke-timeout');
      expect(timeout!.related?.map((entry) => entry.message)).toContain(
        `The smoke does not remove its job: \`${jobId}\` stays in the API's queue and runs as a real sync when a worker takes it; delete it by this id if that is not wanted (RQ: \`Job.fetch(id, connection=redis).delete()\`; BullMQ: \`queue.remove(id)\`).`,
      );
      const { Redis } = await import('ioredis');
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      try {
        expect(await client.lrange('rq:queue:default', 0, -1)).toEqual([jobId]);
      } finally {
        client.disconnect();
      }
      const table = await runCli(['check', '--redis', redis.url, '--url', stack.api.url, '--token', TOKEN, '--timeout', '1']);
      const second = /job (\S+) is still in the queue \(the smoke does not remove it\)/.exec(table.stdout);
      expect(second, table.stdout).not.toBeNull();
      expect(second![1]).not.toBe(jobId);
    });
  });
});
