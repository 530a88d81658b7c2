/**
 * `smoke` against the real prosaas replica (Flask API + RQ workers + redis-server) in each mode the incident had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { httpGet, startProsaas, startProsaasApi, type ProsaasStack } from '../helpers/prosaas.js';
import { startRqWorker } from '../helpers/rq.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { DEFAULT_SMOKE_TIMEOUT_SECONDS, DIAGNOSTICS_PATH, WORKER_OFFLINE } from '../../src/contract/http.js';

const rules = (report: { findings: { rule: string }[] } | undefined) => report?.findings.map((finding) => finding.rule) ?? [];

describe('smoke against the prosaas replica', () => {
  describe('healthy: a worker on high,default,low', () => {
    let stack: ProsaasStack;
    beforeAll(async () => {
      stack = await startProsaas({ syncMode: 'fail-fast', workers: [['high', 'default', 'low']] });
      // The API's fail-fast check reads Worker.all: make sure it sees the worker before posting.
      const diagnostics = await httpGet(`${stack.api.url}${DIAGNOSTICS_PATH}`);
      expect(JSON.parse(diagnostics!.body).default_queue_has_worker).toBe(true);
    });
    afterAll(() => stack?.stop());

    it('follows the job to finished and exits 0', async () => {
      const { exitCode, report, stderr } = await runJson(['smoke', '--url', stack.api.url, '--token', stack.api.token]);
      expect(stderr).toBe('');
      expect(exitCode).toBe(0);
      expect(rules(report)).toEqual([]);
      const smoke = report!.smoke!;
      expect(smoke.httpStatus).toBe(202);
      expect(smoke.jobId).toMatch(/\S/);
      expect(smoke.finalStatus).toBe('finished');
      const statuses = smoke.phases.map((phase) => phase.status);
      expect(statuses[0]).toBe('queued');
      expect(statuses.at(-1)).toBe('finished');
      expect(statuses.filter((status) => !['queued', 'started', 'finished'].includes(status))).toEqual([]);
      const times = smoke.phases.map((phase) => phase.atMs);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });

    it('takes the token from --token-file and from RECEIPTS_DOCTOR_TOKEN', async () => {
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const file = join(mkdtempSync(join(tmpdir(), 'rd-token-')), 'token');
      writeFileSync(file, `${stack.api.token}\n`);
      const fromFile = await runJson(['smoke', '--url', stack.api.url, '--token-file', file]);
      expect(fromFile.exitCode).toBe(0);
      expect(fromFile.report?.smoke?.finalStatus).toBe('finished');
      const fromEnv = await runJson(['smoke', '--url', stack.api.url], { env: { RECEIPTS_DOCTOR_TOKEN: stack.api.token } });
      expect(fromEnv.exitCode).toBe(0);
      expect(fromEnv.report?.smoke?.finalStatus).toBe('finished');
    });

    it('prints the phase table and never the token', async () => {
      const { exitCode, stdout, stderr } = await runCli(['smoke', '--url', stack.api.url, '--token', stack.api.token]);
      expect(exitCode).toBe(0);
      expect(stdout).toContain('finished');
      expect(stdout).toContain('queued');
      expect(`${stdout}${stderr}`).not.toContain(stack.api.token);
      // Piped stderr: no progress line.
      expect(stderr).toBe('');
    });

    it('a failing job ends smoke-job-failed with the server\'s error', async () => {
      const { exitCode, report } = await runJson(['smoke', '--url', stack.api.url, '--token', stack.api.token, '--body', '{"mode":"fail"}']);
      expect(exitCode).toBe(1);
      expect(rules(report)).toEqual(['smoke-job-failed']);
      expect(report!.findings[0]!.message).toContain('Receipt provider rejected the credentials');
      expect(report!.smoke!.finalStatus).toBe('failed');
      expect(report!.findings[0]!.related?.some((related) => related.message.startsWith('Diagnostics:'))).toBe(true);
    });

    it('a wrong token: standalone smoke exits 2 with one line (the doctor\'s credentials), and neither token is printed', async () => {
      const wrong = 'wrong-token-0123456789';
      const json = await runJson(['smoke', '--url', stack.api.url, '--token', wrong]);
      expect(json.exitCode).toBe(2);
      expect(json.stdout).toBe('');
      expect(json.stderr.trim().split('\n')).toHaveLength(1);
      expect(json.stderr).toMatch(/answered 401: .*A token was sent and the API refused it/);
      const table = await runCli(['smoke', '--url', stack.api.url, '--token', wrong, '--verbose']);
      expect(table.exitCode).toBe(2);
      for (const output of [json.stdout, json.stderr, table.stdout, table.stderr]) {
        expect(output).not.toContain(wrong);
        expect(output).not.toContain(stack.api.token);
      }
    });

    it('redacts credentials in the URL', async () => {
      const withCredentials = stack.api.url.replace('http://', 'http://ops:hunter2secret@');
      const { exitCode, stdout, stderr, report } = await runJson(['smoke', '--url', withCredentials, '--token', stack.api.token]);
      expect(exitCode).toBe(0);
      expect(`${stdout}${stderr}`).not.toContain('hunter2secret');
      expect(report!.smoke!.url).toContain('***');
    });
  });

  describe('incident: the worker listens to high,low only, the API fails fast', () => {
    let stack: ProsaasStack;
    beforeAll(async () => {
      stack = await startProsaas({ syncMode: 'fail-fast', workers: [['high', 'low']] });
    });
    afterAll(() => stack?.stop());

    it('is smoke-http-status 503 with the server\'s text and the diagnostics', async () => {
      const { exitCode, report } = await runJson(['smoke', '--url', stack.api.url, '--token', stack.api.token]);
      expect(exitCode).toBe(1);
      expect(rules(report)).toEqual(['smoke-http-status']);
      const [finding] = report!.findings;
      expect(finding!.message).toContain('503');
      expect(finding!.message).toContain(WORKER_OFFLINE);
      expect(report!.smoke!.httpStatus).toBe(503);
      const diagnostics = finding!.related?.find((related) => related.message.startsWith('Diagnostics:'));
      expect(diagnostics?.message).toContain(stack.workers[0]!.name);
      expect(diagnostics?.message).toContain('`default` has no worker');
      expect(report!.smoke!.diagnostics?.defaultQueueHasWorker).toBe(false);
      expect(report!.smoke!.diagnostics?.workers.map((worker) => worker.queues)).toEqual([['high', 'low']]);
    });
  });

  describe('incident, silent variant: no worker, the API always enqueues', () => {
    let stack: ProsaasStack;
    beforeAll(async () => {
      stack = await startProsaas({ syncMode: 'always-enqueue', workers: [] });
    });
    afterAll(() => stack?.stop());

    it('is smoke-timeout naming `queued`, and returns at the timeout', async () => {
      const { exitCode, report } = await runJson(['smoke', '--url', stack.api.url, '--token', stack.api.token, '--timeout', '3']);
      expect(exitCode).toBe(1);
      expect(rules(report)).toEqual(['smoke-timeout']);
      expect(report!.findings[0]!.message).toContain('`queued`');
      expect(report!.smoke!.finalStatus).toBe('queued');
      expect(report!.smoke!.phases.map((phase) => phase.status)).toEqual(['queued']);
      // It waited the whole --timeout, and that --timeout rather than the default ended it. No tighter upper
      // bound: the time the diagnostics read adds depends on the machine's load (bench/ measures speed).
      expect(report!.smoke!.durationMs).toBeGreaterThanOrEqual(3000);
      expect(report!.smoke!.durationMs).toBeLessThan(DEFAULT_SMOKE_TIMEOUT_SECONDS * 1000);
      expect(report!.smoke!.diagnostics?.summary).toContain('no worker registered');
      expect(report!.smoke!.diagnostics?.queues.default).toBeGreaterThanOrEqual(1);
    });

    it('a worker started afterwards takes the waiting jobs, and the next smoke finishes', async () => {
      const worker = await startRqWorker({ redisUrl: stack.redis.url, queues: ['high', 'default', 'low'], via: 'module' });
      try {
        const { exitCode, report } = await runJson(['smoke', '--url', stack.api.url, '--token', stack.api.token]);
        expect(exitCode).toBe(0);
        expect(report!.smoke!.finalStatus).toBe('finished');
      } finally {
        await worker.stop();
      }
    });
  });

  describe('reachability', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.stop());

    it('standalone smoke against an unreachable URL exits 2 with one line', async () => {
      const port = await freePort();
      const { exitCode, stdout, stderr } = await runCli(['smoke', '--url', `http://127.0.0.1:${port}`, '--token', 'tok-secret-xyz']);
      expect(exitCode).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain('ECONNREFUSED');
      expect(stderr).not.toContain('tok-secret-xyz');
    });

    it('the API stopped between two runs is unreachable too', async () => {
      const api = await startProsaasApi({ redisUrl: redis.url });
      await api.stop();
      const { exitCode } = await runCli(['smoke', '--url', api.url, '--token', api.token]);
      expect(exitCode).toBe(2);
    });
  });
});
