import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { urlSecrets } from '../../redact.js';
import { parseNumber } from '../parse.js';
import { addLiveOptions, addStaticOptions, PROJECT_DIR_ARGUMENT, projectConfig, runProjectStatic, setUpLiveCommand, type LiveCliOptions, type StaticCliOptions } from '../stages.js';

interface ExporterCliOptions extends LiveCliOptions, StaticCliOptions {
  listen: string;
  interval: string;
  maxSeries: string;
}

export const DEFAULT_LISTEN = '127.0.0.1:9808';

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (every interface); port 0 picks a free one. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new InputError(`--listen expects HOST:PORT (e.g. ${DEFAULT_LISTEN}, 0.0.0.0:9808, [::1]:9808), got \`${value}\`.`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export function registerExporter(program: Command): void {
  const command = program
    .command('exporter')
    .argument('[dir]', `${PROJECT_DIR_ARGUMENT}: its expected queues become receipts_doctor_queue_expected, and live drift is checked`)
    .description('a Prometheus exporter of the live stage: reads Redis every interval (read-only), serves /metrics and /healthz');
  addLiveOptions(command);
  addStaticOptions(command);
  command
    .option('--listen <host:port>', 'where to serve /metrics and /healthz', DEFAULT_LISTEN)
    .option('--interval <seconds>', 'read Redis every SECONDS (at most once per interval, whatever the scrape rate)', '15')
    .option('--max-series <n>', 'the most series one scrape carries; past it per-worker series go first', '10000');
  command.action(async (dir: string | undefined, options: ExporterCliOptions) => {
    const listen = parseListen(options.listen);
    const intervalMs = 1000 * parseNumber('--interval', options.interval, { min: 0.01 });
    const maxSeries = parseNumber('--max-series', options.maxSeries, { min: 1, integer: true });
    if (options.celeryInspect !== undefined) {
      throw new InputError("--celery-inspect writes to Redis (Celery's broadcast): the exporter only reads; use `receipts-doctor live --celery-inspect` once instead.");
    }
    const { root, config, live: liveOptions, environment } = await setUpLiveCommand('exporter', dir, options);
    const loadProject = root
      ? async () => {
          const { projectExpectations } = await import('../../exporter/project.js');
          // The config file is read again too: SIGHUP takes its changes (environments, sources, variables).
          const section = await runProjectStatic(root, options, await projectConfig(root), environment);
          return projectExpectations(section, environment);
        }
      : undefined;
    const log = (line: string) => process.stderr.write(`receipts-doctor exporter: ${line}\n`);
    const { runExporter } = await import('../../exporter/index.js');
    const { redactRedisUrl, redactUrl } = await import('../../redact.js');
    const redisTargets = [...(liveOptions.redisUrl !== undefined ? [liveOptions.redisUrl] : []), ...(liveOptions.moreRedisUrls ?? [])];
    const brokers = liveOptions.brokers ?? [];
    await runExporter({
      live: liveOptions,
      host: listen.host,
      port: listen.port,
      intervalMs,
      maxSeries,
      ...(loadProject ? { loadProject } : {}),
      ...(config.rules ? { ruleOverrides: config.rules } : {}),
      secrets: [
        ...[...redisTargets, ...brokers, ...(liveOptions.rabbitmqApi !== undefined ? [liveOptions.rabbitmqApi] : [])].flatMap(urlSecrets),
        ...(liveOptions.sentinelPassword ? [liveOptions.sentinelPassword] : []),
      ],
      log,
      onListening: (url) => log(`serving ${url} (reads ${[...redisTargets.map(redactRedisUrl), ...brokers.map(redactUrl)].join(', ')} every ${intervalMs / 1000} s)`),
    });
    process.exitCode = 0;
  });
}
