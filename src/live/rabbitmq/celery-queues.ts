/**
 * Which RabbitMQ queues of a Celery vhost are task queues. Celery also declares queues that carry no tasks and
 * must not be reported as work queues (celery/app/control.py, kombu/pidbox.py, celery/events/receiver.py):
 * - a worker's remote-control mailbox `<nodename>.<namespace>.pidbox` (`w1@host.celery.pidbox`), bound to the
 *   `<namespace>.pidbox` fanout exchange; its consumer's connection is that worker's;
 * - the reply queues of control clients `<uuid>.reply.<namespace>.pidbox`;
 * - event receivers `celeryev.<uuid>` (celery events, flower, the worker's gossip);
 * - and any exclusive queue (owned by one connection: rpc:// result queues, AMQP clients' private queues).
 */

export type CeleryQueueKind = 'tasks' | 'mailbox' | 'reply' | 'events' | 'private';

const PIDBOX_SUFFIX = '.pidbox';
const REPLY_MARK = '.reply.';
const EVENTS_PREFIX = 'celeryev.';
/** Celery's default `control_exchange`: mailbox queues end in `.celery.pidbox`. */
const DEFAULT_NAMESPACE = 'celery';

export function celeryQueueKind(name: string, exclusive = false): CeleryQueueKind {
  if (exclusive) return 'private';
  if (name.startsWith(EVENTS_PREFIX)) return 'events';
  if (name.endsWith(PIDBOX_SUFFIX)) return name.includes(REPLY_MARK) ? 'reply' : 'mailbox';
  return 'tasks';
}

/**
 * The worker node name of a mailbox queue: `w1@host.celery.pidbox` → `w1@host`. Another namespace
 * (`control_exchange='ctl'`) drops its last dotted word; a node name holds `@`, so `w1@host.example.com` stays whole
 * with the default namespace.
 */
export function mailboxNode(queue: string): string | undefined {
  if (celeryQueueKind(queue) !== 'mailbox') return undefined;
  const defaultSuffix = `.${DEFAULT_NAMESPACE}${PIDBOX_SUFFIX}`;
  if (queue.endsWith(defaultSuffix) && queue.length > defaultSuffix.length) return queue.slice(0, -defaultSuffix.length);
  const stem = queue.slice(0, -PIDBOX_SUFFIX.length);
  const dot = stem.lastIndexOf('.');
  return dot > 0 ? stem.slice(0, dot) : undefined;
}
