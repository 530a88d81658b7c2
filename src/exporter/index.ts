import { formatErrorLine, InputError, isKnownError } from '../errors.js';
import type { LiveOptions } from '../live/index.js';
import { escapeControlChars, redactUrlsInText, scrubSecrets } from '../redact.js';
import { applyOverrides, buildReport } from '../report/build.js';
import type { Severity } from '../types.js';
import type { ExpectedQueue } from './metrics.js';
import type { ExporterProject } from './project.js';
import { Reads } from './reads.js';
import { listen } from './server.js';

export interface ExporterOptions {
  /** The live stage's options (`--queue` in expectedQueues); never the Celery broadcast: the exporter only reads. */
  live: Omit<LiveOptions, 'config' | 'celeryInspectTimeoutMs'>;
  host: string;
  port: number;
  intervalMs: number;
  maxSeries: number;
  /** With a project dir: runs the static stage (at start, and again on SIGHUP). */
  loadProject?: () => Promise<ExporterProject>;
  ruleOverrides?: Record<string, Severity | 'off'>;
  /** Passwords and tokens the run knows, scrubbed from every log line. */
  secrets: readonly string[];
  /** One line to the log (stderr). */
  log: (line: string) => void;
  /** Called once the server listens, with its URL. */
  onListening?: (url: string) => void;
}

/** An error as one log line: the known ones as the CLI prints them, secrets and URL passwords removed. */
export function errorLine(error: unknown, secrets: readonly string[]): string {
  const text = isKnownError(error) ? formatErrorLine(error) : `internal error: ${error instanceof Error ? error.message : String(error)}`;
  return escapeControlChars(scrubSecrets(redactUrlsInText(text.replace(/[\r\n]+/g, ' ')), secrets)).replace(/\.$/, '');
}

/** `--queue` then the project's queues, one entry per queue name. */
function mergeExpected(given: readonly string[], project: ExporterProject | undefined): ExpectedQueue[] {
  const fromProject = project?.expected ?? [];
  const named = new Set(fromProject.map((entry) => entry.queue));
  return [...given.filter((queue) => !named.has(queue)).map((queue) => ({ queue })), ...fromProject];
}

/**
 * `receipts-doctor exporter`: reads the live stage every interval and serves the last read on /metrics until SIGTERM
 * or SIGINT (then resolves: exit 0). Input errors (bad options, a project that does not load, a backend the topology
 * cannot have) throw before it listens; an unreachable Redis does not: it serves `receipts_doctor_up 0` and keeps
 * trying, as an exporter must when it starts before the thing it watches.
 */
export async function runExporter(options: ExporterOptions): Promise<void> {
  const { log } = options;
  // From the start: a supervisor's SIGTERM during the first read still ends the exporter cleanly (exit 0).
  let onStop!: (signal: NodeJS.Signals) => void;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (onStop = resolve));
  process.once('SIGINT', onStop);
  process.once('SIGTERM', onStop);
  let stopRequested: NodeJS.Signals | undefined;
  void stopSignal.then((signal) => (stopRequested = signal));
  let project: ExporterProject | undefined;
  const reads = new Reads({
    read: async () => {
      const { runLive } = await import('../live/index.js');
      const expectedQueues = mergeExpected(options.live.expectedQueues, project).map((entry) => entry.queue);
      const result = await runLive({ ...options.live, expectedQueues, ...(project?.drift ? { config: project.drift } : {}) });
      return buildReport(applyOverrides(result.findings, options.ruleOverrides), { live: result.section });
    },
    intervalMs: options.intervalMs,
    maxSeries: options.maxSeries,
    expected: [],
    onError: (error, consecutive) =>
      log(`read failed${consecutive > 1 ? ` (${consecutive} in a row)` : ''}: ${errorLine(error, options.secrets)} (serving the last good read, receipts_doctor_up 0)`),
    onRecovered: (failures) => log(`read succeeded again after ${failures} failed read(s)`),
  });
  let reloading = Promise.resolve();
  const onHangup = () => {
    if (!options.loadProject) return log('SIGHUP: no project dir, nothing to read again');
    reloading = reloading.then(async () => {
      try {
        project = await options.loadProject!();
        reads.setExpected(mergeExpected(options.live.expectedQueues, project));
        log(`SIGHUP: project read again; ${project.expected.length} expected queue(s)${project.drift ? ` in ${project.drift.environment}` : ''}`);
      } catch (error) {
        log(`SIGHUP: the project could not be read, keeping the previous one: ${errorLine(error, options.secrets)}`);
      }
    });
  };
  // From the start too: SIGHUP's default action would end the process.
  process.on('SIGHUP', onHangup);
  try {
    if (options.loadProject) project = await options.loadProject();
    reads.setExpected(mergeExpected(options.live.expectedQueues, project));
    await reads.readOnce((error) => error instanceof InputError);
    if (stopRequested) return log(`${stopRequested}: stopping`);
    const { server, address } = await listen(reads, options.host, options.port).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`--listen ${options.host}:${options.port}: cannot listen (${error.code ?? error.message}).`);
    });
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    options.onListening?.(`http://${host}:${address.port}/metrics`);
    reads.start();
    const signal = await stopSignal;
    log(`${signal}: stopping`);
    server.close();
    server.closeAllConnections();
    await Promise.all([reads.stop(), reloading]);
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.off('SIGHUP', onHangup);
  }
}
