/**
 * Sidekiq's key layout, the same in 6.x (Debian's 6.4) and 7.x — client.rb atomic_push (`queues`, `queue:<name>`,
 * `schedule`), launcher.rb ❤ (`processes`, the `<identity>` hash, `<identity>:workers`, `stat:processed`), api.rb
 * (`retry`, `schedule`, `dead` sorted sets). With redis-namespace every key is `<namespace>:<key>`. The only place
 * that spells it.
 */

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

/**
 * SCAN pattern for every namespaced `…:processes` and `…:queues` key in one pass (`[pq][ru][eo][cu]es` spells the
 * first five letters of both); `namespaceOf` keeps the exact ones.
 */
export const NAMESPACED_KEYS_PATTERN = '*:[pq][ru][eo][cu]es*';

/** The namespace of a `<namespace>:processes` or `<namespace>:queues` key, or undefined for any other key. */
export function namespaceOf(key: string): string | undefined {
  for (const name of ROOT_KEYS) {
    const tail = `:${name}`;
    if (key.length > tail.length && key.endsWith(tail)) return key.slice(0, -tail.length);
  }
  return undefined;
}
