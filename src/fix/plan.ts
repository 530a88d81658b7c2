import { environmentName } from '../wording.js';
import type { DeploymentEnvironment } from '../model.js';
import type { Consumer, Finding, StaticSection } from '../types.js';
import { checkFix } from './code-check.js';
import { unreadWorkers, type UnreadWorker } from '../workers/index.js';
import { QUEUE_EDIT_KINDS } from './kinds.js';
import { isRefusal, type ConsumerTarget, type EditContext, type PlannedFix, type QueuePlace, type Refusal, type SkippedFinding } from './types.js';

export interface PlanInput {
  findings: Finding[];
  section: StaticSection;
  deployment: DeploymentEnvironment[];
  context: EditContext;
}

export interface Plan {
  fixes: PlannedFix[];
  skipped: SkippedFinding[];
}

const names = (items: string[]) => items.map((item) => `\`${item}\``).join(', ');

/** The worker that should take `queue` in the finding's environment, or why there is no single one. */
function chooseConsumer(finding: Finding, consumers: Consumer[], unread: UnreadWorker[]): Consumer | Refusal {
  const queue = finding.queue!;
  const environment = finding.environment!;
  const here = consumers.filter((consumer) => consumer.environment === environment);
  const active = here.filter((consumer) => consumer.active);
  if (active.length === 0) {
    const inactive = here.find((consumer) => consumer.queues.includes(queue)) ?? here[0];
    if (inactive) {
      return {
        refused: `the worker service \`${inactive.service}\` does not run in ${environmentName(environment)} (${inactive.inactiveReason})`,
        decide: `whether \`${inactive.service}\` should run in ${environmentName(environment)} (activate its profile, set replicas) or another worker should consume \`${queue}\``,
      };
    }
    const looksLike = unread.find((worker) => worker.environment === environment);
    if (looksLike) {
      return {
        refused: `service \`${looksLike.service}\` runs \`${looksLike.command}\`, whose queues the doctor cannot read`,
        decide: `whether \`${looksLike.service}\` consumes \`${queue}\`; name its queues where the doctor can read them (its command, or a variable declared with --queue-var)`,
      };
    }
    return { refused: `no worker service runs in ${environmentName(environment)}`, decide: `add a worker service that consumes \`${queue}\`` };
  }
  if (active.length === 1) return active[0]!;
  // Several workers: the one that consumes the queue in another environment is the one that lost it here.
  const elsewhere = active.filter((consumer) =>
    consumers.some((other) => other.service === consumer.service && other.environment !== environment && other.queues.includes(queue)),
  );
  if (elsewhere.length === 1) return elsewhere[0]!;
  return {
    refused: `several worker services run in ${environmentName(environment)} (${names(active.map((consumer) => consumer.service))})`,
    decide: `which of them should consume \`${queue}\``,
  };
}

/** Why a consumer's queues cannot be edited where they are decided (a program's or the code's default). */
function defaultRefusal(consumer: Consumer, queue: string): Refusal | undefined {
  if (consumer.queueSource === 'program-default') {
    return {
      refused: `service \`${consumer.service}\` runs \`${consumer.detectedBy}\` without naming a queue, so it listens to the program's default (${names(consumer.queues)})`,
      decide: `whether to name its queues in the command (${[...consumer.queues, queue].join(' ')})`,
    };
  }
  if (consumer.queueSource === 'code-default') {
    const where = consumer.location ? ` (${consumer.location.file}:${consumer.location.line})` : '';
    return {
      refused: `service \`${consumer.service}\` takes its queues from its worker script's default${where}${consumer.variable ? ` because ${consumer.variable} is not set in ${environmentName(consumer.environment)}` : ''}`,
      decide: `whether to set ${consumer.variable ?? 'the queue variable'} for \`${consumer.service}\` in ${environmentName(consumer.environment)} or to change the code default every such environment uses`,
    };
  }
  return undefined;
}

interface Group {
  place: QueuePlace;
  queues: string[];
  findings: Finding[];
  targets: Set<Consumer>;
}

/** Lines (`file:line`) of the compose files that interpolate `$NAME` / `${NAME…}`. */
function variableReferences(name: string, files: string[], context: EditContext): string[] {
  const pattern = new RegExp(`(?<!\\$)\\$\\{?${name}(?![A-Za-z0-9_])`, 'g');
  const references: string[] = [];
  for (const file of files) {
    const text = context.files.text(file);
    if (typeof text !== 'string') continue;
    text.split('\n').forEach((line, index) => {
      if (pattern.test(line)) references.push(`${file}:${index + 1}`);
      pattern.lastIndex = 0;
    });
  }
  return references;
}

/**
 * Findings → the smallest edits at the places that decide them, or the reason a place is left alone: a place is
 * edited only when every worker it configures (in every environment) is one that needs the queue.
 */
export function planFixes(input: PlanInput): Plan {
  const { section, deployment, context } = input;
  const consumers = section.consumers;
  const unread = unreadWorkers(deployment, consumers);
  const skipped: SkippedFinding[] = [];
  const fixes: PlannedFix[] = [];
  const places = new Map<Consumer, QueuePlace | Refusal>();
  /** The refusals placeOf gives when no kind handles a consumer. */
  const unplaced = new Set<Refusal>();
  const placeOf = (consumer: Consumer): QueuePlace | Refusal => {
    let place = places.get(consumer);
    if (!place) {
      const environment = deployment.find((candidate) => candidate.name === consumer.environment);
      const service = environment?.services.find((candidate) => candidate.name === consumer.service);
      const none: Refusal = { refused: `the place that sets the queues of \`${consumer.service}\` is not one fix can edit`, decide: 'add the queue by hand' };
      if (environment && service) {
        const target: ConsumerTarget = { consumer, service, environment, deployment };
        // A worker whose queues are a project file's default is only edited by a kind that writes that file.
        const kinds = consumer.queueSource === 'code-default' ? QUEUE_EDIT_KINDS.filter((kind) => kind.projectConfig) : QUEUE_EDIT_KINDS;
        for (const kind of kinds) {
          const found = kind.locate(target, context);
          if (found) {
            place = found;
            break;
          }
        }
      }
      place ??= none;
      if (place === none) unplaced.add(place);
      places.set(consumer, place);
    }
    return place;
  };

  const groups = new Map<string, Group>();
  for (const finding of input.findings) {
    if (finding.rule === 'worker-check-mismatch') {
      const planned = checkFix(finding, section, context.files);
      if (isRefusal(planned)) skipped.push({ finding, reason: planned.refused, decide: planned.decide });
      else fixes.push({ description: planned.description, edits: [planned.edit], findings: [finding] });
      continue;
    }
    if (finding.rule !== 'queue-without-worker' || finding.queue === undefined || finding.environment === undefined) continue;
    const chosen = chooseConsumer(finding, consumers, unread);
    if (isRefusal(chosen)) {
      skipped.push({ finding, reason: chosen.refused, decide: chosen.decide });
      continue;
    }
    // A project file's default is edited where a kind writes that file (a sidekiq.yml `:queues:` list), else left alone.
    const configured = chosen.queueSource === 'code-default' ? placeOf(chosen) : undefined;
    const place = (configured && !unplaced.has(configured as Refusal) ? configured : undefined) ?? defaultRefusal(chosen, finding.queue) ?? placeOf(chosen);
    if (isRefusal(place)) {
      skipped.push({ finding, reason: place.refused, decide: place.decide });
      continue;
    }
    let group = groups.get(place.key);
    if (!group) groups.set(place.key, (group = { place, queues: [], findings: [], targets: new Set() }));
    if (!group.queues.includes(finding.queue)) group.queues.push(finding.queue);
    group.findings.push(finding);
    group.targets.add(chosen);
  }

  const composeFiles = [...new Set(deployment.flatMap((environment) => environment.files))];
  for (const group of groups.values()) {
    const skip = (reason: string, decide: string, shared = false) =>
      group.findings.forEach((finding) => skipped.push({ finding, reason, decide, ...(shared ? { shared: true as const } : {}) }));
    const others = consumers.filter((consumer) => !group.targets.has(consumer) && placeOf(consumer) !== undefined && !isRefusal(placeOf(consumer)) && (placeOf(consumer) as QueuePlace).key === group.place.key);
    if (others.length > 0) {
      const other = others[0]!;
      skip(
        `${group.place.where} also sets the queues of service \`${other.service}\` in ${environmentName(other.environment)}, which does not need ${names(group.queues)} there`,
        `whether \`${other.service}\` in ${environmentName(other.environment)} should consume ${names(group.queues)} too; otherwise give each its own setting`,
        true,
      );
      continue;
    }
    if (group.place.variable) {
      const own = new Set([...group.targets].map((consumer) => `${consumer.location?.file}:${consumer.location?.line}`));
      const elsewhere = variableReferences(group.place.variable, composeFiles, context).filter((reference) => !own.has(reference));
      if (elsewhere.length > 0) {
        skip(
          `\`${group.place.variable}\` is also used at ${elsewhere.join(', ')}`,
          `whether every use of \`${group.place.variable}\` should get ${names(group.queues)}; otherwise give the worker its own variable`,
          true,
        );
        continue;
      }
    }
    const edit = group.place.add(group.queues);
    if (isRefusal(edit)) {
      skip(edit.refused, edit.decide);
      continue;
    }
    const services = [...new Set([...group.targets].map((consumer) => consumer.service))];
    const environments = [...new Set(group.findings.map((finding) => finding.environment!))];
    fixes.push({
      description: `Add ${names(group.queues)} to ${group.place.where} (service ${names(services)}, ${environments.length > 1 ? 'environments' : 'environment'} ${names(environments)}).`,
      where: group.place.where,
      edits: [edit],
      findings: group.findings,
    });
  }
  return { fixes, skipped };
}
