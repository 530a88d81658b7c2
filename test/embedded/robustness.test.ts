import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { getStatus, killAllServe, postSync, startServe, TOKEN, waitAllFinal } from './serve-process.js';
import { eventually } from '../helpers/poll.js';
import { DEFAULT_SYNC_MODE, DIAGNOSTICS_PATH } from '../../src/contract/http.js';

// The robustness claims of docs/CONTRACT.md §7, each against real serve processes, real Redis and real BullMQ.
describe('serve robustness', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(killAllServe);
  afterAll(async () => {
    await redis?.stop();
  });

  it('accepts 1,000 concurrent sync requests and finishes every one of them', async () => {
    const serve = await startServe(['--port', '0', '--redis', redis.url, '--token', TOKEN, '--sync-queue', 'bulk', '--queues', 'bulk'], {
      RECEIPTS_DOCTOR_SERVE_BATCH_MS: '1',
      RECEIPTS_DOCTOR_SERVE_CONCURRENCY: '50',
    });
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, index) => postSync(serve.apiUrl!, { mode: DEFAULT_SYNC_MODE, business_id: index + 1 })));
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    const ids = answers.map((answer) => String(answer.body.job_id));
    expect(new Set(ids).size).toBe(1_000);
    const final = await waitAllFinal(serve.apiUrl!, ids, 120_000);
    const notFinished = [...final.values()].filter((body) => body.status !== 'finished');
    expect(notFinished).toEqual([]);
    expect(final.size).toBe(1_000);
  });

  it('loses no job when a worker is SIGKILLed mid-run: another worker finishes them all', async () => {
    const stallEnv = {
      RECEIPTS_DOCTOR_SERVE_BATCH_MS: '200', // 5 × 200 ms per job
      RECEIPTS_DOCTOR_SERVE_CONCURRENCY: '2',
      RECEIPTS_DOCTOR_SERVE_LOCK_MS: '1000',
      RECEIPTS_DOCTOR_SERVE_STALLED_MS: '500',
    };
    const queueArgs = ['--redis', redis.url, '--sync-queue', 'crash', '--queues', 'crash'];
    const api = await startServe(['--no-worker', '--port', '0', '--token', TOKEN, '--mode', 'always-enqueue', ...queueArgs]);
    const doomed = await startServe(['--no-api', ...queueArgs], { ...stallEnv, RECEIPTS_DOCTOR_SERVE_WORKER_NAME: 'doomed' });
    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) ids.push(String((await postSync(api.apiUrl!)).body.job_id));

    const inFlight = await eventually(async () => {
      const states = await Promise.all(ids.map(async (id) => [id, (await getStatus(api.apiUrl!, id)).body.status] as const));
      const started = states.filter(([, state]) => state === 'started').map(([id]) => id);
      return started.length > 0 ? started : undefined;
    }, { timeoutMs: 30_000, intervalMs: 20 });
    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');
    const orphaned = await Promise.all(inFlight.map(async (id) => (await getStatus(api.apiUrl!, id)).body.status));
    expect(orphaned).toContain('started'); // still marked active: only stalled-job recovery can save them

    await startServe(['--no-api', ...queueArgs], { ...stallEnv, RECEIPTS_DOCTOR_SERVE_WORKER_NAME: 'rescuer' });
    const final = await waitAllFinal(api.apiUrl!, ids, 60_000);
    for (const id of ids) expect(final.get(id), id).toMatchObject({ status: 'finished', result: { fetched: 100, created: 25, updated: 75 } });
  });

  it('answers a clear 503 while Redis is down and recovers when it returns on the same port', async () => {
    const down = await startRedis();
    const port = down.port;
    const serve = await startServe(['--port', '0', '--redis', down.url, '--token', TOKEN, '--sync-queue', 'default']);
    const before = await postSync(serve.apiUrl!);
    expect(before.status).toBe(202);

    await down.stop();
    for (const answer of [await postSync(serve.apiUrl!), await getStatus(serve.apiUrl!, String(before.body.job_id))]) {
      expect(answer.status).toBe(503);
      expect(answer.body.success).toBe(false);
      expect(String(answer.body.error)).toMatch(/^Redis is unavailable: /);
    }
    const diagnostics = await fetch(`${serve.apiUrl}${DIAGNOSTICS_PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(diagnostics.status).toBe(503);

    const back = await startRedis([], port);
    try {
      // The API and the worker reconnect on their own; fail-fast needs both back before it answers 202.
      const accepted = await eventually(async () => {
        const answer = await postSync(serve.apiUrl!);
        return answer.status === 202 ? answer : undefined;
      }, { timeoutMs: 30_000, intervalMs: 100 });
      const final = await eventually(async () => {
        const { body } = await getStatus(serve.apiUrl!, String(accepted.body.job_id));
        return body.status === 'finished' ? body : undefined;
      });
      expect(final.status).toBe('finished');
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      await back.stop();
    }
  });
});
