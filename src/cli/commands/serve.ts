import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { parseNumber } from '../parse.js';

interface ServeCliOptions {
  port: string;
  host: string;
  redis?: string;
  queues?: string;
  syncQueue: string;
  mode: string;
  token?: string;
  worker: boolean;
  api: boolean;
}

/**
 * Tuning knobs that are not flags (docs/CONTRACT.md §7 fixes the flags): tests shorten stall recovery and slow jobs
 * down, the benchmark makes jobs free. Unset means the documented default.
 */
function envNumber(name: string, min: number): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : parseNumber(name, raw, { min, integer: true });
}

const QUEUE_NAME = /^[A-Za-z0-9_.:-]+$/;

/**
 * The `smoke` command line that works against this API, printed under the ready line. Only the documented default
 * token is written out: a token given with --token or RECEIPTS_DOCTOR_TOKEN is a secret, named by where it came from.
 */
export function smokeCommandLine(apiUrl: string, token: 'default' | 'flag' | 'env', defaultToken: string): string {
  const tokenPart = { default: ` --token ${defaultToken}`, flag: ' --token <the --token given to serve>', env: '' }[token];
  const note = token === 'env' ? ' (smoke reads the same RECEIPTS_DOCTOR_TOKEN)' : '';
  return `receipts-doctor serve: try it: npx receipts-doctor smoke --url ${apiUrl}${tokenPart}${note}`;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the embedded API/worker pair (BullMQ) implementing the sync contract')
    .option('--port <port>', 'API port (0 picks a free one)', '8080')
    .option('--host <host>', 'API listen address', '127.0.0.1')
    .option('--redis <url>', 'use this Redis (else REDIS_URL, else a private redis-server from PATH)')
    .option('--queues <list>', 'queues the worker consumes, comma-separated (else RQ_QUEUES, else high,default,low)')
    .option('--sync-queue <name>', 'queue the API enqueues the sync to', 'default')
    .option('--mode <mode>', 'fail-fast (503 when no worker listens, the incident) or always-enqueue', 'fail-fast')
    .option('--token <token>', 'bearer token the API requires (else RECEIPTS_DOCTOR_TOKEN, else dev-token)')
    .option('--no-worker', 'run the API only')
    .option('--no-api', 'run the worker only')
    .action(async (options: ServeCliOptions) => {
      const { ENQUEUE_MODES } = await import('../../embedded/api.js');
      const { DEFAULT_QUEUES, DEV_TOKEN, splitQueues, startPair } = await import('../../embedded/pair.js');

      const port = parseNumber('--port', options.port, { min: 0, integer: true });
      if (port > 65_535) throw new InputError(`--port expects 0–65535, got \`${options.port}\`.`);
      if (!(ENQUEUE_MODES as readonly string[]).includes(options.mode)) {
        throw new InputError(`--mode expects one of ${ENQUEUE_MODES.join(', ')}, got \`${options.mode}\`.`);
      }
      if (!options.api && !options.worker) throw new InputError('--no-api and --no-worker together leave nothing to serve.');
      const rawQueues = options.queues ?? process.env.RQ_QUEUES;
      const queues = rawQueues === undefined ? DEFAULT_QUEUES : splitQueues(rawQueues);
      for (const name of [...queues, options.syncQueue]) {
        if (!QUEUE_NAME.test(name)) throw new InputError(`Queue name \`${name}\` may hold only letters, digits, _ . : -.`);
      }
      const redisUrl = options.redis ?? (process.env.REDIS_URL || undefined);
      if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
        throw new InputError('--redis/REDIS_URL expects a redis:// or rediss:// URL.');
      }
      if (redisUrl !== undefined) {
        // The live stage's parser turns a bad port, db or percent-encoding into an InputError (ioredis would throw a URIError).
        const { parseRedisUrl } = await import('../../live/redis.js');
        parseRedisUrl(redisUrl);
      }
      const tokenSource = options.token !== undefined ? 'flag' : process.env.RECEIPTS_DOCTOR_TOKEN ? 'env' : 'default';
      const token = options.token ?? (process.env.RECEIPTS_DOCTOR_TOKEN || DEV_TOKEN);
      if (token === '') throw new InputError('--token must not be empty.');

      const log = (line: string) => process.stderr.write(`receipts-doctor serve: ${line}\n`);
      let onRedisGone = () => {};
      const pair = await startPair({
        onEmbeddedRedisExit: () => onRedisGone(),
        redisUrl,
        port,
        host: options.host,
        queues,
        syncQueue: options.syncQueue,
        mode: options.mode as (typeof ENQUEUE_MODES)[number],
        token,
        api: options.api,
        worker: options.worker,
        workerName: process.env.RECEIPTS_DOCTOR_SERVE_WORKER_NAME || undefined,
        concurrency: envNumber('RECEIPTS_DOCTOR_SERVE_CONCURRENCY', 1),
        work: {
          batches: envNumber('RECEIPTS_DOCTOR_SERVE_BATCHES', 1),
          batchDelayMs: envNumber('RECEIPTS_DOCTOR_SERVE_BATCH_MS', 0),
        },
        lockDurationMs: envNumber('RECEIPTS_DOCTOR_SERVE_LOCK_MS', 100),
        stalledIntervalMs: envNumber('RECEIPTS_DOCTOR_SERVE_STALLED_MS', 100),
        drainMs: envNumber('RECEIPTS_DOCTOR_SERVE_DRAIN_MS', 0),
        log,
      });
      if (options.worker && queues.length === 0) log('the queue list is empty: the worker listens to nothing');
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals += 1;
          if (signals > 1) {
            // A second Ctrl-C means "now": skip the drain. The watchdog still removes an embedded Redis.
            log(`${signal} again: exiting without waiting for in-flight jobs`);
            process.exit(130);
          }
          log(`${signal}: no new requests; draining in-flight jobs, then stopping`);
          pair.stop().then(
            ({ drained }) => {
              log(drained ? 'stopped' : 'stopped without draining every in-flight job (they return to the queue as stalled jobs)');
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
              resolve();
            },
            (error: unknown) => {
              log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
              process.exitCode = 1;
              resolve();
            },
          );
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        // Ready only once the handlers are in place: a supervisor that signals right after the ready line must get
        // the drain, not the default SIGTERM death (seen on a loaded machine).
        process.stdout.write(`${pair.readyLine}\n`);
        if (pair.apiUrl) process.stdout.write(`${smokeCommandLine(pair.apiUrl, tokenSource, DEV_TOKEN)}\n`);
        onRedisGone = () => {
          // Nothing can work without it and nothing would restart it: stop, and say so in the exit code.
          log('the embedded redis-server exited unexpectedly; stopping');
          process.exitCode = 1;
          onSignal('SIGTERM');
        };
      });
      // Everything serve opened is closed by now. With Redis gone, a BullMQ worker's run loop still sleeps out its
      // 5 s connection-error delay (and reconnect timers can linger): they must not hold the process up.
      process.exit(process.exitCode ?? 0);
    });
}
