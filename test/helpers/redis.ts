import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing } from '../../src/net.js';
import { freePort } from './ports.js';

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:<port> (db 0, no auth) */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a real, private redis-server (Debian's package, from PATH) on a free loopback port, in a temp dir,
 * without persistence. Fails loudly when redis-server is not installed: CI installs it.
 */
export async function startRedis(extraArgs: string[] = [], fixedPort?: number): Promise<RedisServer> {
  const port = fixedPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'rd-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port, { acceptAuthError: true }))) {
    if (spawnError) throw new Error(`redis-server could not start (apt-get install redis-server): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes everything a previous scenario left in a test's own Redis (registrations, jobs, registries). */
export async function flushRedis(server: RedisServer): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  await client.flushall();
  client.disconnect();
}
