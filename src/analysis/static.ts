import { environmentName } from '../wording.js';
import type { DeploymentEnvironment } from '../model.js';
import { finding } from '../finding.js';
import type { AvailabilityCheck, Consumer, Finding, Location, Producer, RelatedInfo } from '../types.js';
import { producerQueues, producerQueuesIn } from './producer-environments.js';
import type { UnreadWorker } from '../workers/index.js';
import { byCodeUnits } from '../order.js';

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
    message: `Service \`${consumer.service}\` in ${environmentName(consumer.environment)} listens to ${queues}${state}.`,
  };
  const location = consumer.location ?? consumer.serviceLocation;
  if (location) Object.assign(related, { file: location.file, line: location.line });
  return related;
}

/** What a person reads about a service the doctor cannot read as a worker. */
const unreadFact = (worker: UnreadWorker) => `Service \`${worker.service}\` runs \`${worker.command}\`, which the doctor cannot read as a worker (no worker program with its queues found in it).`;

/** How to make an unread worker's queues readable, so the next run can judge it. */
const declareQueuesHint = (queue: string, worker: UnreadWorker) =>
  `If service \`${worker.service}\` consumes \`${queue}\`, make its queues readable at ${at(worker.location)}: name them in the worker command it runs, or, if it reads them from a variable of its environment, declare that variable with --queue-var NAME (config \`queueVariables\`).`;

function queueWithoutWorker(
  queue: string,
  sites: Producer[],
  environment: AnalyzedEnvironment,
  consumers: Consumer[],
  unread: UnreadWorker[] = [],
): Finding {
  // An enqueue site first: a queue object only built (for `fetch_job`, `Job.fetch`) is where nothing is enqueued.
  const [first, ...others] = [...sites.filter((site) => site.via !== undefined), ...sites.filter((site) => site.via === undefined)];
  const inEnvironment = consumers.filter((consumer) => consumer.environment === environment.name);
  const activeWorkers = inEnvironment.filter((consumer) => consumer.active);
  const inactive = inEnvironment.filter((consumer) => !consumer.active && consumer.queues.includes(queue));
  let hint: string;
  // The config line a person changes: the worker the hint names (its queue list, or the service that does not run).
  let change: RelatedInfo;
  // Several Celery apps: the worker to change is one that loads the app the task is sent through.
  const sameApp = first!.celeryApp !== undefined ? activeWorkers.find((consumer) => consumer.celeryApp === first!.celeryApp) : undefined;
  if (activeWorkers.length > 0) {
    const worker = sameApp ?? activeWorkers[0]!;
    hint = addQueueHint(queue, worker);
    change = describeConsumer(worker);
  } else if (inactive.length > 0) {
    hint = `Make service \`${inactive[0]!.service}\` run in ${environmentName(environment.name)} (${inactive[0]!.inactiveReason}).`;
    change = describeConsumer(inactive[0]!);
  } else if (unread.length > 0) {
    hint = declareQueuesHint(queue, unread[0]!);
    change = { message: unreadFact(unread[0]!), file: unread[0]!.location.file, line: unread[0]!.location.line };
  } else {
    hint = `Add a worker service that listens to \`${queue}\` to ${environment.files.join(' + ')}.`;
    change = { message: `No service in ${environmentName(environment.name)} consumes \`${queue}\`.` };
    const file = environment.files.at(-1);
    if (file) change.file = file;
  }
  change.change = hint;
  const related: RelatedInfo[] = [change];
  for (const consumer of [...activeWorkers, ...inactive]) {
    const described = describeConsumer(consumer);
    if (described.message !== change.message) related.push(described);
  }
  for (const worker of unread) {
    const fact = unreadFact(worker);
    if (fact !== change.message) related.push({ message: fact, file: worker.location.file, line: worker.location.line });
  }
  if (first!.construction) {
    related.push({ message: `The queue object is built here.`, file: first!.construction.file, line: first!.construction.line });
  }
  if (first!.celeryApp !== undefined && first!.routedAt) {
    const by = first!.routedBy === 'route' ? 'task_routes' : 'default queue';
    related.push({ message: `Celery app \`${first!.celeryApp}\` sends \`${first!.task ?? 'the task'}\` to \`${queue}\` (its ${by}).`, file: first!.routedAt.file, line: first!.routedAt.line });
  }
  for (const site of others) {
    related.push({ message: `\`${queue}\` is also enqueued to here.`, file: site.location.file, line: site.location.line });
  }
  const variable = first!.env ? environmentNameNote(first!, environment.name) : undefined;
  if (variable) related.push(variable);
  return finding('queue-without-worker', {
    message: `Queue \`${queue}\` is enqueued to but no worker in ${environmentName(environment.name)} consumes it.`,
    hint,
    queue,
    environment: environment.name,
    location: first!.location,
    related,
  });
}

/** Where an environment-read queue name got its value in this environment. */
function environmentNameNote(producer: Producer, environment: string): RelatedInfo | undefined {
  const entry = producer.environments?.find((candidate) => candidate.environment === environment);
  if (!entry || !producer.env) return undefined;
  if (entry.source === 'code-default') {
    return { message: `\`${producer.env.variable}\` is not set for the services that run this code in ${environmentName(environment)}, so the code default applies.` };
  }
  const related: RelatedInfo = {
    message: `\`${producer.env.variable}\` is \`${entry.queue}\` for service(s) ${(entry.services ?? []).map((name) => `\`${name}\``).join(', ')} in ${environmentName(environment)}.`,
  };
  if (entry.location) Object.assign(related, { file: entry.location.file, line: entry.location.line });
  return related;
}

/** A scope checks queue A but enqueues only to other queues: the incident's "potential mismatch". */
function checkMismatches(checks: AvailabilityCheck[], producers: Producer[]): Finding[] {
  const key = (file: string, scope: string | undefined) => `${file}\0${scope ?? ''}`;
  const enqueued = new Map<string, Producer[]>();
  for (const producer of producers) {
    if (producerQueues(producer).length === 0) continue;
    const k = key(producer.location.file, producer.scope);
    enqueued.set(k, [...(enqueued.get(k) ?? []), producer]);
  }
  const findings: Finding[] = [];
  for (const check of checks) {
    const sites = enqueued.get(key(check.location.file, check.scope)) ?? [];
    const queues = [...new Set(sites.flatMap(producerQueues))];
    if (queues.length === 0 || queues.includes(check.queue)) continue;
    const where = check.scope ? `\`${check.scope}\`` : `module \`${check.location.file}\``;
    findings.push(
      finding('worker-check-mismatch', {
        message: `${where} checks for a worker on \`${check.queue}\` but enqueues to ${queues.map((q) => `\`${q}\``).join(', ')}.`,
        hint: `Make \`${check.callee}\` ask about the queue the code enqueues to (${queues.map((q) => `\`${q}\``).join(', ')}), or enqueue to \`${check.queue}\`.`,
        queue: check.queue,
        location: check.location,
        related: sites.map((site) => ({
          message: `Enqueues to ${producerQueues(site).map((q) => `\`${q}\``).join(' or ')} here.`,
          file: site.location.file,
          line: site.location.line,
        })),
      }),
    );
  }
  return findings;
}

/** What the static analysis knows besides the deployment and the code. */
export interface StaticAnalysisOptions {
  /** Queues declared with --queue (or the config's `queues`): enqueued to by code the scan cannot see. */
  declaredQueues?: string[];
  /** The frameworks' findings about their own configuration (Celery's ignored settings), from the scan's project steps. */
  configurationFindings?: Finding[];
  /** Where the scan looked for code (for `static-no-producers`): the source files it found. */
  scanned?: { files: number };
  /** Services that look like workers but whose queues the doctor cannot read. */
  unreadWorkers?: UnreadWorker[];
}

/** Pure analysis: environments + producers + consumers → static findings (docs/CONTRACT.md §3). */
export function analyzeStatic(
  environments: AnalyzedEnvironment[],
  producers: Producer[],
  checks: AvailabilityCheck[],
  consumers: Consumer[],
  options: StaticAnalysisOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const producer of producers) {
    const unresolved = producer.env
      ? environments.length === 0
        ? producer.queue === null
        : environments.some((environment) => producerQueuesIn(producer, environment.name).includes(null))
      : producer.queue === null;
    if (!unresolved) continue;
    findings.push(
      finding('producer-unresolved', {
        message: producer.env
          ? `The queue name of this enqueue site is read from \`${producer.env.variable}\`, which has no code default and is not set for the services that run it.`
          : `The queue name \`${producer.expression ?? '?'}\` of this enqueue site could not be resolved statically.`,
        hint: producer.env
          ? `Set \`${producer.env.variable}\` in the environment of the services that run this code, or give it a default in the code.`
          : 'Use a string literal or a module-level constant for the queue name, or declare the queue with --queue.',
        location: producer.location,
      }),
    );
  }

  // Per environment: queue → its enqueue sites (a name read from the environment may differ per environment).
  const producedIn = new Map<string, Map<string, Producer[]>>();
  for (const environment of environments) {
    const produced = new Map<string, Producer[]>();
    for (const producer of producers) {
      for (const queue of producerQueuesIn(producer, environment.name)) {
        if (queue === null) continue;
        const sites = produced.get(queue) ?? [];
        if (!sites.includes(producer)) sites.push(producer);
        produced.set(queue, sites);
      }
    }
    producedIn.set(environment.name, produced);
  }
  const declared = [...new Set(options.declaredQueues ?? [])];
  const queues = new Set<string>(declared);
  for (const produced of producedIn.values()) for (const queue of produced.keys()) queues.add(queue);

  for (const queue of [...queues].sort((a, b) => byCodeUnits(a, b))) {
    for (const environment of environments) {
      const sites = producedIn.get(environment.name)?.get(queue);
      if (!sites && !declared.includes(queue)) continue;
      const served = consumers.some(
        (consumer) => consumer.environment === environment.name && consumer.active && consumer.queues.includes(queue),
      );
      if (served) continue;
      const unread = (options.unreadWorkers ?? []).filter((worker) => worker.environment === environment.name);
      if (sites) findings.push(queueWithoutWorker(queue, sites, environment, consumers, unread));
      else findings.push(declaredWithoutWorker(queue, environment, consumers, unread));
    }
  }

  findings.push(...checkMismatches(checks, producers));
  const nothingToJudge = consumers.length > 0 && producers.length === 0 && declared.length === 0;
  if (nothingToJudge) findings.push(noProducers(consumers, options.scanned?.files ?? 0));

  findings.push(...(options.configurationFindings ?? []));

  for (const consumer of consumers) {
    const base = { environment: consumer.environment, service: consumer.service };
    const location = consumer.location ?? consumer.serviceLocation;
    if (!consumer.active) {
      findings.push(
        finding('worker-inactive', {
          ...base,
          message: `Worker service \`${consumer.service}\` does not run in ${environmentName(consumer.environment)}: ${consumer.inactiveReason}.`,
          hint: consumer.inactiveReason?.includes('profile')
            ? `Activate the profile with --profile (or COMPOSE_PROFILES) when deploying ${environmentName(consumer.environment)}, or remove \`profiles\` from service \`${consumer.service}\`.`
            : `Set a positive replica count for service \`${consumer.service}\` in ${environmentName(consumer.environment)}.`,
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
          message: `${consumer.variable ?? 'The queue variable'} of service \`${consumer.service}\` interpolates \`${variable}\`, which is unset in ${environmentName(consumer.environment)} and has no default.`,
          hint: `Set \`${variable}\` in .env (or pass --env-file/--var), or give it a default: \${${variable}:-default}.`,
          ...(location ? { location } : {}),
        }),
      );
    }
    if (consumer.queues.length === 0 && consumer.variable) {
      findings.push(
        finding('queue-var-empty', {
          ...base,
          message: `${consumer.variable} of service \`${consumer.service}\` is empty in ${environmentName(consumer.environment)}, so the worker listens to no queue.`,
          hint: `Set ${consumer.variable} to the queues the worker must consume${location ? ` in ${at(location)}` : ''}.`,
          ...(location ? { location } : {}),
        }),
      );
    }
    // With no enqueue site at all, each queue "nothing enqueues to" says nothing: static-no-producers says why.
    for (const queue of nothingToJudge ? [] : consumer.queues) {
      if (producedIn.get(consumer.environment)?.has(queue) || declared.includes(queue)) continue;
      findings.push(
        finding('worker-queue-unused', {
          ...base,
          queue,
          message: `Service \`${consumer.service}\` in ${environmentName(consumer.environment)} listens to \`${queue}\`, which nothing enqueues to.`,
          hint: `Remove \`${queue}\` from the worker's queues if it is not needed.`,
          ...(location ? { location } : {}),
        }),
      );
    }
  }
  return findings;
}

/**
 * Workers but no enqueue site: a deployment repository whose images are built elsewhere, or a project dir that holds
 * the deployment files but not the code. Not OK: the doctor saw nothing to check the workers against.
 */
function noProducers(consumers: Consumer[], files: number): Finding {
  const workers = [...new Set(consumers.map((consumer) => `\`${consumer.service}\``))];
  const looked = files === 0 ? 'the project dir holds no Python or TypeScript/JavaScript source file' : `none of the ${files} source file${files === 1 ? '' : 's'} of the project dir enqueues to a queue`;
  const first = consumers[0]!;
  const location = first.serviceLocation ?? first.location;
  return finding('static-no-producers', {
    message: `Worker service${workers.length === 1 ? '' : 's'} ${workers.join(', ')} found, but ${looked} (tests and ignored files are not scanned), so no queue could be checked.`,
    hint: 'Run the doctor on the directory that holds both the code and the deployment files (pass --include-tests if the enqueue sites are in tests), or declare the queues the code enqueues to with --queue (config `queues`).',
    ...(location ? { location } : {}),
  });
}

/** A queue declared with --queue that no worker consumes: the finding has no enqueue site, only the config line. */
function declaredWithoutWorker(queue: string, environment: AnalyzedEnvironment, consumers: Consumer[], unread: UnreadWorker[]): Finding {
  const base = queueWithoutWorker(queue, [{ queue, kind: 'rq-queue', location: { file: '', line: 0 } }], environment, consumers, unread);
  const { location: _none, ...rest } = base;
  return { ...rest, message: `Queue \`${queue}\` (declared with --queue) is consumed by no worker in ${environmentName(environment.name)}.` };
}
