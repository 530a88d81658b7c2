/**
 * `check` end to end against the embedded pair: `receipts-doctor serve` (BullMQ API + worker) as a real process,
 * in every mode the incident had. Each scenario runs the built CLI and asserts the exit code and the rule ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFindings, findingsOf, ruleIds } from '../helpers/report.js';
import type { Finding, Report } from '../../src/types.js';
import { fixture, runCli, runJson } from '../helpers/cli.js';
import { flushRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { killAllServe, startServe, TOKEN, type ServeProcess } from '../embedded/serve-process.js';
import { WORKER_OFFLINE } from '../../src/contract/http.js';

const FIXED = fixture('prosaas');
const INCIDENT = fixture('incident');


describe('check against the embedded pair (`serve` as a process)', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await killAllServe();
    await redis?.stop();
  });

  describe('healthy: `serve --queues high,default,low,receipts_sync` on its own redis-server', () => {
    let serve: ServeProcess;
    beforeAll(async () => {
      serve = await startServe(['--port', '0', '--token', TOKEN, '--queues', 'high,default,low,receipts_sync']);
      expect(serve.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+/);
    });
    afterAll(killAllServe);

    it('runs all three stages, finds no error and exits 0', async () => {
      const { exitCode, report, stderr } = await runJson(['check', FIXED, '--redis', serve.redisUrl!, '--url', serve.apiUrl!], {
        env: { RECEIPTS_DOCTOR_TOKEN: TOKEN },
      });
      expect(stderr).toBe('');
      expect(exitCode).toBe(0);
      expect(errorFindings(report)).toEqual([]);
      expect(ruleIds(report)).toEqual(['worker-queue-unused']);
      expect(report!.live!.backend).toBe('bullmq');
      expect(report!.live!.queues.find((queue) => queue.name === 'default')!.consumers.length).toBeGreaterThanOrEqual(1);
      expect(report!.smoke!.finalStatus).toBe('finished');
    });

    it('a failing job is smoke-job-failed, and failed-jobs (a warning) in the live view read after it', async () => {
      const { exitCode, report } = await runJson([
        'check',
        FIXED,
        '--redis',
        serve.redisUrl!,
        '--url',
        serve.apiUrl!,
        '--token',
        TOKEN,
        '--body',
        '{"mode":"fail"}',
      ]);
      expect(exitCode).toBe(1);
      expect(report!.smoke!.finalStatus).toBe('failed');
      expect(errorFindings(report).map((finding) => finding.rule)).toEqual(['smoke-job-failed']);
      expect(findingsOf(report, 'smoke-job-failed')[0]!.message).toContain('rejected');
      expect(findingsOf(report, 'failed-jobs').map((finding) => [finding.severity, finding.queue])).toEqual([['warning', 'default']]);
      // A warning stays below the default --fail-on: the next healthy run passes.
      const again = await runJson(['check', FIXED, '--redis', serve.redisUrl!, '--url', serve.apiUrl!, '--token', TOKEN]);
      expect(again.exitCode).toBe(0);
      expect(ruleIds(again.report)).toEqual(['failed-jobs', 'worker-queue-unused']);
      expect(again.report!.smoke!.finalStatus).toBe('finished');
    });

    it('a wrong token is smoke-unauthorized, and no token is printed', async () => {
      const wrong = 'wrong-token-not-for-printing';
      const { exitCode, report, stdout, stderr } = await runJson(['check', FIXED, '--redis', serve.redisUrl!, '--url', serve.apiUrl!, '--token', wrong]);
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => finding.rule)).toEqual(['smoke-unauthorized']);
      expect(findingsOf(report, 'smoke-unauthorized')[0]!.hint).toMatch(/^A token was sent and the API refused it/);
      expect(report!.smoke!.httpStatus).toBe(401);
      expect(`${stdout}${stderr}`).not.toContain(wrong);
    });

    it('no token at all: check says none was sent; standalone smoke exits 2 with one line', async () => {
      const env = { RECEIPTS_DOCTOR_TOKEN: '' };
      const inCheck = await runJson(['check', FIXED, '--redis', serve.redisUrl!, '--url', serve.apiUrl!], { env });
      expect(inCheck.exitCode).toBe(1);
      expect(errorFindings(inCheck.report).map((finding) => finding.rule)).toEqual(['smoke-unauthorized']);
      expect(findingsOf(inCheck.report, 'smoke-unauthorized')[0]!.hint).toMatch(/^No token was sent/);
      const alone = await runCli(['smoke', '--url', serve.apiUrl!, '--token', 'wrong-token-not-for-printing'], { env });
      expect(alone.exitCode).toBe(2);
      expect(alone.stdout).toBe('');
      expect(alone.stderr.trim().split('\n')).toHaveLength(1);
      expect(alone.stderr).toMatch(/answered 401.*A token was sent and the API refused it/);
      expect(alone.stderr).not.toContain('wrong-token-not-for-printing');
      const none = await runCli(['smoke', '--url', serve.apiUrl!], { env });
      expect(none.exitCode).toBe(2);
      expect(none.stderr).toMatch(/answered 401.*No token was sent/);
    });
  });

  describe('the incident: `serve --queues high,low` in fail-fast', () => {
    let serve: ServeProcess;
    beforeAll(async () => {
      await flushRedis(redis);
      serve = await startServe(['--port', '0', '--redis', redis.url, '--token', TOKEN, '--queues', 'high,low', '--mode', 'fail-fast']);
    });
    afterAll(killAllServe);

    it('before-fix config: static, live and smoke all name `default`; the smoke finding points at both causes', async () => {
      const { exitCode, report, stderr } = await runJson(['check', INCIDENT, '--redis', redis.url, '--url', serve.apiUrl!, '--token', TOKEN]);
      expect(stderr).toBe('');
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => `${finding.stage}:${finding.rule}:${finding.queue ?? ''}`).sort()).toEqual([
        'live:live-queue-without-worker:default',
        'smoke:smoke-http-status:',
        'static:queue-without-worker:default',
        'static:queue-without-worker:default',
      ]);
      expect(report!.smoke!.httpStatus).toBe(503);
      const [smoke] = findingsOf(report, 'smoke-http-status');
      expect(smoke!.message).toContain(WORKER_OFFLINE);
      const [live] = findingsOf(report, 'live-queue-without-worker');
      const staticProd = findingsOf(report, 'queue-without-worker').find((finding) => finding.environment === 'prod')!;
      expect(staticProd.hint).toContain('docker-compose.prod.yml:11');
      expect(live!.related?.some((entry) => entry.message.includes(staticProd.message))).toBe(true);
      expect(smoke!.related?.some((entry) => entry.message.includes(live!.message))).toBe(true);
      expect(smoke!.related?.some((entry) => entry.message.includes(staticProd.message) && entry.file === staticProd.location!.file)).toBe(true);
    });

    it('without a project dir: the 503 and no live worker on `default`', async () => {
      const { exitCode, report } = await runJson(['check', '--redis', redis.url, '--url', serve.apiUrl!, '--token', TOKEN]);
      expect(exitCode).toBe(1);
      expect(errorFindings(report).map((finding) => `${finding.rule}:${finding.queue ?? ''}`).sort()).toEqual([
        'live-queue-without-worker:default',
        'smoke-http-status:',
      ]);
      expect(report!.smoke!.httpStatus).toBe(503);
    });

    it('fixed config, old worker: config-live-drift for `default` in prod', async () => {
      const { exitCode, report } = await runJson(['check', FIXED, '--redis', redis.url, '--url', serve.apiUrl!, '--token', TOKEN]);
      expect(exitCode).toBe(1);
      const drift = findingsOf(report, 'config-live-drift');
      expect(drift.map((finding) => finding.queue).sort()).toEqual(['default', 'receipts_sync']);
      expect(drift.every((finding) => finding.environment === 'prod')).toBe(true);
      expect(ruleIds(report)).toEqual(['config-live-drift', 'live-queue-without-worker', 'smoke-http-status', 'worker-queue-unused']);
    });

    it('the table names the 503, `default` and docker-compose.prod.yml:11', async () => {
      const { exitCode, stdout } = await runCli(['check', INCIDENT, '--redis', redis.url, '--url', serve.apiUrl!, '--token', TOKEN]);
      expect(exitCode).toBe(1);
      expect(stdout).toContain('503');
      expect(stdout).toContain('`default`');
      expect(stdout).toContain('docker-compose.prod.yml:11');
      expect(stdout).not.toContain(TOKEN);
    });
  });

  describe('no worker, always-enqueue: `serve --no-worker --mode always-enqueue`', () => {
    let serve: ServeProcess;
    beforeAll(async () => {
      await flushRedis(redis);
      serve = await startServe(['--port', '0', '--redis', redis.url, '--token', TOKEN, '--no-worker', '--mode', 'always-enqueue']);
    });
    afterAll(killAllServe);

    it('is smoke-timeout naming `queued`, with live-queue-without-worker for `default`', async () => {
      const { exitCode, report } = await runJson([
        'check',
        FIXED,
        '--redis',
        redis.url,
        '--url',
        serve.apiUrl!,
        '--token',
        TOKEN,
        '--timeout',
        '3',
      ]);
      expect(exitCode).toBe(1);
      expect(ruleIds(report)).toContain('smoke-timeout');
      expect(ruleIds(report)).toContain('live-queue-without-worker');
      const [timeout] = findingsOf(report, 'smoke-timeout');
      expect(timeout!.message).toContain('`queued`');
      expect(report!.smoke!.finalStatus).toBe('queued');
      const live = findingsOf(report, 'live-queue-without-worker', 'default');
      expect(live).toHaveLength(1);
      expect(timeout!.related?.some((entry) => entry.message.includes(live[0]!.message))).toBe(true);
    });

    it('without a project dir, the waiting job of the smoke makes `default` a live-queue-without-worker', async () => {
      await flushRedis(redis);
      const { exitCode, report } = await runJson(['check', '--redis', redis.url, '--url', serve.apiUrl!, '--token', TOKEN, '--timeout', '2']);
      expect(exitCode).toBe(1);
      expect(ruleIds(report)).toEqual(['live-queue-without-worker', 'smoke-timeout']);
      expect(findingsOf(report, 'live-queue-without-worker')[0]!.queue).toBe('default');
      expect(report!.live!.queues.find((queue) => queue.name === 'default')!.waiting).toBe(1);
    });
  });
});
