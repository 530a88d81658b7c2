/**
 * Debian's Celery (python3-celery 5.2, kombu 5.2) for tests: real `celery worker` processes running the celery-flask
 * scenario's app (`app.tasks`, whose `celery` app reads CELERY_BROKER_URL), and a Python snippet that sends tasks
 * the way the app's code does. /usr/bin/celery is run by /usr/bin/python3 explicitly (its shebang is `sh`, which
 * would pick the first python3 on PATH); a missing package fails the test loudly.
 */
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { fixture } from './cli.js';
import { eventually } from './poll.js';
import { exitedReason, launch, PYTHON, requireTool, type Managed } from './rq.js';

export const CELERY = '/usr/bin/celery';
/** The Flask + Celery scenario: its `app/` package is the Celery app the workers run. */
export const CELERY_APP_DIR = fixture('scenarios', 'celery-flask');

export interface CeleryWorker extends Managed {
  /** The node name, `<name>@<host>`. */
  node: string;
}

/** The worker nodes bound to the mailbox right now (what a running worker registers). */
export async function mailboxNodes(redisUrl: string): Promise<string[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const members = await redis.smembers('_kombu.binding.celery.pidbox');
    return members.map((member) => member.split('\x06\x16')[2]!.replace(/\.celery\.pidbox$/, ''));
  } finally {
    redis.disconnect();
  }
}

export interface CeleryWorkerOptions {
  /** The broker URL (CELERY_BROKER_URL): a Redis by default, `amqp://` with `nodes`. */
  redisUrl: string;
  name: string;
  queues: string[];
  /** The worker nodes the broker knows (default: the mailbox bindings in Redis). */
  nodes?: () => Promise<string[]>;
  /** The app `-A` loads and the dir it is run in (default: the celery-flask scenario's `app.tasks`). */
  app?: { module: string; dir: string };
  /** More worker options (`-P solo`, `--prefetch-multiplier 1`). */
  extraArgs?: string[];
}

/**
 * Starts `celery -A <app> worker -Q <queues> -n <name>@%h` in the app's dir (prefork, one child) and waits until
 * the broker knows its node (its mailbox) and the worker says it is ready.
 */
export async function startCeleryWorker(options: CeleryWorkerOptions): Promise<CeleryWorker> {
  requireTool(PYTHON, 'python3-celery');
  requireTool(CELERY, 'celery');
  const app = options.app ?? { module: 'app.tasks', dir: CELERY_APP_DIR };
  const nodes = options.nodes ?? (() => mailboxNodes(options.redisUrl));
  const managed = launch(
    PYTHON,
    [
      CELERY, '-A', app.module, 'worker', '-Q', options.queues.join(','), '-n', `${options.name}@%h`, '-c', '1',
      '--without-mingle', '--without-gossip', '--loglevel', 'info', ...(options.extraArgs ?? []),
    ],
    { CELERY_BROKER_URL: options.redisUrl },
    app.dir,
  );
  try {
    const node = await eventually(
      async () => {
        if (!/ ready\./.test(managed.output())) return undefined;
        return (await nodes().catch(() => [])).find((entry) => entry.startsWith(`${options.name}@`));
      },
      { what: `Celery worker ${options.name} to be ready`, timeoutMs: 30_000, stopIf: exitedReason(managed), context: managed.output },
    );
    return { ...managed, node };
  } catch (error) {
    await managed.stop('SIGKILL');
    throw error;
  }
}

/** Runs Python in the scenario's dir (or `dir`) with the app's `celery` importable and CELERY_BROKER_URL set. */
export async function celeryPython(redisUrl: string, code: string, dir = CELERY_APP_DIR): Promise<string> {
  requireTool(PYTHON, 'python3-celery');
  const result = await execa(PYTHON, ['-c', `from app.worker import celery\n${code}`], {
    cwd: dir,
    env: { CELERY_BROKER_URL: redisUrl, PYTHONDONTWRITEBYTECODE: '1' },
    reject: false,
    timeout: 60_000,
  });
  if (result.exitCode !== 0) throw new Error(`python failed (${result.exitCode}): ${result.stderr}`);
  return String(result.stdout);
}
