import { InputError, UnreachableError } from './errors.js';
import type { LiveOptions, LiveResult } from './live/index.js';
import { applyOverrides, buildReport } from './report/build.js';
import { finding } from './finding.js';
import type { SmokeOptions, SmokeResult } from './smoke/index.js';
import type { Finding, RelatedInfo, Report, Severity, StaticSection } from './types.js';
import { redactRedisUrl, redactUrl, urlSecrets } from './redact.js';
import { matchEnvironmentName } from './sources/index.js';
import type { StaticOptions, StaticResult } from './static.js';

export type DriftConfig = NonNullable<LiveOptions['config']>;

export interface CheckOptions {
  static?: StaticOptions;
  live?: Omit<LiveOptions, 'config'> & { environment?: string };
  smoke?: SmokeOptions;
  failOn: Severity;
  /** Severity override per rule id (project config); `off` drops the rule's findings. */
  ruleOverrides?: Record<string, Severity | 'off'>;
  /** Called with the static section before any network stage runs; may throw an InputError (the CLI checks --environment). */
  onStatic?: (section: StaticSection) => void;
  /**
   * Where the live stage's Redis came from when no `--redis` named it (`REDIS_URL` in the environment, the project's
   * config file): the report says so in one line, since such a target turns the live stage on without being asked.
   */
  liveOrigin?: 'REDIS_URL' | 'config';
  /** Aborted on Ctrl-C: the stage under way is abandoned and the report holds what the finished stages found. */
  signal?: AbortSignal;
}

/** The stage that was running when `check` was interrupted. */
type Stage = Finding['stage'];

const INTERRUPTED = Symbol('interrupted');

/** `work`, or INTERRUPTED as soon as `signal` aborts (the work is abandoned: the caller exits right after). */
function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof INTERRUPTED> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(INTERRUPTED);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<typeof INTERRUPTED>((resolve) => {
    onAbort = () => resolve(INTERRUPTED);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

/** The one line that says why the live stage ran when nothing on the command line asked for it. */
function liveOriginNote(origin: NonNullable<CheckOptions['liveOrigin']>, urls: string): string {
  return origin === 'REDIS_URL'
    ? `The live stage read ${urls} because REDIS_URL is set in the environment (pass --redis to choose the Redis, or unset REDIS_URL to skip the live stage).`
    : `The live stage read ${urls} because the project's config file names it (live.redis).`;
}

function unreachable(rule: 'live-unreachable' | 'smoke-unreachable', error: UnreachableError, target: string): Finding {
  return finding(rule, {
    message: error.message,
    hint:
      rule === 'live-unreachable'
        ? error.target === 'rabbitmq'
          ? `Check that the live targets (${target}) are up, RabbitMQ's management API too, and that the user, password and vhost are right.`
          : `Check that Redis at ${target} is up and that the URL, user and password are right.`
        : `Check that the API at ${target} is up and reachable from here.`,
  });
}

/** Another finding as a related entry: its stage, its fact and where it points. */
function asRelated(finding: Finding): RelatedInfo {
  return {
    message: `${finding.stage}: ${finding.message}`,
    ...(finding.location ? { file: finding.location.file, line: finding.location.line } : {}),
  };
}

/**
 * A live queue without a worker that the compose config also leaves without one: the live finding points at
 * the static finding (the enqueue site, whose hint names the config line), so both tell the same story.
 */
function linkLiveToStatic(liveFindings: Finding[], staticFindings: Finding[]): void {
  for (const finding of liveFindings) {
    if (finding.rule !== 'live-queue-without-worker' || finding.queue === undefined) continue;
    const causes = staticFindings.filter((cause) => cause.rule === 'queue-without-worker' && cause.queue === finding.queue);
    if (causes.length > 0) finding.related = [...(finding.related ?? []), ...causes.map(asRelated)];
  }
}

/**
 * Static findings and live findings that explain a smoke failure ("503 because no live worker …"). Like the
 * smoke's own diagnostics, only worker-side failures: a sync POST refused with a 4xx (token, path, body) is
 * not explained by workers, and a stage that could not reach its target explains nothing. When the static
 * stage knows which queues the code enqueues to, only findings about those queues are causes.
 */
function explainSmoke(smoke: SmokeResult, explaining: Finding[], producedQueues: Set<string> | undefined): void {
  const postStatus = smoke.section.httpStatus;
  if (postStatus !== undefined && postStatus >= 400 && postStatus < 500) return;
  const causes: RelatedInfo[] = explaining
    .filter((finding) => finding.severity === 'error' && finding.stage !== 'smoke' && !finding.rule.endsWith('-unreachable'))
    .filter((finding) => !producedQueues || finding.queue === undefined || producedQueues.has(finding.queue))
    .map(asRelated);
  if (causes.length === 0) return;
  const smokeFindings = smoke.findings;
  for (const finding of smokeFindings) {
    if (finding.severity !== 'error') continue;
    finding.related = [...(finding.related ?? []), ...causes];
  }
}

/**
 * Queues the API itself says it needs a worker on: the contract's diagnostics report whether `default` has one
 * (docs/CONTRACT.md §6). Without a project dir or --queue, this is how the live stage knows to look for `default`.
 */
function queuesTheApiUses(smoke: SmokeResult | undefined): string[] {
  return smoke?.section.diagnostics?.defaultQueueHasWorker === false ? ['default'] : [];
}

/*
 * The live stage's drift comparison is chosen here, by the stage wiring, not by the static analysis: the static
 * section says what each environment consumes; `check` (and the `live` command) pick the environment to compare with.
 */

/**
 * The environment live drift compares with: `prod`/`production` when present, else `default`. A name matches an
 * environment prefixed with its source (`kustomize:prod`) when that is the only one of that name.
 */
export function pickDriftEnvironment(names: string[], requested?: string): { name: string; reason: string } | undefined {
  if (requested) {
    const name = matchEnvironmentName(names, requested);
    return name ? { name, reason: 'it was chosen with --environment' } : undefined;
  }
  const unique = (wanted: string) => {
    try {
      return matchEnvironmentName(names, wanted);
    } catch {
      // Several sources have one: none is the obvious choice.
      return undefined;
    }
  };
  for (const wanted of ['prod', 'production']) {
    const name = unique(wanted);
    if (name) return { name, reason: 'it is the production environment' };
  }
  const fallback = unique('default');
  if (fallback) return { name: fallback, reason: 'there is no prod/production environment' };
  return names[0] ? { name: names[0], reason: 'it is the first environment' } : undefined;
}

/**
 * The BullMQ prefixes the code names (`prefix:` in its Queue options: a literal, or the variable's value in an
 * environment, else its default), for the live stage to read even before a queue has a key under them.
 */
function codeBullPrefixes(section: StaticSection): string[] {
  const prefixes = new Set<string>();
  for (const producer of section.producers) {
    const prefix = producer.prefix;
    if (!producer.kind.startsWith('bullmq') || prefix === undefined) continue;
    if (typeof prefix === 'string') prefixes.add(prefix);
    else if (prefix.default !== null) prefixes.add(prefix.default);
  }
  return [...prefixes].sort();
}

/** The queues the code enqueues to (resolved names only). */
function enqueuedQueues(section: StaticSection): string[] {
  return [...new Set(section.producers.flatMap((producer) => (producer.queue ? [producer.queue] : [])))];
}


/**
 * The live stage's options with what the project tells it: the queues its code enqueues to (then `moreQueues`) are
 * expected, the BullMQ prefixes its code names are read (unless --prefix chose one), and drift compares with `drift`.
 * `check` and the `live` command wire the live stage to the static section through this one function.
 */
export function liveOptionsForProject(
  live: Omit<LiveOptions, 'config'>,
  section: StaticSection | undefined,
  drift: DriftConfig | undefined,
  moreQueues: readonly string[] = [],
): LiveOptions {
  const expectedQueues = [...new Set([...live.expectedQueues, ...(section ? enqueuedQueues(section) : []), ...moreQueues])];
  const codePrefixes = section && live.prefix === undefined ? codeBullPrefixes(section) : [];
  return { ...live, expectedQueues, ...(codePrefixes.length ? { codePrefixes } : {}), ...(drift ? { config: drift } : {}) };
}

/**
 * The configuration the live workers are compared with (config-live-drift): the chosen environment's
 * consumers. An unknown `--environment` is an input error.
 */
export function driftConfig(section: StaticSection, requested?: string): DriftConfig | undefined {
  const names = section.environments.map((environment) => environment.name);
  const picked = pickDriftEnvironment(names, requested);
  if (!picked) {
    if (requested) throw new InputError(`--environment ${requested}: no such environment (have: ${names.join(', ')}).`);
    return undefined;
  }
  return {
    environment: picked.name,
    reason: picked.reason,
    consumers: section.consumers.filter((consumer) => consumer.environment === picked.name),
  };
}

/**
 * The whole doctor: static (when a project is given) + live (with a Redis URL) + smoke (with a URL).
 * A stage that cannot reach its target becomes a finding; the other stages still run.
 */
export async function check(options: CheckOptions): Promise<Report> {
  const findings: Finding[] = [];
  let staticResult: StaticResult | undefined;
  let liveResult: LiveResult | undefined;
  let smokeResult: SmokeResult | undefined;
  let interrupted: Stage | undefined;
  const { signal } = options;
  const notes: string[] = [];
  if (options.live?.redisUrl !== undefined && options.liveOrigin) {
    notes.push(liveOriginNote(options.liveOrigin, [options.live.redisUrl, ...(options.live.moreRedisUrls ?? [])].map(redactRedisUrl).join(', ')));
  }

  // Each stage's code is loaded only when the stage runs: `check --redis` alone never loads the compose loader.
  let producedQueues: Set<string> | undefined;
  let drift: DriftConfig | undefined;
  if (options.static) {
    const { runStatic } = await import('./static.js');
    const result = await unlessInterrupted(runStatic(options.static), signal);
    if (result === INTERRUPTED) interrupted = 'static';
    else {
      staticResult = result;
      // The RabbitMQ broker notice is moot when the live stage reads a broker.
      const brokerGiven = Boolean(options.live?.brokers?.length);
      for (const found of staticResult.findings) if (!brokerGiven || found.rule !== 'celery-rabbitmq-broker') findings.push(found); // no spread: 300k findings would overflow the stack
      producedQueues = new Set(enqueuedQueues(staticResult.section));
      options.onStatic?.(staticResult.section);
      // An unknown --environment is an input error, raised before any network stage runs.
      if (options.live) drift = driftConfig(staticResult.section, options.live.environment);
    }
  }

  // The smoke runs before the live read, so that the live view shows what the smoke left behind (its job
  // waiting in a queue nobody consumes, or in a failed registry) and can explain the smoke's failure.
  if (options.smoke && !interrupted) {
    const { runSmoke } = await import('./smoke/index.js');
    try {
      // The server's answers may quote the Redis password this run knows: scrub it like the token.
      const extraSecrets = [
        ...[options.live?.redisUrl, ...(options.live?.moreRedisUrls ?? []), ...(options.live?.brokers ?? []), options.live?.rabbitmqApi].flatMap((url) => urlSecrets(url)),
        ...(options.live?.sentinelPassword ? [options.live.sentinelPassword] : []),
      ];
      const result = await unlessInterrupted(runSmoke(extraSecrets.length ? { ...options.smoke, extraSecrets } : options.smoke), signal);
      if (result === INTERRUPTED) interrupted = 'smoke';
      else smokeResult = result;
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      findings.push(unreachable('smoke-unreachable', error, redactUrl(options.smoke.url)));
    }
  }

  if (options.live && !interrupted) {
    const { environment: _chosenAbove, ...liveOptions } = options.live;
    const { runLive } = await import('./live/index.js');
    try {
      const result = await unlessInterrupted(runLive(liveOptionsForProject(liveOptions, staticResult?.section, drift, queuesTheApiUses(smokeResult))), signal);
      if (result === INTERRUPTED) interrupted = 'live';
      else {
        liveResult = result;
        linkLiveToStatic(liveResult.findings, staticResult?.findings ?? []);
        for (const found of liveResult.findings) findings.push(found); // no spread: 300k findings would overflow the stack
      }
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      const targets = [...(liveOptions.redisUrl !== undefined ? [liveOptions.redisUrl] : []), ...(liveOptions.moreRedisUrls ?? [])].map(redactRedisUrl);
      findings.push(unreachable('live-unreachable', error, [...targets, ...(liveOptions.brokers ?? []).map(redactUrl)].join(', ')));
    }
  }

  if (smokeResult) {
    explainSmoke(smokeResult, findings, producedQueues);
    for (const found of smokeResult.findings) findings.push(found); // no spread: 300k findings would overflow the stack
  }
  if (interrupted) {
    const finished = (['static', 'smoke', 'live'] as const).filter((stage) => ({ static: staticResult, smoke: smokeResult, live: liveResult })[stage]);
    notes.push(
      `Interrupted (Ctrl-C) during the ${interrupted} stage: this report holds what ${finished.length ? `the finished stage${finished.length === 1 ? '' : 's'} (${finished.join(', ')}) found` : 'no finished stage found (none had finished)'}.`,
    );
  }

  const report = buildReport(
    applyOverrides(findings, options.ruleOverrides),
    {
      ...(staticResult ? { static: staticResult.section } : {}),
      ...(liveResult ? { live: liveResult.section } : {}),
      ...(smokeResult ? { smoke: smokeResult.section } : {}),
    },
    options.failOn,
  );
  if (notes.length) report.notes = notes;
  if (interrupted) {
    // A stage that did not finish judged nothing: the run is not OK whatever the finished stages found.
    report.interrupted = interrupted;
    report.ok = false;
  }
  return report;
}
