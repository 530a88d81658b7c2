import { UNKNOWN, type RawProducer } from '../../languages/facts.js';
import type { RubyClass, RubyCallIndex, RubyRecognizer } from '../../languages/ruby/calls.js';
import { hashValue, readValue, type RubyValue } from '../../languages/ruby/values.js';

/**
 * ActiveJob and ActionMailer (Rails), as the Ruby analyzer recognises them. A job class (a subclass of
 * `ApplicationJob`/`ActiveJob::Base`, or any class calling `queue_as`) has the queue `queue_as` gives, prefixed as
 * `ActiveJob::QueueName.queue_name_from_part` does (activejob/lib/active_job/queue_name.rb); `deliver_later`
 * enqueues ActionMailer's delivery job to `deliver_later_queue_name` (actionmailer/lib/action_mailer/
 * mail_delivery_job.rb: `queue_as { ActionMailer::Base.deliver_later_queue_name }`). The Rails configuration that
 * completes both names is read by rails-config.ts (activejob's project step).
 */
export const ACTIVEJOB_SUPERCLASSES = new Set(['ApplicationJob', 'ActiveJob::Base']);

/** Class methods that enqueue an ActiveJob class. */
export const ACTIVEJOB_ENQUEUE_METHODS = new Set(['perform_later']);

/** ActionMailer::MessageDelivery's methods that enqueue the delivery job. */
export const MAILER_DELIVER_METHODS = new Set(['deliver_later', 'deliver_later!']);

/**
 * Placeholders the analyzer gives before the Rails configuration is read (they never leave the scan: rails-config.ts
 * replaces them): a job class without `queue_as` (→ `default_queue_name`), a `deliver_later` without `queue:`
 * (→ `deliver_later_queue_name`). NUL cannot appear in a queue name read from the source.
 */
export const ACTIVEJOB_DEFAULT_QUEUE = '\u0000default_queue_name';
export const MAILER_DEFAULT_QUEUE = '\u0000deliver_later_queue_name';

/** The class body's last `queue_as`: a name, a block (chosen per job at run time), or none given (the default). */
function queueAs(klass: RubyClass, index: RubyCallIndex): RubyValue | undefined {
  let given: RubyValue | undefined;
  for (const { word, at } of klass.statements) {
    if (word !== 'queue_as') continue;
    const { from, to } = index.statementArguments(at);
    const block = index.tokens[from]?.value === 'do' || index.tokens[from]?.value === '{';
    if (block) given = { value: UNKNOWN, end: from, expression: 'queue_as { … }' };
    else if (from >= to) given = { value: { kind: 'literal', value: ACTIVEJOB_DEFAULT_QUEUE }, end: from, expression: 'queue_as' };
    else given = readValue(index.tokens, from);
  }
  return given;
}

export const activejobRuby: RubyRecognizer = {
  classStatements: ['queue_as'],
  baseClasses: ACTIVEJOB_SUPERCLASSES,
  jobClass(klass, index) {
    const given = queueAs(klass, index);
    if (given === undefined && !(klass.superclass !== undefined && ACTIVEJOB_SUPERCLASSES.has(klass.superclass))) return undefined;
    return { kind: 'activejob-job', queue: given?.value ?? { kind: 'literal', value: ACTIVEJOB_DEFAULT_QUEUE }, expression: given?.expression ?? klass.name };
  },
  methods: new Set([...ACTIVEJOB_ENQUEUE_METHODS, ...MAILER_DELIVER_METHODS]),
  producer(call, index): RawProducer | undefined {
    const scope = call.scope ? { scope: call.scope } : {};
    if (MAILER_DELIVER_METHODS.has(call.method)) {
      const args = index.callArguments(call);
      const queue = args ? hashValue(index.tokens, args.from, args.to, 'queue') : undefined;
      return {
        kind: 'actionmailer-deliver-later',
        queue: queue?.value ?? { kind: 'literal', value: MAILER_DEFAULT_QUEUE },
        expression: queue?.expression ?? call.method,
        position: call.position,
        via: call.method,
        ...scope,
      };
    }
    return index.classMethodProducer(call, 'activejob-job');
  },
};
