import { spawn, type ChildProcess } from 'node:child_process';
import { answersPing, freeLoopbackPort } from '../net.js';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { InputError } from '../errors.js';

/** How to get redis-server, for the exit-2 message when it is not on PATH. */
export const REDIS_INSTALL_HINT =
  'install it (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) or point serve at a running Redis with --redis URL / REDIS_URL';

/** A private redis-server started by `serve`: loopback only, no persistence, in its own temp dir. */
export interface EmbeddedRedis {
  port: number;
  /** redis://127.0.0.1:<port> (no auth: it listens on loopback only and lives as long as serve). */
  url: string;
  /** The temp dir holding its log; removed when it stops. */
  dir: string;
  /** PID of the watchdog that owns redis-server (it dies with serve, and takes redis-server with it). */
  watchdogPid: number;
  /** Settles when redis-server is gone, whoever stopped it (so serve can notice it dying under it). */
  exited: Promise<void>;
  /** Stops redis-server and removes the temp dir; idempotent. */
  stop(): Promise<void>;
}

/** Absolute path of an executable on PATH, or undefined. */
export function findOnPath(command: string, pathValue = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathValue.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this dir
    }
  }
  return undefined;
}

/**
 * The watchdog between serve and redis-server. serve holds the write end of the watchdog's stdin; when
 * serve exits for any reason — clean stop, crash, even SIGKILL — the kernel closes that pipe, the watchdog
 * sees EOF, stops redis-server and removes the temp dir. Without it a killed serve leaves an orphan redis.
 * CommonJS because `node -e` evaluates CommonJS; argv: [redis-server path, temp dir, ...redis args].
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const [bin, dir, ...args] = process.argv.slice(1);
const redis = spawn(bin, args, { stdio: 'ignore' });
let stopping = false;
const stop = () => { if (!stopping) { stopping = true; redis.kill('SIGTERM'); } };
process.stdin.on('data', () => {});
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
const done = (code) => {
  try { rmSync(dir, { recursive: true, force: true }); } catch {}
  process.exitCode = code;
  process.stdin.destroy();
};
redis.on('error', () => done(127));
redis.on('exit', (code) => done(code ?? 0));
`;

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

async function startOnce(bin: string, port: number): Promise<EmbeddedRedis | 'port-taken'> {
  const dir = mkdtempSync(join(tmpdir(), 'receipts-doctor-redis-'));
  const logfile = join(dir, 'redis.log');
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--daemonize', 'no',
    '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', logfile,
  ];
  // detached: a Ctrl-C in the terminal signals serve's process group only; serve drains its jobs first and
  // then stops redis itself, instead of redis vanishing under the in-flight jobs.
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, bin, dir, ...args], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.stdin?.on('error', () => {});
  const readLog = () => {
    try {
      return readFileSync(logfile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) {
      watchdog.stdin?.end();
      const timer = setTimeout(() => watchdog.kill('SIGKILL'), 5_000);
      await exited(watchdog);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (watchdog.exitCode !== null || watchdog.signalCode !== null) {
      const log = readLog();
      rmSync(dir, { recursive: true, force: true });
      if (/address already in use/i.test(log)) return 'port-taken';
      const lastLine = log.trim().split('\n').pop() ?? '';
      throw new Error(`redis-server exited during start-up${lastLine ? `: ${lastLine}` : ''}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { port, url: `redis://127.0.0.1:${port}`, dir, watchdogPid: watchdog.pid ?? -1, exited: exited(watchdog), stop };
}

/**
 * Starts a private redis-server from PATH on a free loopback port, in a temp dir, without persistence.
 * Throws InputError (exit 2) naming how to install it when redis-server is not on PATH.
 */
export async function startEmbeddedRedis(): Promise<EmbeddedRedis> {
  const bin = findOnPath('redis-server');
  if (!bin) throw new InputError(`redis-server is not on PATH: ${REDIS_INSTALL_HINT}.`);
  // The free port can be taken between probing and binding; try a few.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const started = await startOnce(bin, await freeLoopbackPort());
    if (started !== 'port-taken') return started;
  }
  throw new Error('redis-server could not bind a free loopback port after 5 attempts');
}
