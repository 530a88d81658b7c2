/**
 * Trust on call (issue 25): every wait has a deadline (a plain Redis behind `rediss://`), nothing keeps the process
 * alive after the verdict, Ctrl-C during `check` prints what the finished stages found (exit 130), the report says
 * where the live stage came from and the verdict names every stage with a finding, and a password that is an
 * ordinary word (`redis`) is scrubbed as a value, not as a word.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecretValues, scrubSecrets } from '../../src/redact.js';
import { BIN, fixture, runCli, runJson } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { findingsOf } from '../helpers/report.js';

/** A process that is still alive this long after a 1.5 s connect timeout has hung: the runs are killed then. */
const HARD_DEADLINE_MS = 30_000;
const PROJECT = fixture('prosaas');

describe('a plain-text Redis behind rediss://: one line at --connect-timeout, and the process exits', () => {
  let plain: RedisServer;
  const tlsUrl = () => `rediss://127.0.0.1:${plain.port}`;

  beforeAll(async () => {
    plain = await startRedis();
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it('live: exit 2, one line naming the unanswered TLS handshake', async () => {
    const { exitCode, stdout, stderr } = await runCli(['live', '--redis', tlsUrl(), '--connect-timeout', '1500'], { timeout: HARD_DEADLINE_MS });
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `receipts-doctor: Cannot connect to Redis at rediss://127.0.0.1:${plain.port}: the TLS handshake got no answer within 1500 ms (a Redis without TLS never answers one: use redis:// for it).`,
    ]);
  });

  it('live --watch: the same line and exit 2, not a refresh loop that never ends', async () => {
    const { exitCode, stderr } = await runCli(['live', '--redis', tlsUrl(), '--connect-timeout', '1500', '--watch', '1'], { timeout: HARD_DEADLINE_MS });
    expect(exitCode).toBe(2);
    expect(stderr).toContain('the TLS handshake got no answer within 1500 ms');
  });

  it('check: live-unreachable, the report, exit 1; the verdict names live', async () => {
    const { exitCode, stdout } = await runCli(['check', PROJECT, '--redis', tlsUrl(), '--connect-timeout', '1500'], { timeout: HARD_DEADLINE_MS });
    expect(exitCode).toBe(1);
    expect(stdout).toContain('live-unreachable');
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^FAIL 1 error, \d+ warnings?, \d+ info \(static \+ live\)$/);
  });
});

describe('check: where the live stage came from, and Ctrl-C', () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  let connected: () => void = () => {};

  beforeAll(async () => {
    silentPort = await freePort();
    // Accepts and never answers: the live stage waits there until its deadline (or Ctrl-C).
    silent = createServer((socket) => {
      sockets.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('REDIS_URL set in the environment: one line says so; an unreachable Redis fails the verdict as live, not static', async () => {
    const port = await freePort();
    const { exitCode, stdout } = await runCli(['check', PROJECT], { env: { REDIS_URL: `redis://127.0.0.1:${port}` }, timeout: HARD_DEADLINE_MS });
    expect(exitCode).toBe(1);
    expect(stdout).toContain(
      `The live stage read redis://127.0.0.1:${port} because REDIS_URL is set in the environment (pass --redis to choose the Redis, or unset REDIS_URL to skip the live stage).`,
    );
    expect(stdout.trim().split('\n').at(-1)).toMatch(/\(static \+ live\)$/);
    const { report } = await runJson(['check', PROJECT], { env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    expect(report!.notes).toEqual([expect.stringContaining('because REDIS_URL is set in the environment')]);
    expect(findingsOf(report, 'live-unreachable')).toHaveLength(1);
  });

  it('--redis on the command line: no such line', async () => {
    const port = await freePort();
    const { report } = await runJson(['check', PROJECT, '--redis', `redis://127.0.0.1:${port}`]);
    expect(report!.notes).toBeUndefined();
  });

  it('Ctrl-C while the live stage waits: the static findings are printed, INTERRUPTED, exit 130', async () => {
    const reached = new Promise<void>((resolve) => (connected = resolve));
    const run = execa(process.execPath, [BIN, 'check', PROJECT, '--redis', `redis://127.0.0.1:${silentPort}`, '--connect-timeout', '60000', '--format', 'json'], {
      reject: false,
      timeout: HARD_DEADLINE_MS,
      env: { NO_COLOR: '1', REDIS_URL: undefined },
      extendEnv: true,
    });
    // The live stage has connected: the static stage is finished.
    await reached;
    run.kill('SIGINT');
    const { exitCode, stdout, stderr } = await run;
    expect(exitCode).toBe(130);
    expect(stderr).toBe('receipts-doctor: interrupted during the live stage');
    const report = JSON.parse(String(stdout));
    expect(report.interrupted).toBe('live');
    expect(report.ok).toBe(false);
    expect(report.static.producers.length).toBeGreaterThan(0);
    expect(report.findings.every((finding: { stage: string }) => finding.stage === 'static')).toBe(true);
    expect(report.notes).toEqual(['Interrupted (Ctrl-C) during the live stage: this report holds what the finished stage (static) found.']);
    expect(report.live).toBeUndefined();
  });
});

describe('secrets scrubbed as values: a Redis whose password is `redis`', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis(['--requirepass', 'redis']);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('the right password: the report reads redis:// and Redis, with the password as ***', async () => {
    const { exitCode, report, stdout } = await runJson(['live', '--redis', `redis://:redis@127.0.0.1:${redis.port}`]);
    expect(exitCode).toBe(0);
    expect(report!.live!.redis).toBe(`redis://:***@127.0.0.1:${redis.port}`);
    expect(findingsOf(report, 'live-nothing-found')[0]!.message).toMatch(/^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+, database 0, holds no key/);
    expect(stdout).not.toContain('***://');
  });

  it('no password sent to a server that requires one: NOAUTH is told apart, the words intact', async () => {
    const { exitCode, stderr } = await runCli(['live', '--redis', `redis://127.0.0.1:${redis.port}`]);
    expect(exitCode).toBe(2);
    expect(stderr).toBe(
      `receipts-doctor: Cannot connect to Redis at redis://127.0.0.1:${redis.port}: the server requires a password and none was sent (write it in the URL: redis://[user]:password@host).`,
    );
  });

  it('a wrong password that is a word: WRONGPASS, "wrong user or password", the URL as redis://:***@', async () => {
    const { exitCode, stderr } = await runCli(['live', '--redis', `redis://:queue@127.0.0.1:${redis.port}`]);
    expect(exitCode).toBe(2);
    expect(stderr).toBe(`receipts-doctor: Cannot connect to Redis at redis://:***@127.0.0.1:${redis.port}: authentication failed (wrong user or password).`);
  });

  it('inside check, live-unreachable keeps its words when the password is `redis`', async () => {
    const port = await freePort();
    const { report } = await runJson(['check', PROJECT, '--redis', `redis://:redis@127.0.0.1:${port}`]);
    const [finding] = findingsOf(report, 'live-unreachable');
    expect(finding!.message).toBe(`Cannot connect to Redis at redis://:***@127.0.0.1:${port}: connection refused.`);
    expect(finding!.hint).toContain('Redis at redis://:***@');
  });
});

describe('scrubbing an untrusted text', () => {
  it('replaces the secret as written, upper- or lower-cased, and any value after AUTH or a password option', () => {
    expect(scrubSecrets('ERR echo Hunter2 HUNTER2 hunter2', ['Hunter2'])).toBe('ERR echo *** *** ***');
    expect(redactSecretValues('AUTH default s3cr3t refused')).toBe('AUTH default *** refused');
    expect(redactSecretValues('AUTH s3cr3t')).toBe('AUTH ***');
    expect(redactSecretValues('password=abc&db=1 {"password": "xyz"} --password qq -a aa requirepass rr')).toBe(
      'password=***&db=1 {"password": "***"} --password *** -a *** requirepass ***',
    );
    expect(redactSecretValues('authentication failed; could not pass the handshake')).toBe('authentication failed; could not pass the handshake');
  });
});
