import { fileURLToPath } from 'node:url';
import type { ChalkInstance } from 'chalk';
import { check } from '../check.js';
import { CONTRACT_DEFAULTS, SYNC_PATH, WORKER_OFFLINE } from '../contract/http.js';
import type { Pair, PairOptions } from '../embedded/pair.js';
import type { EmbeddedRedis } from '../embedded/redis-server.js';
import { nodeFileSystem } from '../fs.js';
import { DEFAULT_BULL_PREFIX } from '../frameworks/bullmq/live-keys.js';
import { formatTable } from '../report/table.js';
import { palette } from '../report/style.js';
import type { RuleId } from '../rules.js';
import type { Report } from '../types.js';

/** How the README's set-up runs the CLI: in the clone, and in a project that installed the tarball (docs/install.md). */
export const RUN_COMMAND = 'npx receipts-doctor';

/** The bundled projects: the incident's replica after the fix, and before it. */
export const DEMO_PROJECTS = {
  fixed: fileURLToPath(new URL('../../fixtures/prosaas', import.meta.url)),
  incident: fileURLToPath(new URL('../../fixtures/incident', import.meta.url)),
};

/** The queues the fixed project's worker consumes (RQ_QUEUES in fixtures/prosaas). */
const FIXED_QUEUES = ['high', 'default', 'low', 'receipts_sync'];
/** The incident: the worker was started from a config without `default`. */
const INCIDENT_QUEUES = ['high', 'low'];

export interface DemoOptions {
  write: (text: string) => void;
  color: boolean;
}

export interface DemoResult {
  healthy: Report;
  incident: Report;
  /** True when the healthy check passed and the incident was pinpointed in every stage. */
  asExpected: boolean;
}

const INCIDENT_RULES: readonly RuleId[] = ['queue-without-worker', 'live-queue-without-worker', 'smoke-http-status'];

async function runCheck(project: string, pair: Pair, redisUrl: string): Promise<Report> {
  return check({
    failOn: 'error',
    static: { fs: nodeFileSystem, root: project },
    live: {
      redisUrl,
      backend: 'auto',
      prefix: DEFAULT_BULL_PREFIX,
      expectedQueues: [],
      stuckAfterSeconds: 120,
      connectTimeoutMs: 3000,
    },
    smoke: {
      url: pair.apiUrl!,
      token: pair.token,
      ...CONTRACT_DEFAULTS,
      timeoutMs: 20_000,
      insecure: false,
    },
  });
}

function commandLine(c: ChalkInstance, project: string, redis: string, api: string): string {
  return c.cyan(`$ ${RUN_COMMAND} check ${project} --redis ${redis} --url ${api}`);
}

/**
 * A newcomer's tour: starts a private Redis and the embedded pair, runs a healthy `check`, then reproduces the
 * incident (a worker without `default`) and shows every stage pinpointing it. Cleans up whatever happens.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const c = palette(options.color);
  const say = (text = '') => options.write(`${text}\n`);
  const quiet: PairOptions['log'] = () => {};
  const { startEmbeddedRedis } = await import('../embedded/redis-server.js');
  const { startPair } = await import('../embedded/pair.js');

  const started = performance.now();
  let redis: EmbeddedRedis | undefined;
  let api: Pair | undefined;
  let worker: Pair | undefined;
  try {
    say(c.bold('receipts-doctor demo'));
    say(`The incident: POST ${SYNC_PATH} answered 503 "${WORKER_OFFLINE}" because the`);
    say('worker was configured (RQ_QUEUES) without the queue the API enqueues to. Watch the doctor catch it.');
    say();
    say(c.bold('1. Start a private redis-server and the embedded API/worker pair (BullMQ)'));
    redis = await startEmbeddedRedis();
    api = await startPair({ redisUrl: redis.url, port: 0, worker: false, mode: 'fail-fast', log: quiet });
    worker = await startPair({ redisUrl: redis.url, api: false, queues: FIXED_QUEUES, log: quiet });
    say(`   redis ${redis.url} · API ${api.apiUrl} (fail-fast) · worker on ${FIXED_QUEUES.join(',')}`);
    say();

    say(c.bold('2. A healthy deploy: the fixed project, its worker online'));
    say(`   ${commandLine(c, 'fixtures/prosaas', redis.url, api.apiUrl!)}`);
    const healthy = await runCheck(DEMO_PROJECTS.fixed, api, redis.url);
    say(showTable(healthy, options.color, 'fixtures/prosaas'));

    say(c.bold('3. The incident: the worker restarts from a config without `default` (RQ_QUEUES=high,low)'));
    await worker.stop();
    worker = await startPair({ redisUrl: redis.url, api: false, queues: INCIDENT_QUEUES, log: quiet });
    say(`   worker now on ${INCIDENT_QUEUES.join(',')}`);
    say(`   ${commandLine(c, 'fixtures/incident', redis.url, api.apiUrl!)}`);
    const incident = await runCheck(DEMO_PROJECTS.incident, api, redis.url);
    say(showTable(incident, options.color, 'fixtures/incident'));

    const found = new Set(incident.findings.map((finding) => finding.rule));
    const asExpected = healthy.ok && !incident.ok && INCIDENT_RULES.every((rule) => found.has(rule));
    say(c.bold('4. What the doctor showed'));
    say(`   static  ${mark(c, found.has('queue-without-worker'))} the compose files never give \`default\` a worker (file:line of the enqueue and of RQ_QUEUES)`);
    say(`   live    ${mark(c, found.has('live-queue-without-worker'))} no live worker listens to \`default\` in Redis`);
    say(`   smoke   ${mark(c, found.has('smoke-http-status'))} the API answers 503 "${WORKER_OFFLINE}"`);
    say();
    say(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s. Try it on your project: ${RUN_COMMAND} check path/to/project --redis $REDIS_URL --url https://…`);
    return { healthy, incident, asExpected };
  } finally {
    await worker?.stop().catch(() => {});
    await api?.stop().catch(() => {});
    await redis?.stop().catch(() => {});
  }
}

/**
 * The tour shows errors and warnings; info findings (unused queues) would only bury the story. The verdict still
 * counts them, so a line says where they went.
 */
function showTable(report: Report, color: boolean, project: string): string {
  const shown = { ...report, findings: report.findings.filter((finding) => finding.severity !== 'info') };
  const hidden = report.findings.length - shown.findings.length;
  const note = hidden > 0 ? `(${hidden} info finding${hidden > 1 ? 's' : ''} counted, not shown in the tour; \`${RUN_COMMAND} static ${project}\` lists the static ones)\n` : '';
  return indent(formatTable(shown, { color }) + note);
}

const mark = (c: ChalkInstance, ok: boolean) => (ok ? c.green('✓') : c.red('✗'));
const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n') + '\n';
