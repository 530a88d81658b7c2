/**
 * `demo` as a newcomer runs it: the built CLI, its own redis-server and embedded pair. It must pass, show the
 * incident in every stage and leave nothing behind (no redis-server, no temp dir).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { httpGet } from '../helpers/prosaas.js';
import { DIAGNOSTICS_PATH, WORKER_OFFLINE } from '../../src/contract/http.js';

/** True when something accepts a TCP connection on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** PIDs of processes whose command line matches exactly (pgrep -f, anchored), [] when none. */
function pids(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('demo', () => {
  // The demo's temp dirs (its redis-server's) go here, so the test can see that they are removed.
  const scratch = mkdtempSync(join(tmpdir(), 'rd-demo-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes, names the incident in every stage, and stops everything it started', async () => {
    const { exitCode, stdout, stderr } = await runCli(['demo', '--no-color'], { env: { TMPDIR: scratch }, timeout: 90_000 });
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toContain('503');
    expect(stdout).toContain(WORKER_OFFLINE);
    expect(stdout).toContain('live-queue-without-worker');
    expect(stdout).toContain('queue-without-worker');
    expect(stdout).toContain('docker-compose.prod.yml:11');
    expect(stdout).not.toMatch(/\u001b\[/);

    const redisPort = Number(/redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
    const apiUrl = /API (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(redisPort).toBeGreaterThan(0);
    expect(apiUrl).toBeDefined();
    expect(pids(`^redis-server 127\\.0\\.0\\.1:${redisPort}$`)).toEqual([]);
    expect(await listening(redisPort)).toBe(false);
    expect(await httpGet(`${apiUrl}${DIAGNOSTICS_PATH}`)).toBeUndefined();
    expect(readdirSync(scratch)).toEqual([]);
  });
});
