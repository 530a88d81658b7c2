/**
 * Sidekiq's key layout, the same in 6.x (Debian's 6.4) and 7.x — client.rb atomic_push (`queues`, `queue:<name>`,
 * `schedule`), launcher.rb ❤ (`processes`, the `<identity>` hash, `<identity>:workers`, `stat:processed`), api.rb
 * (`retry`, `schedule`, `dead` sorted sets). With redis-namespace every key is `<namespace>:<key>`. The only place
 * that spells it.
 */
import { byCodeUnits } from '../../live/model.js';

/** The sorted sets of jobs that are not in a queue: retrying, scheduled for later, dead (retries exhausted). */
export type SidekiqSet = 'retry' | 'schedule' | 'dead';

/** The keys of one Sidekiq keyspace: the root one (`''`) or a redis-namespace's. */
export class SidekiqKeys {
  constructor(readonly namespace: string = '') {}

  private key(name: string): string {
    return this.namespace ? `${this.namespace}:${name}` : name;
  }

  /** Set of every queue name a client pushed to. */
  get queues(): string {
    return this.key('queues');
  }

  /** List of a queue's waiting jobs (JSON); LPUSH adds at the head, BRPOP takes the tail: the oldest is LINDEX -1. */
  queue(name: string): string {
    return this.key(`queue:${name}`);
  }

  /** Set of every running process's identity (`hostname:pid:nonce`). */
  get processes(): string {
    return this.key('processes');
  }

  /** Hash of one process (`info` JSON, `busy`, `beat`, `quiet`, `rss`, `rtt_us`), written with a 60 s expiry at every beat. */
  process(identity: string): string {
    return this.key(identity);
  }

  /** Hash of a process's running jobs, by thread: `{"queue": …, "payload": …, "run_at": …}`. */
  processWork(identity: string): string {
    return this.key(`${identity}:workers`);
  }

  set(name: SidekiqSet): string {
    return this.key(name);
  }

  /** Written by every heartbeat (`INCRBY stat:processed 0` creates it): a process ran in this keyspace. */
  get processed(): string {
    return this.key('stat:processed');
  }
}

/** The root keyspace's two keys that name a Sidekiq keyspace; a namespace's are `<namespace>:<the same>`. */
const ROOT_KEYS = ['processes', 'queues'] as const;

/** The namespace of a `<namespace>:processes` or `<namespace>:queues` key, or undefined for any other key. */
export function namespaceOf(key: string): string | undefined {
  for (const name of ROOT_KEYS) {
    const tail = `:${name}`;
    if (key.length > tail.length && key.endsWith(tail)) return key.slice(0, -tail.length);
  }
  return undefined;
}

const ROOT = new SidekiqKeys();
const ROOT_EVIDENCE = new Set([ROOT.processes, ROOT.queues, ROOT.processed]);
const PROCESSED_TAIL = `:${ROOT.processed}`;

/**
 * The keys that say where Sidekiq's keyspaces are: `processes`, `queues` and `stat:processed`, at the root or under a
 * namespace. `processe` is in `processes` and `stat:processed`, `queues` in itself.
 */
export const SIDEKIQ_DISCOVERY = {
  markers: ['processe', 'queues'],
  matches: (key: string): boolean => ROOT_EVIDENCE.has(key) || namespaceOf(key) !== undefined || (key.length > PROCESSED_TAIL.length && key.endsWith(PROCESSED_TAIL)),
} as const;

/**
 * The redis-namespaces in use among the discovered keys: a `<ns>:processes` or `<ns>:queues` key names a candidate,
 * kept when a Sidekiq process registered or ran there (`<ns>:processes` or `<ns>:stat:processed` is among them too).
 * An application's own `user:7:queues` set or RQ's `rq:queues` gives no namespace.
 */
export function sidekiqNamespaces(discovered: readonly string[]): string[] {
  const keys = new Set(discovered);
  const candidates = new Set(discovered.flatMap((key) => namespaceOf(key) ?? []));
  return [...candidates].filter((namespace) => {
    const space = new SidekiqKeys(namespace);
    return keys.has(space.processes) || keys.has(space.processed);
  }).sort(byCodeUnits);
}

/**
 * Whether Sidekiq can have anything in this Redis: the root keyspace holds `processes`, `queues` or `stat:processed`,
 * or a namespace is in use. Without them the root keyspace's reads find no process, no queue and no run (readSidekiq
 * counts a keyspace only on that evidence), so auto mode skips them.
 */
export const sidekiqInPlay = (discovered: readonly string[]): boolean =>
  discovered.some((key) => ROOT_EVIDENCE.has(key)) || sidekiqNamespaces(discovered).length > 0;
