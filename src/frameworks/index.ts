import type { LanguageId } from '../languages/language-id.js';
import type { PrefilterNeedles } from '../languages/prefilter.js';
import type { ProducerKind, Backend as ReportBackend } from '../types.js';
import type { FrameworkLive, LanguageRecognizers, QueueFramework } from './framework.js';
import { bullmq } from './bullmq/index.js';
import { celery } from './celery/index.js';
import { djangoRq } from './django-rq/index.js';
import { rqScheduler } from './rq-scheduler/index.js';
import { rq } from './rq/index.js';
import { activejob } from './activejob/index.js';
import { sidekiq } from './sidekiq/index.js';
import type { Backend } from './live.js';

export type { FrameworkLive, FrameworkProject, LiveReadOptions, QueueFramework } from './framework.js';
export { BACKENDS, LIVE_FRAMEWORKS, type Backend } from './live.js';

/**
 * The registry: adding a queue framework is its folder plus one line here. The order is the order of the live
 * stage's readers and of every list made from it (`--backend rq, bullmq, celery, sidekiq or auto`).
 */
export const FRAMEWORKS = [rq, djangoRq, rqScheduler, bullmq, celery, sidekiq, activejob] as const;

/** The ids of the frameworks with a live part here. */
type LiveIds = Extract<(typeof FRAMEWORKS)[number], { live: FrameworkLive }>['id'];

/**
 * The live stage's registry (live.ts: the live parts alone, for the `live` bundle) names exactly these frameworks, and
 * the report's `Backend` (src/types.ts, the JSON contract) exactly these ids: a new live framework fails to compile
 * until both name it.
 */
const LIVE_REGISTRY_NAMES_EVERY_BACKEND: [LiveIds] extends [Backend] ? ([Backend] extends [LiveIds] ? true : never) : never = true;
const CONTRACT_NAMES_EVERY_BACKEND: [Backend] extends [ReportBackend] ? ([ReportBackend] extends [Backend] ? true : never) : never = true;
void LIVE_REGISTRY_NAMES_EVERY_BACKEND;
void CONTRACT_NAMES_EVERY_BACKEND;

/** Every framework's worker programs, in registry order. */
export const FRAMEWORK_PROGRAMS = FRAMEWORKS.flatMap((framework: QueueFramework) => framework.workerPrograms ?? []);

/** The queue variables the frameworks declare (`RQ_QUEUES`), in registry order, each once. */
export const FRAMEWORK_QUEUE_VARIABLES: readonly string[] = [...new Set(FRAMEWORKS.flatMap((framework: QueueFramework) => framework.queueVariables ?? []))];

/** The prefilter needles of a language's frameworks, in registry order: each language's prefilter adds them to its own. */
export function frameworkNeedles(language: LanguageId): PrefilterNeedles[] {
  return FRAMEWORKS.flatMap((framework: QueueFramework) => (framework.language === language && framework.needles ? [framework.needles] : []));
}

/** The recognizers of a language's frameworks with their ids, in registry order: that language's analyzer runs them. */
export function recognizersOf<Language extends LanguageId>(language: Language): { id: string; recognizer: LanguageRecognizers[Language] }[] {
  return FRAMEWORKS.flatMap((framework: QueueFramework) =>
    isOfLanguage(framework, language) && framework.recognizer ? [{ id: framework.id, recognizer: framework.recognizer }] : [],
  );
}

/** An entry declares its language, and its recognizer's type with it (QueueFramework<Id, Language>). */
function isOfLanguage<Language extends LanguageId>(framework: QueueFramework, language: Language): framework is QueueFramework<string, Language> {
  return framework.language === language;
}

/** The methods a framework's recognizer says enqueue on its queue objects (none for a language without the list). */
function enqueueMethodsOf(framework: QueueFramework): ReadonlySet<string> {
  return framework.recognizer && 'enqueueMethods' in framework.recognizer ? (framework.recognizer.enqueueMethods ?? new Set()) : new Set();
}

/** The frameworks whose objects of some kinds are sent only through their own methods (Celery's tasks). */
const SENT_ONLY = FRAMEWORKS.flatMap((framework: QueueFramework) =>
  framework.sentOnlyKinds ? [{ id: framework.id, kinds: framework.sentOnlyKinds, methods: enqueueMethodsOf(framework) }] : [],
);
/** Methods that send only such objects: those of the owner's list no other framework lists (`apply_async`, not `delay`). */
const SENDING_ONLY_THEM = new Set(
  SENT_ONLY.flatMap(({ id, methods }) => [...methods].filter((method) => !FRAMEWORKS.some((other: QueueFramework) => other.id !== id && enqueueMethodsOf(other).has(method)))),
);

/** Whether a queue object of this kind is a producer only where it is sent, never where it is built (a Celery task). */
export function sentOnly(kind: ProducerKind): boolean {
  return SENT_ONLY.some((owner) => owner.kinds.includes(kind));
}

/** Whether an enqueue site calling `via` on a queue object of this kind sends it (`task.apply_async` does, `queue.apply_async` does not). */
export function sendsOn(kind: ProducerKind, via: string | undefined): boolean {
  const owner = SENT_ONLY.find((candidate) => candidate.kinds.includes(kind));
  return owner ? owner.methods.has(via ?? '') : !SENDING_ONLY_THEM.has(via ?? '');
}
