import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const PASSWORD = 'hunter2-very-secret';

function expectOneLineExit2(result: { exitCode: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toContain(PASSWORD);
}

describe('live: a Redis that cannot be used ends in exit 2 with one line, never a hang or a password', () => {
  let redis: RedisServer;
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
    silentPort = await freePort();
    // Accepts connections and never answers: only a timeout can end the wait.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await redis?.stop();
  });

  it('refused connection', async () => {
    const port = await freePort();
    expectOneLineExit2(await runCli(['live', '--redis', `redis://:${PASSWORD}@127.0.0.1:${port}`]), /connection refused/);
  });

  it('unresolvable host', async () => {
    expectOneLineExit2(await runCli(['live', '--redis', `redis://user:${PASSWORD}@nonexistent.invalid:6379`]), /not found/);
  });

  it('wrong password', async () => {
    const result = await runCli(['live', '--redis', `redis://default:${PASSWORD}-wrong@127.0.0.1:${redis.port}`]);
    expectOneLineExit2(result, /authentication failed/);
    expect(result.stderr).not.toContain(`${PASSWORD}-wrong`);
    expect(result.stderr).toContain('***');
  });

  it('no password where one is required', async () => {
    expectOneLineExit2(await runCli(['live', '--redis', redis.url]), /requires a password and none was sent/);
  });

  it('a server that accepts but never answers times out after --connect-timeout', async () => {
    const result = await runCli(['live', '--redis', `redis://:${PASSWORD}@127.0.0.1:${silentPort}`, '--connect-timeout', '800'], { timeout: 30_000 });
    expectOneLineExit2(result, /no answer within 800 ms/);
  });

  it('not a redis URL is an input error', async () => {
    expectOneLineExit2(await runCli(['live', '--redis', `http://u:${PASSWORD}@127.0.0.1:1`]), /redis:\/\/ or rediss:\/\//);
  });

  it('the right password works and is redacted in the report', async () => {
    const { exitCode, report, stdout } = await runJson(['live', '--redis', `redis://:${PASSWORD}@127.0.0.1:${redis.port}`]);
    expect(exitCode).toBe(0);
    expect(stdout).not.toContain(PASSWORD);
    expect(report!.live!.redis).toBe(`redis://:***@127.0.0.1:${redis.port}`);
  });

  it('a user who may not read the keys is told so (exit 2), not shown an empty Redis', async () => {
    const { Redis } = await import('ioredis');
    const admin = new Redis(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
    await admin.call('ACL', 'SETUSER', 'blind', 'on', '>blind-pw', '~*', '-@all', '+ping', '+client|setname');
    admin.disconnect();
    expectOneLineExit2(await runCli(['live', '--redis', `redis://blind:blind-pw@127.0.0.1:${redis.port}`]), /permission denied/);
  });

  it('inside check it becomes a live-unreachable finding instead of exit 2', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), 'rd-live-check-'));
    const { exitCode, report, stdout } = await runJson(['check', '--redis', `redis://:${PASSWORD}@127.0.0.1:${port}`], { cwd });
    expect(exitCode).toBe(1);
    expect(stdout).not.toContain(PASSWORD);
    expect(report!.findings.map((f) => f.rule)).toEqual(['live-unreachable']);
  });
});
