/**
 * The built CLI's `exporter` as a real process for tests: started on a free loopback port (`--listen 127.0.0.1:0`,
 * the address read from its `serving` log line), scraped over real HTTP, stopped by a signal.
 */
import { BIN } from './cli.js';
import { eventually } from './poll.js';
import { exitedReason, launch, type Managed } from './rq.js';

export interface Exporter extends Managed {
  /** http://127.0.0.1:<port>/metrics */
  metricsUrl: string;
  /** GET a path of the exporter (default /metrics), with an Accept header when given. */
  get(path?: string, init?: { accept?: string; method?: string }): Promise<{ status: number; type: string; body: string }>;
  /** Waits for the process to exit after `signal`, and returns its exit code and signal. */
  signal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `receipts-doctor exporter ARGS --listen 127.0.0.1:0` (the last --listen wins) and waits until it serves.
 * `REDIS_URL` is not inherited; `env` may set it.
 */
export async function startExporter(args: string[], env: Record<string, string> = {}): Promise<Exporter> {
  const managed = launch(process.execPath, ['--', BIN, 'exporter', ...args, '--listen', '127.0.0.1:0'], { NO_COLOR: '1', REDIS_URL: '', ...env });
  const metricsUrl = await eventually(async () => /serving (http:\/\/\S+\/metrics)/.exec(managed.output())?.[1], {
    what: 'the exporter to serve',
    timeoutMs: 30_000,
    stopIf: exitedReason(managed),
    context: managed.output,
  }).catch(async (error: unknown) => {
    await managed.stop('SIGKILL');
    throw error;
  });
  const base = metricsUrl.replace(/\/metrics$/, '');
  return {
    ...managed,
    metricsUrl,
    async get(path = '/metrics', init = {}) {
      const response = await fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: init.accept ? { accept: init.accept } : {},
      });
      return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
    },
    async signal(signal) {
      const child = managed.process;
      const exited =
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve([child.exitCode, child.signalCode] as const)
          : new Promise<readonly [number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])));
      child.kill(signal);
      const [code, sig] = await exited;
      return { code, signal: sig };
    },
  };
}
