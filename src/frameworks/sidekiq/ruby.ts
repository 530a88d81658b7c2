import { UNKNOWN, type RawProducer } from '../../languages/facts.js';
import type { RubyCall, RubyCallIndex, RubyClass, RubyRecognizer } from '../../languages/ruby/calls.js';
import { hashValue, readValue, type RubyValue } from '../../languages/ruby/values.js';
import { readSidekiqRedisConfigs } from './initializer.js';

/**
 * Sidekiq (6.x/7.x), as the Ruby analyzer recognises it: a class that includes one of these modules is a job
 * (`Sidekiq::Job` is 6.3+'s name for `Sidekiq::Worker`, sidekiq/lib/sidekiq/worker.rb); its queue is
 * `sidekiq_options queue:`, else `default` (Sidekiq::DEFAULT_WORKER_OPTIONS in lib/sidekiq.rb). Producer kinds:
 * `sidekiq-job` (through a job class) and `sidekiq-client` (`Sidekiq::Client.push/enqueue_to` naming the queue).
 */
export const SIDEKIQ_JOB_MODULES = new Set(['Sidekiq::Job', 'Sidekiq::Worker']);

/** Class methods that enqueue a job class (Sidekiq::Worker::ClassMethods and the `set(…)` Setter). */
export const SIDEKIQ_ENQUEUE_METHODS = new Set(['perform_async', 'perform_in', 'perform_at', 'perform_bulk']);

/** `Sidekiq::Client` class methods that enqueue (lib/sidekiq/client.rb). */
export const SIDEKIQ_CLIENT_METHODS = new Set(['push', 'push_bulk', 'enqueue', 'enqueue_to', 'enqueue_in', 'enqueue_to_in']);

/** Whether a class body includes Sidekiq's job module, and its last `sidekiq_options queue:`. */
function sidekiqJob(klass: RubyClass, index: RubyCallIndex): { queue?: RubyValue } | undefined {
  let job = false;
  let queue: RubyValue | undefined;
  for (const { word, at } of klass.statements) {
    if (word !== 'include' && word !== 'sidekiq_options') continue;
    const { from, to } = index.statementArguments(at);
    if (word === 'include') {
      const module = index.constantAt(from);
      if (module && SIDEKIQ_JOB_MODULES.has(module)) job = true;
    } else if (word === 'sidekiq_options') queue = hashValue(index.tokens, from, to, 'queue') ?? queue;
  }
  return job ? (queue ? { queue } : {}) : undefined;
}

/** `Sidekiq::Client.push/push_bulk/enqueue*`: the queue the item or the method names, or the class it enqueues. */
function clientProducer(call: RubyCall, index: RubyCallIndex): RawProducer | undefined {
  const { method, position } = call;
  const args = index.callArguments(call);
  if (!args || index.receiverOf(call) !== 'Sidekiq::Client') return undefined;
  const tokens = index.tokens;
  const scope = call.scope ? { scope: call.scope } : {};
  const throughClass = (klass: string): RawProducer => ({ kind: 'sidekiq-job', queue: UNKNOWN, expression: klass, position, via: method, receiver: klass, ...scope });
  if (method === 'push' || method === 'push_bulk') {
    const queue = hashValue(tokens, args.from, args.to, 'queue', true);
    const klass = hashValue(tokens, args.from, args.to, 'class', true);
    if (!queue && klass?.value.kind === 'ref') return throughClass(klass.value.name);
    // Sidekiq::Client#normalize_item: an item without 'queue' (and no class options) goes to `default`.
    const value = queue ?? { value: { kind: 'literal' as const, value: 'default' }, expression: 'default', end: args.from };
    return { kind: 'sidekiq-client', queue: value.value, expression: value.expression, position, via: method, ...scope };
  }
  if (method === 'enqueue_to' || method === 'enqueue_to_in') {
    const first = readValue(tokens, args.from);
    return { kind: 'sidekiq-client', queue: first.value, expression: first.expression, position, via: method, ...scope };
  }
  // `enqueue(Klass, …)`, `enqueue_in(interval, Klass, …)`: the class's queue.
  const klassAt = method === 'enqueue' ? args.from : index.nextArgument(args.from, args.to);
  const klass = klassAt === undefined ? undefined : index.constantAt(klassAt);
  return klass ? throughClass(klass) : undefined;
}

export const sidekiqRuby: RubyRecognizer = {
  classStatements: ['include', 'sidekiq_options'],
  jobClass(klass, index) {
    const job = sidekiqJob(klass, index);
    if (!job) return undefined;
    return { kind: 'sidekiq-job', queue: job.queue?.value ?? { kind: 'literal', value: 'default' }, expression: job.queue?.expression ?? klass.name };
  },
  methods: new Set([...SIDEKIQ_ENQUEUE_METHODS, ...SIDEKIQ_CLIENT_METHODS]),
  producer(call, index) {
    if (SIDEKIQ_CLIENT_METHODS.has(call.method)) return clientProducer(call, index);
    return index.classMethodProducer(call, 'sidekiq-job');
  },
  // A Rails initializer's `Sidekiq.configure_server/client { |c| c.redis = {…} }` (connection-mismatch).
  moduleData(index) {
    const redis = readSidekiqRedisConfigs(index.tokens);
    return redis.length ? { redis } : undefined;
  },
};
