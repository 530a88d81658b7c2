import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { auth, getStatus, killAllServe, postSync, startServe, TOKEN } from './serve-process.js';
import { eventually } from '../helpers/poll.js';
import { DEFAULT_SYNC_MODE, DIAGNOSTICS_PATH, WORKER_OFFLINE } from '../../src/contract/http.js';

const processGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

async function redisPid(url: string): Promise<number> {
  const client = new Redis(url);
  const info = await client.info('server');
  client.disconnect();
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

describe('serve as real processes', () => {
  let redis: RedisServer;
  const scratch: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-serve-test-'));
    scratch.push(dir);
    return dir;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(killAllServe);
  afterAll(async () => {
    await redis?.stop();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the API and the worker in separate processes; fail-fast follows the worker process', async () => {
    const api = await startServe(['--no-worker', '--port', '0', '--redis', redis.url, '--token', TOKEN]);
    expect(api.readyLine).toMatch(/API http:\/\/127\.0\.0\.1:\d+/);
    expect(api.readyLine).toContain('no worker');
    expect((await postSync(api.apiUrl!)).status).toBe(503);

    // RQ_QUEUES is honoured like the incident's worker: without `default`, the API still refuses.
    const incident = await startServe(['--no-api'], { REDIS_URL: redis.url, RQ_QUEUES: 'high,low', RECEIPTS_DOCTOR_SERVE_WORKER_NAME: 'incident' });
    expect(incident.readyLine).toContain('worker on high,low');
    const refused = await postSync(api.apiUrl!);
    expect(refused).toEqual({ status: 503, body: { success: false, error: WORKER_OFFLINE } });
    incident.child.kill('SIGTERM');
    expect(await incident.exited).toBe(0);

    const worker = await startServe(['--no-api', '--redis', redis.url, '--queues', 'high,default,low']);
    expect(worker.readyLine).toContain('no API');
    const accepted = await postSync(api.apiUrl!);
    expect(accepted.status).toBe(202);
    const final = await eventually(async () => {
      const { body } = await getStatus(api.apiUrl!, String(accepted.body.job_id));
      return body.status === 'finished' ? body : undefined;
    });
    expect(final.result).toEqual({ fetched: 100, created: 25, updated: 75 });
    const diagnostics = (await (await fetch(`${api.apiUrl}${DIAGNOSTICS_PATH}`, { headers: auth })).json()) as { workers: { queues: string[] }[]; default_queue_has_worker: boolean };
    expect(diagnostics.default_queue_has_worker).toBe(true);
    expect(diagnostics.workers.map((entry) => entry.queues)).toEqual([['default', 'high', 'low']]);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect((await postSync(api.apiUrl!)).status).toBe(503);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(api.stdout() + api.stderr()).not.toContain(TOKEN);
  });

  it('drains the in-flight job on SIGTERM before exiting 0', async () => {
    const serve = await startServe(['--port', '0', '--redis', redis.url, '--sync-queue', 'drain', '--queues', 'drain', '--token', TOKEN], {
      RECEIPTS_DOCTOR_SERVE_BATCH_MS: '300', // 5 × 300 ms: a job is in flight when the signal arrives
    });
    const { body } = await postSync(serve.apiUrl!);
    const jobId = String(body.job_id);
    await eventually(async () => ((await getStatus(serve.apiUrl!, jobId)).body.status === 'started' ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);

    const queue = new Queue('drain', { connection: { host: '127.0.0.1', port: redis.port } });
    const job = await queue.getJob(jobId);
    expect(await job!.getState()).toBe('completed');
    expect(job!.returnvalue).toEqual({ fetched: 100, created: 25, updated: 75 });
    await queue.close();
  });

  it('bounds the drain: a job longer than the drain limit does not hold up the exit', async () => {
    const serve = await startServe(['--port', '0', '--redis', redis.url, '--sync-queue', 'long', '--queues', 'long', '--token', TOKEN], {
      RECEIPTS_DOCTOR_SERVE_BATCH_MS: '60000',
      RECEIPTS_DOCTOR_SERVE_DRAIN_MS: '300',
    });
    const { body } = await postSync(serve.apiUrl!);
    await eventually(async () => ((await getStatus(serve.apiUrl!, String(body.job_id))).body.status === 'started' ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.stderr()).toMatch(/without draining/);

    // The abandoned job went back to the queue (not to failed): the next worker finishes it.
    const api = await startServe(['--port', '0', '--redis', redis.url, '--sync-queue', 'long', '--no-worker', '--token', TOKEN]);
    expect((await getStatus(api.apiUrl!, String(body.job_id))).body.status).toBe('queued');
    await startServe(['--no-api', '--redis', redis.url, '--queues', 'long']);
    await eventually(async () => ((await getStatus(api.apiUrl!, String(body.job_id))).body.status === 'finished' ? true : undefined));
  });

  it('still exits on SIGTERM while its Redis is down', async () => {
    const doomed = await startRedis();
    const serve = await startServe(['--port', '0', '--redis', doomed.url, '--token', TOKEN]);
    await doomed.stop();
    expect((await postSync(serve.apiUrl!)).status).toBe(503);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('starts a private redis-server and removes it and its temp dir on SIGTERM', async () => {
    const tmp = tempDir();
    const serve = await startServe(['--port', '0', '--token', TOKEN], { TMPDIR: tmp });
    expect(serve.readyLine).toMatch(/redis redis:\/\/127\.0\.0\.1:\d+ \(embedded\)/);
    const pid = await redisPid(serve.redisUrl!);
    expect(readdirSync(tmp)).toHaveLength(1);
    expect((await postSync(serve.apiUrl!)).status).toBe(202);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(processGone(pid)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('keeps the embedded redis-server up through a Ctrl-C (SIGINT to the whole group) until the jobs drained', async () => {
    const tmp = tempDir();
    const serve = await startServe(['--port', '0', '--token', TOKEN], { TMPDIR: tmp, RECEIPTS_DOCTOR_SERVE_BATCH_MS: '300' }, true);
    const pid = await redisPid(serve.redisUrl!);
    const { body } = await postSync(serve.apiUrl!);
    await eventually(async () => ((await getStatus(serve.apiUrl!, String(body.job_id))).body.status === 'started' ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
    process.kill(-serve.child.pid!, 'SIGINT');
    // redis-server would quit at once on SIGINT; it is in its own group, so it still serves the draining worker.
    const probe = new Redis(serve.redisUrl!, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    expect(await probe.ping()).toBe('PONG');
    probe.disconnect();
    expect(await serve.exited).toBe(0);
    expect(serve.stderr()).not.toMatch(/failed|timed out/);
    expect(processGone(pid)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('leaves no orphan redis-server when serve itself is SIGKILLed', async () => {
    const tmp = tempDir();
    const serve = await startServe(['--port', '0', '--token', TOKEN], { TMPDIR: tmp });
    const pid = await redisPid(serve.redisUrl!);
    serve.child.kill('SIGKILL');
    await serve.exited;
    await eventually(async () => (processGone(pid) && readdirSync(tmp).length === 0 ? true : undefined), { timeoutMs: 15_000 });
  });

  it('stops with exit 1 when its embedded redis-server dies under it', async () => {
    const tmp = tempDir();
    const serve = await startServe(['--port', '0', '--token', TOKEN], { TMPDIR: tmp });
    process.kill(await redisPid(serve.redisUrl!), 'SIGKILL');
    expect(await serve.exited).toBe(1);
    expect(serve.stderr()).toMatch(/redis-server exited/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('exits 2 naming how to install redis-server when it is not on PATH and no Redis is given', async () => {
    const emptyPath = tempDir();
    const result = await runCli(['serve', '--port', '0'], { env: { PATH: emptyPath } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/redis-server/);
    expect(result.stderr).toMatch(/apt-get install redis-server/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on bad flags and on an unreachable --redis, without a stack trace or the password', async () => {
    const cases = [
      ['serve', '--mode', 'sometimes'],
      ['serve', '--port', 'eighty'],
      ['serve', '--port', '70000'],
      ['serve', '--no-api', '--no-worker'],
      ['serve', '--redis', 'http://127.0.0.1:1'],
      ['serve', '--queues', 'a b,c/d', '--redis', redis.url],
      ['serve', '--redis', 'redis://user:hunter2secret@127.0.0.1:1', '--port', '0'],
    ];
    for (const args of cases) {
      const result = await runCli(args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr + result.stdout).not.toContain('hunter2secret');
    }
  });

  it('prints, under the ready line, the smoke command that works against it (the dev token written out, a given one never)', async () => {
    const PREFIX = 'receipts-doctor serve: try it: npx receipts-doctor ';
    const smokeLine = (serve: Awaited<ReturnType<typeof startServe>>) =>
      eventually(async () => serve.stdout().split('\n').find((line) => line.startsWith(PREFIX)), { what: 'the smoke line', context: serve.stdout });
    /** The line's command, run as written (the built CLI stands for `npx receipts-doctor`). */
    const runLine = (line: string, env: Record<string, string> = {}) => runCli(line.slice(PREFIX.length).replace(/ \(smoke reads .*\)$/, '').split(' '), { env });

    const dev = await startServe(['--port', '0', '--redis', redis.url]);
    const devLine = await smokeLine(dev);
    expect(devLine).toBe(`${PREFIX}smoke --url ${dev.apiUrl} --token dev-token`);
    const devSmoke = await runLine(devLine);
    expect(devSmoke.stderr).toBe('');
    expect(devSmoke.exitCode).toBe(0);
    expect(devSmoke.stdout).toContain('OK 0 errors');
    dev.child.kill('SIGTERM');
    await dev.exited;

    const fromEnv = await startServe(['--port', '0', '--redis', redis.url], { RECEIPTS_DOCTOR_TOKEN: TOKEN });
    const envLine = await smokeLine(fromEnv);
    expect(envLine).toBe(`${PREFIX}smoke --url ${fromEnv.apiUrl} (smoke reads the same RECEIPTS_DOCTOR_TOKEN)`);
    expect(fromEnv.stdout()).not.toContain(TOKEN);
    expect((await runLine(envLine, { RECEIPTS_DOCTOR_TOKEN: TOKEN })).exitCode).toBe(0);
    fromEnv.child.kill('SIGTERM');
    await fromEnv.exited;

    const fromFlag = await startServe(['--port', '0', '--redis', redis.url, '--token', TOKEN]);
    expect(await smokeLine(fromFlag)).toBe(`${PREFIX}smoke --url ${fromFlag.apiUrl} --token <the --token given to serve>`);
    expect(fromFlag.stdout() + fromFlag.stderr()).not.toContain(TOKEN);

    // Without an API there is nothing to smoke: no line.
    const workerOnly = await startServe(['--no-api', '--redis', redis.url]);
    workerOnly.child.kill('SIGTERM');
    await workerOnly.exited;
    expect(workerOnly.stdout()).toContain('no API');
    expect(workerOnly.stdout()).not.toContain('try it');
  });

  it('takes the token from RECEIPTS_DOCTOR_TOKEN, else the documented dev-token', async () => {
    const fromEnv = await startServe(['--port', '0', '--redis', redis.url, '--no-worker', '--mode', 'always-enqueue'], { RECEIPTS_DOCTOR_TOKEN: TOKEN });
    expect((await postSync(fromEnv.apiUrl!)).status).toBe(202);
    expect(fromEnv.readyLine).not.toContain(TOKEN);
    const dev = await startServe(['--port', '0', '--redis', redis.url, '--no-worker', '--mode', 'always-enqueue']);
    expect((await postSync(dev.apiUrl!)).status).toBe(401);
    expect((await postSync(dev.apiUrl!, { mode: DEFAULT_SYNC_MODE }, { authorization: 'Bearer dev-token' })).status).toBe(202);
  });
});
