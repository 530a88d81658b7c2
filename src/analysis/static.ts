import * as path from 'node:path';
import { loadComposeProject } from '../compose/index.js';
import type { ComposeEnvironment, EnvironmentSpec, ServiceModel } from '../compose/model.js';
import { InputError } from '../errors.js';
import type { FileSystem } from '../fs.js';
import type { LiveOptions } from '../live/index.js';
import { finding } from '../rules.js';
import { scanSources } from '../scan/index.js';
import { detectWorker } from '../scan/workers.js';
import type { AvailabilityCheck, Consumer, Finding, Location, Producer, RelatedInfo, StaticSection } from '../types.js';

export interface StaticOptions {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  environments?: EnvironmentSpec[];
  profiles?: string[];
  envFiles?: string[];
  vars?: Record<string, string>;
  shellEnv?: Record<string, string | undefined>;
  /** Queue variables besides RQ_QUEUES. */
  queueVariables?: string[];
  includeTests?: boolean;
  ignore?: string[];
}

export interface StaticResult {
  section: StaticSection;
  findings: Finding[];
}

const at = (location: Location | undefined) => (location ? `${location.file}:${location.line}` : undefined);

function inactiveReason(service: ServiceModel, environment: ComposeEnvironment): string | undefined {
  // `--profile '*'` activates every profile, as in docker compose.
  const allProfiles = environment.profiles.includes('*');
  if (service.profiles.length > 0 && !allProfiles && !service.profiles.some((profile) => environment.profiles.includes(profile))) {
    return `its profile${service.profiles.length > 1 ? 's' : ''} ${service.profiles.map((p) => `\`${p}\``).join(', ')} ${service.profiles.length > 1 ? 'are' : 'is'} not active`;
  }
  if (service.replicas === 0) return 'it has `deploy.replicas: 0`';
  if (service.scale === 0) return 'it has `scale: 0`';
  return undefined;
}

/** Every worker service of every environment and the queues it consumes there. */
export function findConsumers(environments: ComposeEnvironment[], options: StaticOptions): Consumer[] {
  const context = {
    fs: options.fs,
    root: options.root,
    queueVariables: ['RQ_QUEUES', ...(options.queueVariables ?? []).filter((name) => name !== 'RQ_QUEUES')],
  };
  const consumers: Consumer[] = [];
  for (const environment of environments) {
    for (const service of Object.values(environment.services)) {
      const detection = detectWorker(service, context);
      if (!detection) continue;
      const reason = inactiveReason(service, environment);
      consumers.push({
        environment: environment.name,
        service: service.name,
        active: reason === undefined,
        ...(reason ? { inactiveReason: reason } : {}),
        queues: detection.queues,
        queueSource: detection.queueSource,
        ...(detection.variable ? { variable: detection.variable } : {}),
        ...(detection.location ? { location: detection.location } : {}),
        serviceLocation: service.location,
        detectedBy: detection.detectedBy,
        ...(detection.unsetVariables?.length ? { unsetVariables: detection.unsetVariables } : {}),
      });
    }
  }
  return consumers;
}

/** How to make `consumer` listen to `queue`, naming the exact file and key. */
function addQueueHint(queue: string, consumer: Consumer): string {
  const where = at(consumer.location) ?? at(consumer.serviceLocation);
  if (consumer.queueSource === 'code-default' && !consumer.variable) {
    return `Add \`${queue}\` to the queues the worker script of service \`${consumer.service}\` sets${where ? ` in ${where}` : ''}.`;
  }
  if (consumer.queueSource === 'environment' || consumer.queueSource === 'code-default') {
    const file = consumer.queueSource === 'environment' ? where : at(consumer.serviceLocation);
    return `Add \`${queue}\` to ${consumer.variable} of service \`${consumer.service}\`${file ? ` in ${file}` : ''}.`;
  }
  return `Add \`${queue}\` to the queues in the command of service \`${consumer.service}\`${where ? ` in ${where}` : ''}.`;
}

function describeConsumer(consumer: Consumer): RelatedInfo {
  const queues = consumer.queues.length ? consumer.queues.map((q) => `\`${q}\``).join(', ') : 'no queue';
  const state = consumer.active ? '' : ` but does not run (${consumer.inactiveReason})`;
  const related: RelatedInfo = {
    message: `Service \`${consumer.service}\` in \`${consumer.environment}\` listens to ${queues}${state}.`,
  };
  const location = consumer.location ?? consumer.serviceLocation;
  if (location) Object.assign(related, { file: location.file, line: location.line });
  return related;
}

function queueWithoutWorker(
  queue: string,
  sites: Producer[],
  environment: ComposeEnvironment,
  consumers: Consumer[],
): Finding {
  const [first, ...others] = sites;
  const inEnvironment = consumers.filter((consumer) => consumer.environment === environment.name);
  const activeWorkers = inEnvironment.filter((consumer) => consumer.active);
  const inactive = inEnvironment.filter((consumer) => !consumer.active && consumer.queues.includes(queue));
  let hint: string;
  if (activeWorkers.length > 0) hint = addQueueHint(queue, activeWorkers[0]!);
  else if (inactive.length > 0)
    hint = `Make service \`${inactive[0]!.service}\` run in \`${environment.name}\` (${inactive[0]!.inactiveReason}).`;
  else hint = `Add a worker service that listens to \`${queue}\` to ${environment.files.join(' + ')}.`;
  const related: RelatedInfo[] = [...activeWorkers, ...inactive].map(describeConsumer);
  for (const site of others) {
    related.push({ message: `\`${queue}\` is also enqueued to here.`, file: site.location.file, line: site.location.line });
  }
  return finding('queue-without-worker', {
    message: `Queue \`${queue}\` is enqueued to but no worker in \`${environment.name}\` consumes it.`,
    hint,
    queue,
    environment: environment.name,
    location: first!.location,
    ...(related.length ? { related } : {}),
  });
}

/** A scope checks queue A but enqueues only to other queues: the incident's "potential mismatch". */
function checkMismatches(checks: AvailabilityCheck[], producers: Producer[]): Finding[] {
  const key = (file: string, scope: string | undefined) => `${file}\0${scope ?? ''}`;
  const enqueued = new Map<string, Producer[]>();
  for (const producer of producers) {
    if (producer.queue === null) continue;
    const k = key(producer.location.file, producer.scope);
    enqueued.set(k, [...(enqueued.get(k) ?? []), producer]);
  }
  const findings: Finding[] = [];
  for (const check of checks) {
    const sites = enqueued.get(key(check.location.file, check.scope)) ?? [];
    const queues = [...new Set(sites.map((site) => site.queue!))];
    if (queues.length === 0 || queues.includes(check.queue)) continue;
    const where = check.scope ? `\`${check.scope}\`` : `module \`${check.location.file}\``;
    findings.push(
      finding('worker-check-mismatch', {
        message: `${where} checks for a worker on \`${check.queue}\` but enqueues to ${queues.map((q) => `\`${q}\``).join(', ')}.`,
        hint: `Make \`${check.callee}\` ask about the queue the code enqueues to (${queues.map((q) => `\`${q}\``).join(', ')}), or enqueue to \`${check.queue}\`.`,
        queue: check.queue,
        location: check.location,
        related: sites.map((site) => ({
          message: `Enqueues to \`${site.queue}\` here.`,
          file: site.location.file,
          line: site.location.line,
        })),
      }),
    );
  }
  return findings;
}

/** Pure analysis: environments + producers + consumers → static findings (SPEC §3). */
export function analyzeStatic(
  environments: ComposeEnvironment[],
  producers: Producer[],
  checks: AvailabilityCheck[],
  consumers: Consumer[],
): Finding[] {
  const findings: Finding[] = [];
  const producedQueues = new Map<string, Producer[]>();
  for (const producer of producers) {
    if (producer.queue === null) {
      findings.push(
        finding('producer-unresolved', {
          message: `The queue name \`${producer.expression ?? '?'}\` of this enqueue site could not be resolved statically.`,
          hint: 'Use a string literal or a module-level constant for the queue name, or declare the queue with --queue.',
          location: producer.location,
        }),
      );
      continue;
    }
    producedQueues.set(producer.queue, [...(producedQueues.get(producer.queue) ?? []), producer]);
  }

  for (const [queue, sites] of [...producedQueues].sort(([a], [b]) => a.localeCompare(b))) {
    for (const environment of environments) {
      const served = consumers.some(
        (consumer) => consumer.environment === environment.name && consumer.active && consumer.queues.includes(queue),
      );
      if (!served) findings.push(queueWithoutWorker(queue, sites, environment, consumers));
    }
  }

  findings.push(...checkMismatches(checks, producers));

  for (const consumer of consumers) {
    const base = { environment: consumer.environment, service: consumer.service };
    const location = consumer.location ?? consumer.serviceLocation;
    if (!consumer.active) {
      findings.push(
        finding('worker-inactive', {
          ...base,
          message: `Worker service \`${consumer.service}\` does not run in \`${consumer.environment}\`: ${consumer.inactiveReason}.`,
          hint: consumer.inactiveReason?.includes('profile')
            ? `Activate the profile with --profile (or COMPOSE_PROFILES) when deploying \`${consumer.environment}\`, or remove \`profiles\` from service \`${consumer.service}\`.`
            : `Set a positive replica count for service \`${consumer.service}\` in \`${consumer.environment}\`.`,
          ...(consumer.serviceLocation ? { location: consumer.serviceLocation } : {}),
        }),
      );
      continue;
    }
    const unset = consumer.unsetVariables ?? [];
    for (const variable of unset) {
      findings.push(
        finding('queue-var-unset', {
          ...base,
          message: `${consumer.variable ?? 'The queue variable'} of service \`${consumer.service}\` interpolates \`${variable}\`, which is unset in \`${consumer.environment}\` and has no default.`,
          hint: `Set \`${variable}\` in .env (or pass --env-file/--var), or give it a default: \${${variable}:-default}.`,
          ...(location ? { location } : {}),
        }),
      );
    }
    if (consumer.queues.length === 0 && consumer.variable) {
      findings.push(
        finding('queue-var-empty', {
          ...base,
          message: `${consumer.variable} of service \`${consumer.service}\` is empty in \`${consumer.environment}\`, so the worker listens to no queue.`,
          hint: `Set ${consumer.variable} to the queues the worker must consume${location ? ` in ${at(location)}` : ''}.`,
          ...(location ? { location } : {}),
        }),
      );
    }
    for (const queue of consumer.queues) {
      if (producedQueues.has(queue)) continue;
      findings.push(
        finding('worker-queue-unused', {
          ...base,
          queue,
          message: `Service \`${consumer.service}\` in \`${consumer.environment}\` listens to \`${queue}\`, which nothing enqueues to.`,
          hint: `Remove \`${queue}\` from the worker's queues if it is not needed.`,
          ...(location ? { location } : {}),
        }),
      );
    }
  }
  return findings;
}

/** Input errors of the loader carry root-relative files; make them absolute so the CLI can show them from the cwd. */
function withAbsoluteErrorPaths<T>(root: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof InputError && error.location && !path.isAbsolute(error.location.file)) {
      throw new InputError(error.message, { ...error.location, file: path.join(root, error.location.file) });
    }
    throw error;
  }
}

/** The static stage: compose files + source → producers, consumers, findings. No network. */
export function runStatic(options: StaticOptions): StaticResult {
  const started = performance.now();
  const project = withAbsoluteErrorPaths(options.root, () => loadComposeProject({
    fs: options.fs,
    root: options.root,
    ...(options.environments ? { environments: options.environments } : {}),
    ...(options.profiles ? { profiles: options.profiles } : {}),
    ...(options.envFiles ? { envFiles: options.envFiles } : {}),
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.shellEnv ? { shellEnv: options.shellEnv } : {}),
  }));
  const scan = scanSources({
    fs: options.fs,
    root: options.root,
    ...(options.includeTests ? { includeTests: true } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
  });
  const consumers = findConsumers(project.environments, options);
  const findings = analyzeStatic(project.environments, scan.producers, scan.checks, consumers);
  return {
    section: {
      environments: project.environments.map((environment) => ({
        name: environment.name,
        files: environment.files,
        profiles: environment.profiles,
        services: Object.keys(environment.services).sort(),
      })),
      producers: scan.producers,
      consumers,
      checks: scan.checks,
      durationMs: Math.round(performance.now() - started),
    },
    findings,
  };
}

/** The environment live drift compares with: `prod`/`production` when present, else `default`. */
export function pickDriftEnvironment(names: string[], requested?: string): { name: string; reason: string } | undefined {
  if (requested) return names.includes(requested) ? { name: requested, reason: 'it was chosen with --environment' } : undefined;
  for (const name of ['prod', 'production']) if (names.includes(name)) return { name, reason: 'it is the production environment' };
  if (names.includes('default')) return { name: 'default', reason: 'there is no prod/production environment' };
  return names[0] ? { name: names[0], reason: 'it is the first environment' } : undefined;
}

/** The queues the code enqueues to (resolved names only). */
export function enqueuedQueues(section: StaticSection): string[] {
  return [...new Set(section.producers.flatMap((producer) => (producer.queue ? [producer.queue] : [])))];
}

export type DriftConfig = NonNullable<LiveOptions['config']>;

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
