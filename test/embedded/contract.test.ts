import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncBody } from '../../src/embedded/api.js';
import { parseBullWorkers } from '../../src/embedded/liveness.js';
import { startPair, type Pair } from '../../src/embedded/pair.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { auth, getStatus, postSync, TOKEN } from './serve-process.js';
import { eventually, sleep } from '../helpers/poll.js';
import {
  DEFAULT_SMOKE_TIMEOUT_SECONDS,
  DEFAULT_SYNC_BODY,
  DEFAULT_SYNC_MODE,
  DIAGNOSTICS_PATH,
  JOB_ID_PARAM,
  JOB_STATUSES,
  STATUS_PATH,
  SYNC_PATH,
  WORKER_OFFLINE,
} from '../../src/contract/http.js';

// The HTTP contract of docs/CONTRACT.md §6 against real Redis, real BullMQ workers and a real HTTP server (in-process pair).
describe('embedded pair: HTTP contract', () => {
  let redis: RedisServer;
  let pair: Pair;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pair = await startPair({
      redisUrl: redis.url,
      port: 0,
      token: TOKEN,
      queues: ['high', 'default', 'low'],
      // slow enough that `started` is observable: 8 × 100 ms
      work: { batches: 8, batchDelayMs: 100 },
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    await pair?.stop();
    await redis?.stop();
  });

  it('accepts a sync with 202 and a job id, status queued', async () => {
    const { status, body } = await postSync(pair.apiUrl!);
    expect(status).toBe(202);
    expect(body).toMatchObject({ success: true, status: 'queued' });
    expect(typeof body.job_id).toBe('string');
  });

  it('refuses every endpoint without the right bearer token (401), never echoing the token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }]) {
      const sync = await postSync(pair.apiUrl!, { mode: DEFAULT_SYNC_MODE }, headers);
      expect(sync.status).toBe(401);
      expect(sync.body.success).toBe(false);
    }
    const status = await fetch(`${pair.apiUrl}${STATUS_PATH}?${JOB_ID_PARAM}=1`);
    expect(status.status).toBe(401);
    const diagnostics = await fetch(`${pair.apiUrl}${DIAGNOSTICS_PATH}`);
    expect(diagnostics.status).toBe(401);
    expect(JSON.stringify(await diagnostics.json())).not.toContain(TOKEN);
  });

  it('answers bad bodies with a JSON 400', async () => {
    const bad = ['{not json', '[1,2]', '"text"', { mode: 'sideways' }, { mode: 3 }, { business_id: 0 }, { business_id: -4 }, { business_id: 1.5 }, { business_id: '12' }];
    for (const body of bad) {
      const { status, body: answer } = await postSync(pair.apiUrl!, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(answer.success).toBe(false);
      expect(typeof answer.error).toBe('string');
    }
    expect((await postSync(pair.apiUrl!, { mode: 'full', business_id: 42 })).status).toBe(202);
  });

  it('answers 404 for an unknown job, 400 without job_id, 404/405 for unknown routes and methods', async () => {
    for (const id of ['no-such-job', 'meta', 'events', 'id', '../1', 'a b', '1:2']) {
      expect((await getStatus(pair.apiUrl!, id)).status, id).toBe(404);
    }
    const missing = await fetch(`${pair.apiUrl}${STATUS_PATH}`, { headers: auth });
    expect(missing.status).toBe(400);
    const route = await fetch(`${pair.apiUrl}/api/nothing`, { headers: auth });
    expect(route.status).toBe(404);
    expect(((await route.json()) as { success: boolean }).success).toBe(false);
    const method = await fetch(`${pair.apiUrl}${SYNC_PATH}`, { headers: auth });
    expect(method.status).toBe(405);
  });

  it('follows a job from queued through started to finished, with progress and result counts', async () => {
    const { body } = await postSync(pair.apiUrl!, { mode: DEFAULT_SYNC_MODE, business_id: 7 });
    const jobId = String(body.job_id);
    const seen: string[] = ['queued'];
    const progress: number[] = [];
    const final = await eventually(async () => {
      const { status, body: state } = await getStatus(pair.apiUrl!, jobId);
      expect(status).toBe(200);
      if (seen.at(-1) !== state.status) seen.push(String(state.status));
      progress.push(Number(state.progress));
      return state.status === 'finished' || state.status === 'failed' ? state : undefined;
    }, { timeoutMs: 30_000, intervalMs: 20 });
    expect(seen).toEqual(['queued', 'started', 'finished']);
    expect(final).toMatchObject({ job_id: jobId, status: 'finished', progress: 100, result: { fetched: 160, created: 40, updated: 120 } });
    expect(progress.some((value) => value > 0 && value < 100)).toBe(true);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('reports a failed job with the error the job raised', async () => {
    const { body } = await postSync(pair.apiUrl!, { mode: 'fail' });
    const final = await eventually(async () => {
      const { body: state } = await getStatus(pair.apiUrl!, String(body.job_id));
      return state.status === 'failed' || state.status === 'finished' ? state : undefined;
    });
    expect(final.status).toBe('failed');
    expect(final.error).toBe('Receipt provider rejected the credentials');
    expect(final).not.toHaveProperty('result');
  });

  it('describes workers and queue lengths in the diagnostics', async () => {
    const response = await fetch(`${pair.apiUrl}${DIAGNOSTICS_PATH}`, { headers: auth });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { workers: { name: string; queues: string[]; state: string }[]; queues: Record<string, number>; default_queue_has_worker: boolean };
    expect(body.default_queue_has_worker).toBe(true);
    expect(body.workers).toEqual([{ name: pair.workerName, queues: ['default', 'high', 'low'], state: expect.stringMatching(/^(idle|busy)$/) }]);
    expect(Object.keys(body.queues).sort()).toEqual(['default', 'high', 'low']);
    for (const length of Object.values(body.queues)) expect(Number.isInteger(length)).toBe(true);
  });
});

describe('embedded pair: fail-fast vs always-enqueue', () => {
  let redis: RedisServer;
  const pairs: Pair[] = [];
  const start = async (options: Parameters<typeof startPair>[0]) => {
    const pair = await startPair({ redisUrl: redis.url, port: 0, token: TOKEN, log: () => {}, ...options });
    pairs.push(pair);
    return pair;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const pair of pairs) await pair.stop();
    await redis?.stop();
  });

  it('fail-fast answers the incident 503 while no worker listens to the sync queue, and 202 once one does', async () => {
    const api = await start({ worker: false, mode: 'fail-fast', prefix: 'ff' });
    const refused = await postSync(api.apiUrl!);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ success: false, error: WORKER_OFFLINE });

    // A worker on other queues (the incident: RQ_QUEUES without `default`) does not count.
    const wrong = await start({ api: false, queues: ['high', 'low'], prefix: 'ff', workerName: 'wrong-queues' });
    expect((await postSync(api.apiUrl!)).status).toBe(503);
    const diagnostics = (await (await fetch(`${api.apiUrl}${DIAGNOSTICS_PATH}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(diagnostics.default_queue_has_worker).toBe(false);
    expect(diagnostics.workers).toEqual([{ name: 'wrong-queues', queues: ['high', 'low'], state: 'idle' }]);
    await wrong.stop();

    const right = await start({ api: false, queues: ['default'], prefix: 'ff', workerName: 'right-queue' });
    const accepted = await postSync(api.apiUrl!);
    expect(accepted.status).toBe(202);
    await eventually(async () => ((await getStatus(api.apiUrl!, String(accepted.body.job_id))).body.status === 'finished' ? true : undefined));
    await right.stop();
    expect((await postSync(api.apiUrl!)).status).toBe(503);
  });

  it('always-enqueue answers 202 with no worker; the job waits queued, and a later worker finishes it', async () => {
    const api = await start({ worker: false, mode: 'always-enqueue', prefix: 'ae' });
    const accepted = await postSync(api.apiUrl!);
    expect(accepted.status).toBe(202);
    const jobId = String(accepted.body.job_id);
    await sleep(300);
    expect((await getStatus(api.apiUrl!, jobId)).body.status).toBe('queued');
    const diagnostics = (await (await fetch(`${api.apiUrl}${DIAGNOSTICS_PATH}`, { headers: auth })).json()) as { queues: Record<string, number> };
    expect(diagnostics.queues.default).toBe(1);

    await start({ api: false, queues: ['default'], prefix: 'ae' });
    const final = await eventually(async () => {
      const { body } = await getStatus(api.apiUrl!, jobId);
      return body.status === 'finished' ? body : undefined;
    });
    expect(final.result).toEqual({ fetched: 100, created: 25, updated: 75 });
  });
});

describe('embedded pair: Redis that refuses CLIENT LIST', () => {
  let redis: RedisServer;
  const pairs: Pair[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    await admin.call('ACL', 'SETUSER', 'limited', 'on', '>limited-pass', '~*', '&*', '+@all', '-client|list');
    admin.disconnect();
  });
  afterAll(async () => {
    for (const pair of pairs) await pair.stop();
    await redis?.stop();
  });

  it('infers a live worker from its stalled-check key, so fail-fast still works', async () => {
    const url = `redis://limited:limited-pass@127.0.0.1:${redis.port}`;
    const api = await startPair({ redisUrl: url, port: 0, token: TOKEN, worker: false, log: () => {} });
    pairs.push(api);
    expect(api.readyLine).not.toContain('limited-pass');
    expect((await postSync(api.apiUrl!)).status).toBe(503);
    pairs.push(await startPair({ redisUrl: url, api: false, queues: ['default'], stalledIntervalMs: 500, log: () => {} }));
    const accepted = await eventually(async () => {
      const answer = await postSync(api.apiUrl!);
      return answer.status === 202 ? answer : undefined;
    });
    await eventually(async () => ((await getStatus(api.apiUrl!, String(accepted.body.job_id))).body.status === 'finished' ? true : undefined));
    const diagnostics = (await (await fetch(`${api.apiUrl}${DIAGNOSTICS_PATH}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(diagnostics.default_queue_has_worker).toBe(true);
    expect(diagnostics.workers).toEqual([{ name: expect.stringContaining('inferred'), queues: ['default'], state: 'unknown' }]);
  });
});

describe('embedded pair: pure parts', () => {
  it('the contract module states the HTTP contract: the one place code and tests take paths, body and texts from', () => {
    expect({ SYNC_PATH, STATUS_PATH, DIAGNOSTICS_PATH, JOB_ID_PARAM, DEFAULT_SYNC_BODY, WORKER_OFFLINE, JOB_STATUSES, DEFAULT_SMOKE_TIMEOUT_SECONDS }).toEqual({
      SYNC_PATH: '/api/receipts/sync',
      STATUS_PATH: '/api/receipts/sync/status',
      DIAGNOSTICS_PATH: '/api/receipts/queue/diagnostics',
      JOB_ID_PARAM: 'job_id',
      DEFAULT_SYNC_BODY: '{"mode":"incremental"}',
      WORKER_OFFLINE: 'Receipt sync worker is not online',
      JOB_STATUSES: ['queued', 'started', 'finished', 'failed'],
      DEFAULT_SMOKE_TIMEOUT_SECONDS: 60,
    });
  });

  it('validates sync bodies', () => {
    expect(parseSyncBody('')).toEqual({ mode: DEFAULT_SYNC_MODE });
    expect(parseSyncBody('{"mode":"full","business_id":3}')).toEqual({ mode: 'full', business_id: 3 });
    expect(() => parseSyncBody('{"mode":"weekly"}')).toThrow(/Unknown mode/);
    expect(() => parseSyncBody('{"business_id":9007199254740993}')).toThrow(/positive integer/);
  });

  it('reads BullMQ worker registrations from CLIENT LIST, ignoring other clients', () => {
    const b64 = (name: string) => Buffer.from(name).toString('base64');
    const list = [
      `id=1 addr=127.0.0.1:1 name=bull:${b64('default')}:w:alpha flags=b cmd=bzpopmin`,
      `id=2 addr=127.0.0.1:2 name=bull:${b64('high')}:w:alpha flags=N cmd=evalsha`,
      `id=3 addr=127.0.0.1:3 name=bull:${b64('low')} flags=b cmd=bzpopmin`,
      `id=4 addr=127.0.0.1:4 name=bull:${b64('low')}:qe flags=b cmd=xread`,
      `id=5 addr=127.0.0.1:5 name=other:${b64('low')}:w:x flags=b cmd=bzpopmin`,
      'id=6 addr=127.0.0.1:6 name= flags=N cmd=client|list',
    ].join('\n');
    expect(parseBullWorkers(list)).toEqual([
      { name: '(unnamed)', queues: ['low'], state: 'idle' },
      { name: 'alpha', queues: ['default', 'high'], state: 'busy' },
    ]);
  });
});
