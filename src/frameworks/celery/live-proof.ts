/**
 * Celery consumers proven read-only, without the `--celery-inspect` broadcast. kombu's redis transport consumes with
 * one `BRPOP` over every priority list of every queue a worker consumes (kombu/transport/redis.py `_brpop_start`:
 * `keys = [_q_for_pri(queue, pri) for pri in priority_steps for queue in queues] + [timeout]`), re-issued every
 * second (`polling_interval`) while nothing comes; a worker whose prefetch is full stops issuing it. And a `BRPOP`
 * returns at once when one of its lists holds a message: Redis serves a blocked client as soon as a list it waits
 * on is pushed to. So in one pipeline `LINDEX list -1`, `CLIENT LIST`, `LINDEX list -1`: a list whose tail did not
 * move while a connection sat blocked in `brpop` on that database is none of that connection's lists. When every
 * registered Celery worker has such a blocked connection and no `brpop` connection is busy, a queue whose every
 * non-empty list stayed put is consumed by none of the connected workers. A worker busy with its prefetch (not
 * blocked) leaves the answer unknown.
 */
import { humanDuration } from '../../wording.js';
import { parseClientList, type ClientEntry } from '../../live/client-list.js';

/** One non-empty list of a queue, its tail read before and after CLIENT LIST. */
export interface ListTail {
  queue: string;
  before: string | undefined;
  after: string | undefined;
}

export interface ProofInput {
  /** Celery workers registered with the broker (their `celery.pidbox` mailbox bindings). */
  registered: number;
  /** The database the broker's lists are in. */
  db: number;
  /** CLIENT LIST text, read between the two tails; undefined when refused. */
  clientList: string | undefined;
  tails: readonly ListTail[];
  /** Per queue: seconds since its list was last touched (OBJECT IDLETIME, read before anything else touched it). */
  idleSeconds: ReadonlyMap<string, number>;
}

/**
 * Whether CLIENT LIST shows a connection of `db` whose last command was `brpop` but that is not blocked now: a worker
 * busy with its prefetch — or an idle one caught between two of kombu's once-a-second BRPOPs (kombu 5.2
 * `_brpop_start(timeout=1)`), a gap of microseconds that a loaded machine stretches to milliseconds. The proof cannot
 * hold then; read once more, a little later, it tells the two apart.
 */
export function brpopNotBlocked(clientList: string, db: number): boolean {
  return anyNotBlocked(brpopConnections(clientList, db));
}

/** The connections of `db` whose last command was `brpop`: kombu's consumers. */
function brpopConnections(clientList: string, db: number): ClientEntry[] {
  return parseClientList(clientList).filter((client) => client.cmd === 'brpop' && client.db === db);
}

const anyNotBlocked = (connections: readonly ClientEntry[]): boolean => connections.some((client) => !client.flags.includes('b'));

/**
 * The queues proven consumed by no connected worker, each with the evidence as a sentence; empty when the proof
 * does not hold (no worker registered, CLIENT LIST refused, a `brpop` connection not blocked, fewer blocked
 * connections than registered workers).
 */
export function provenUnconsumed(input: ProofInput): Map<string, string> {
  const proven = new Map<string, string>();
  if (input.registered === 0 || input.clientList === undefined) return proven;
  const brpop = brpopConnections(input.clientList, input.db);
  // A busy worker (prefetch full, or between two BRPOPs) may be the consumer: nothing can be said.
  if (brpop.length === 0 || anyNotBlocked(brpop)) return proven;
  // A registered worker without a blocked connection is busy with commands other than BRPOP, or gone: unknown.
  if (brpop.length < input.registered) return proven;
  const moved = new Set<string>();
  const queues = new Set<string>();
  for (const tail of input.tails) {
    queues.add(tail.queue);
    if (tail.before === undefined || tail.before !== tail.after) moved.add(tail.queue);
  }
  const workers = `${input.registered} Celery worker${input.registered === 1 ? '' : 's'}`;
  for (const queue of queues) {
    if (moved.has(queue)) continue;
    const idle = input.idleSeconds.get(queue);
    proven.set(
      queue,
      `Proven read-only: all ${brpop.length} BRPOP connection${brpop.length === 1 ? '' : 's'} of the ${workers} registered on database ${input.db} sat blocked (idle) while its oldest message stayed put, and a BRPOP returns at once when one of its lists holds a message${
        idle !== undefined && idle > 0 ? `; the queue's list was last touched ${humanDuration(idle * 1000)} ago, so its oldest message has waited at least that long` : ''
      }.`,
    );
  }
  return proven;
}
