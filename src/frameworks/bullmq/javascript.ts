import { UNKNOWN, matchingOpenBracket, type RawProducer, type RawQueueObject, type ValueExpr } from '../../languages/facts.js';
import { classOf, scopeOf, type JsCallIndex, type JsConsumer, type JsModuleOutput, type JsRecognizer, type JsSite } from '../../languages/javascript/calls.js';
import { evaluateJs, objectProperty, propertyEnd, splitArgs } from '../../languages/javascript/evaluate.js';
import { innermostBinding } from '../../languages/scopes.js';

/**
 * BullMQ (and Bull, BullMQ Pro), as the JS/TS analyzer recognises it: `new Queue(...)` with `Queue` imported from
 * one of these modules (producer kind `bullmq-queue`), and `FlowProducer.add/addBulk` children's `queueName`
 * (`bullmq-flow`). `new Worker(...)` is consumer-side: worker scripts are read for it.
 */
export const BULLMQ_MODULE = /^(?:bullmq|bull|@taskforcesh\/bullmq-pro)$/;

/**
 * Methods that enqueue on a BullMQ `Queue`: jobs (`add`, also repeatable ones with `{ repeat }`), bulk adds, and job
 * schedulers (`upsertJobScheduler`). `add`/`addBulk` on a `FlowProducer` are read for their children instead.
 */
export const ENQUEUE_METHODS = new Set(['add', 'addBulk', 'upsertJobScheduler']);

type NewSite = Extract<JsSite, { type: 'new' }>;
type CallSite = Extract<JsSite, { type: 'call' }>;

const CLASS_DEFINITION = { Queue: /\bclass\s+Queue\b/, Worker: /\bclass\s+Worker\b/ };
/** Per module and class name, whether a `new <className>(` the module does not import is BullMQ's (one search each). */
const unboundAnswers = new WeakMap<JsCallIndex, Map<string, boolean>>();

function unboundIsBullmq(index: JsCallIndex, className: 'Queue' | 'Worker'): boolean {
  let answers = unboundAnswers.get(index);
  if (!answers) unboundAnswers.set(index, (answers = new Map()));
  let answer = answers.get(className);
  if (answer === undefined) answers.set(className, (answer = index.source.includes('bullmq') && !CLASS_DEFINITION[className].test(index.source)));
  return answer;
}

/**
 * Whether `new …(` at `site` builds BullMQ's `className` (`Queue`, `Worker`): the constructor is that name imported
 * from a BullMQ module (`new Queue(`), or a namespace imported from one (`new bullmq.Worker(`). A name not imported
 * (a dynamic import, a namespace on a variable) is BullMQ's when the file uses bullmq at all and defines no class of
 * that name. BullMQ's recognizer and its `consumers` (what the worker-script reader asks) both decide with this.
 */
export function isBullmqClass(index: JsCallIndex, site: NewSite, className: 'Queue' | 'Worker'): boolean {
  const { tokens, bindings } = index;
  if (tokens[site.calleeEnd]!.value !== className) return false;
  if (site.calleeEnd === site.calleeStart) {
    const binding = bindings.get(className);
    if (binding?.kind === 'import') return binding.name === className && BULLMQ_MODULE.test(binding.module);
    if (binding) return false;
    return unboundIsBullmq(index, className);
  }
  const namespace = bindings.get(tokens[site.calleeStart]!.value);
  return namespace?.kind === 'import' && BULLMQ_MODULE.test(namespace.module);
}

/** An enqueue call whose receiver is resolved once the whole module is read (a field may be declared after its use). */
interface PendingSite {
  parts: string[];
  /** `getQueue().add(...)`: the receiver is a call to a factory. */
  factoryCall: boolean;
  /** `new Queue(...).add(...)`: the object built right there. */
  object?: number;
  scope: string | undefined;
  className: string | undefined;
  via: string;
  position: { line: number; column: number };
}

/** BullMQ's recognizer: its queue objects, enqueue sites, flow children and workers. */
export const bullmqJavascript: JsRecognizer = { recognize: recognizeBullmq, consumers: workerQueues };

/** `new Worker(queue, processor, …)`: the queue each BullMQ worker a script constructs consumes. */
function workerQueues(index: JsCallIndex): JsConsumer[] {
  const consumers: JsConsumer[] = [];
  for (const site of index.sites) {
    if (site.type !== 'new' || !isBullmqClass(index, site, 'Worker')) continue;
    const [queue, processor] = splitArgs(index.tokens, site.open, site.close);
    if (queue && processor) consumers.push({ queue: evaluateJs(index.tokens, queue[0], queue[1]), at: site.at });
  }
  return consumers;
}

/**
 * Reads BullMQ's constructions and calls from a module's call index, in source order (a local named before a
 * construction, a FlowProducer before its `.add`), then resolves the enqueue sites' receivers.
 */
function recognizeBullmq(index: JsCallIndex, output: JsModuleOutput): void {
  const { tokens, bindings } = index;
  const value = (at: number) => tokens[at]?.value;
  const { producers, queues, workers } = output;
  const flowNames = new Set<string>();
  /** Locals (`scope\0name`) and class fields (`Class\0.field`) → queue object, -1 when not one single queue object. */
  const named = new Map<string, number>();
  const nameLocal = (key: string, id: number) => named.set(key, named.has(key) ? -1 : id);
  const pending: PendingSite[] = [];
  const objectAtOpen = new Map<number, number>(); // `new Queue(` open paren → object
  const localDeclarations = new Map<string, number>(); // how often each local is declared

  const bindModule = (name: string, id: number, factory: boolean): void => {
    const existing = bindings.get(name);
    if (existing?.kind === 'queue' || (existing && !(existing.kind === 'value' && existing.value.kind === 'unknown'))) {
      bindings.set(name, { kind: 'value', value: UNKNOWN });
      return;
    }
    bindings.set(name, { kind: 'queue', object: id, factory });
  };

  /** Names the queue object built by `site` is bound to, when it is the whole value. */
  const bindObject = (site: NewSite, id: number): void => {
    const { at: newIndex, close } = site;
    const after = value(close + 1);
    const ends = after === undefined || after === ';' || after === ',' || after === '}' || after === ')' || tokens[close + 1]!.type !== 'op';
    if (!ends) return;
    const before = value(newIndex - 1);
    const current = scopeOf(site.block);
    if (before === 'return' && site.depth === 1 && current) {
      // `function receiptsQueue() { return new Queue(...) }`: a factory.
      bindModule(current, id, true);
      return;
    }
    if (before === '=>' && site.depth === 0) {
      // `export const receiptsQueue = () => new Queue(...)`
      let k = newIndex - 2;
      if (value(k) === ')') k = matchingOpenBracket(tokens, k) - 1;
      else k--;
      if (value(k) === 'async') k--;
      if (value(k) === '=' && tokens[k - 1]?.type === 'name') bindModule(value(k - 1)!, id, true);
      return;
    }
    if (before !== '=') return;
    const target = tokens[newIndex - 2];
    // `const q: Queue<Job> = new Queue(...)`: the name before the annotation is not read.
    if (target?.type !== 'name') return;
    if (value(newIndex - 3) === '.' && value(newIndex - 4) === 'this') {
      const owner = classOf(site.block);
      if (owner !== undefined) nameLocal(`${owner}\0.${target.value}`, id);
      return;
    }
    if (value(newIndex - 3) === '.') return;
    if (site.depth === 0) bindModule(target.value, id, false);
    else if (site.block?.isClass && site.block.depth === site.depth) nameLocal(`${classOf(site.block)}\0.${target.value}`, id);
    else {
      // A local: the queue object when this is its one declaration (`const q = new Queue(...)`).
      const key = `${current}\0${target.value}`;
      named.set(key, localDeclarations.get(key) === 1 && named.get(key) === -1 ? id : -1);
    }
  };

  const onNew = (site: NewSite): void => {
    const { at, open, close } = site;
    const name = value(site.calleeEnd);
    if (name === 'FlowProducer') {
      // `const flow = new FlowProducer(...)` / `this.flow = new FlowProducer(...)`
      if (value(at - 1) === '=' && tokens[at - 2]?.type === 'name') flowNames.add(value(at - 2)!);
      return;
    }
    if (isBullmqClass(index, site, 'Worker')) {
      // `new Worker(name, processor, { connection, prefix })`: the consumer side's prefix (connection-mismatch).
      const options = splitArgs(tokens, open, close)[2];
      const prefix = options && value(options[0]) === '{' ? objectProperty(tokens, options[0], 'prefix') : undefined;
      workers.push(prefix ? { prefix } : {});
      return;
    }
    if (!isBullmqClass(index, site, 'Queue')) return;
    const [first, options] = splitArgs(tokens, open, close);
    const object: RawQueueObject = {
      kind: 'bullmq-queue',
      queue: first ? evaluateJs(tokens, first[0], first[1]) : UNKNOWN,
      expression: first ? index.textOf(first[0], first[1]) : '',
      position: index.position(at),
    };
    const current = scopeOf(site.block);
    if (current) object.scope = current;
    const prefix = options && value(options[0]) === '{' ? objectProperty(tokens, options[0], 'prefix') : undefined;
    if (prefix) object.connection = { prefix };
    queues.push(object);
    const id = queues.length - 1;
    objectAtOpen.set(open, id);
    bindObject(site, id);
  };

  /** Every `queueName:` in a FlowProducer.add/addBulk argument (the parent and its children at any depth). */
  const flowChildren = (site: CallSite): void => {
    for (let k = site.open + 1; k < site.close; k++) {
      if (value(k) !== 'queueName' || tokens[k]!.type !== 'name') continue;
      let queue: ValueExpr;
      let expression: string;
      if (value(k + 1) === ':') {
        const end = propertyEnd(tokens, k + 2);
        queue = evaluateJs(tokens, k + 2, end);
        expression = index.textOf(k + 2, end);
      } else if (value(k + 1) === ',' || value(k + 1) === '}') {
        queue = { kind: 'ref', name: 'queueName' };
        expression = 'queueName';
      } else continue;
      const producer: RawProducer = { kind: 'bullmq-flow', queue, expression, position: index.position(k) };
      const current = scopeOf(site.block);
      if (current) producer.scope = current;
      producers.push(producer);
    }
  };

  /** `queue.add(...)`, `this.queue.add(...)`, `getQueue().add(...)`, `new Queue(...).add(...)`: resolved at the end. */
  const enqueueSite = (site: CallSite, via: string): void => {
    const { calleeStart, open } = site;
    const receiverEnd = open - 3;
    const pendingSite: PendingSite = {
      parts: [],
      factoryCall: false,
      scope: scopeOf(site.block),
      className: classOf(site.block),
      via,
      position: index.position(calleeStart),
    };
    if (value(receiverEnd) === ')') {
      const receiverOpen = matchingOpenBracket(tokens, receiverEnd);
      const object = objectAtOpen.get(receiverOpen);
      if (object !== undefined) pendingSite.object = object;
      else if (tokens[receiverOpen - 1]?.type === 'name' && value(receiverOpen - 2) !== '.' && value(receiverOpen - 2) !== 'new') {
        pendingSite.parts = [value(receiverOpen - 1)!];
        pendingSite.factoryCall = true;
      } else return;
    } else {
      for (let k = receiverEnd; k >= calleeStart; k -= 2) {
        if (tokens[k]?.type !== 'name') return;
        pendingSite.parts.unshift(value(k)!);
        if (k === calleeStart) break;
        if (value(k - 1) !== '.' && value(k - 1) !== '?.') return;
      }
      if (pendingSite.parts.length === 0 || pendingSite.parts.length > 2) return;
    }
    pending.push(pendingSite);
  };

  const onCall = (site: CallSite): void => {
    const { calleeStart, open } = site;
    const callee = value(open - 1)!;
    if (calleeStart >= open - 1) return;
    if (callee === 'add' || callee === 'addBulk') {
      const receiverEnd = open - 3; // token before `.add`
      const isFlow = flowNames.has(value(receiverEnd)!) || (value(receiverEnd) === ')' && value(matchingOpenBracket(tokens, receiverEnd) - 1) === 'FlowProducer');
      if (isFlow) {
        flowChildren(site);
        return;
      }
    }
    if (ENQUEUE_METHODS.has(callee) && (value(open - 2) === '.' || value(open - 2) === '?.')) enqueueSite(site, callee);
  };

  for (const site of index.sites) {
    if (site.type === 'new') onNew(site);
    else if (site.type === 'call') onCall(site);
    else {
      localDeclarations.set(site.key, (localDeclarations.get(site.key) ?? 0) + 1);
      named.set(site.key, -1);
    }
  }

  // The enqueue sites, now that every local, field and top-level binding is known.
  for (const site of pending) {
    const producer: RawProducer = { kind: 'bullmq-queue', queue: UNKNOWN, expression: '', position: site.position, via: site.via };
    if (site.scope) producer.scope = site.scope;
    if (site.object !== undefined) producer.object = site.object;
    else if (site.factoryCall) {
      producer.receiver = site.parts[0]!;
      producer.factoryCall = true;
    } else if (site.parts.length === 2) {
      if (site.parts[0] !== 'this' || site.className === undefined) continue;
      const found = named.get(`${site.className}\0.${site.parts[1]}`);
      if (typeof found !== 'number' || found < 0) continue;
      producer.object = found;
    } else {
      const found = innermostBinding(named, site.scope, site.parts[0]!);
      if (found === -1) continue;
      if (typeof found === 'number') producer.object = found;
      else producer.receiver = site.parts[0]!;
    }
    producers.push(producer);
  }
}
