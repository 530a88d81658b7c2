import type { DeploymentEnvironment } from '../model.js';
import { finding } from '../rules.js';
import type { AvailabilityCheck, Consumer, Finding, Location, Producer, RelatedInfo } from '../types.js';

/**
 * The static analysis, pure over data: environments (from any deployment source) + producers + availability
 * checks + consumers → static findings. No I/O: the stage entry (src/static.ts) reads the files.
 */

/** What the analysis needs of an environment: its name, and its files for the hints. */
export type AnalyzedEnvironment = Pick<DeploymentEnvironment, 'name' | 'files'>;

const at = (location: Location | undefined) => (location ? `${location.file}:${location.line}` : undefined);

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
  environment: AnalyzedEnvironment,
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

/** Pure analysis: environments + producers + consumers → static findings (docs/CONTRACT.md §3). */
export function analyzeStatic(
  environments: AnalyzedEnvironment[],
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
