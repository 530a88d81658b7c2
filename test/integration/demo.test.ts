/**
 * `demo` as a newcomer runs it: the built CLI, its own redis-server and embedded pair. It must pass, show the
 * incident in every stage and leave nothing behind (no redis-server, no temp dir).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * PIDs of processes whose command line (argv joined by spaces, as `ps` shows it) matches `pattern`, read from
 * /proc. Throws when /proc cannot be listed, so "no process" is never the answer of a missing tool.
 */
function pids(pattern: RegExp): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
    } catch {
      continue; // the process exited while we listed /proc
    }
    if (pattern.test(commandLine)) found.push(Number(entry));
  }
  return found;
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
    // Each id as a whole word: `queue-without-worker` is also the tail of `live-queue-without-worker`.
    const ruleIds = new Set(stdout.match(/(?<![\w-])[a-z]+(?:-[a-z]+)+(?![\w-])/g));
    expect(ruleIds).toContain('live-queue-without-worker');
    expect(ruleIds).toContain('queue-without-worker');
    expect(ruleIds).toContain('smoke-http-status');
    expect(stdout).toContain('docker-compose.prod.yml:11');
    expect(stdout).not.toMatch(/\u001b\[/);

    const redisPort = Number(/redis redis:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
    const apiUrl = /API (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(redisPort).toBeGreaterThan(0);
    expect(apiUrl).toBeDefined();
    // The control first: this process is found by the same reader, so an empty answer below means something.
    expect(pids(/\S/)).toContain(process.pid);
    expect(pids(new RegExp(`^redis-server 127\\.0\\.0\\.1:${redisPort}$`))).toEqual([]);
    expect(await listening(redisPort)).toBe(false);
    expect(await httpGet(`${apiUrl}${DIAGNOSTICS_PATH}`)).toBeUndefined();
    expect(readdirSync(scratch)).toEqual([]);
  });
});
