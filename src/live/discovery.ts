import { UnreachableError } from '../errors.js';
import { byCodeUnits, errorLine } from './model.js';
import type { RedisReader } from './redis.js';

/**
 * The keys a framework's live reader finds its queues by, when it has no fixed key to start from (BullMQ's
 * `<prefix>:<queue>:meta`, kombu's `_kombu.binding.<exchange>`, Sidekiq's `[<namespace>:]processes`/`queues`): the
 * live stage finds them for every framework in ONE keyspace SCAN loop per node (discoverKeys), instead of one loop per
 * framework over the same keys.
 */
export interface KeyDiscovery {
  /**
   * Substrings of which every key of its shapes contains one. The loop's MATCH glob is built from every framework's
   * markers (matchGlob): the server sends only keys that may be of a shape, `matches` keeps the exact ones.
   */
  markers: readonly string[];
  /** Whether a key is of one of its shapes. */
  matches(key: string): boolean;
}

/** SCAN's COUNT hint: large pages, few round trips. */
const SCAN_COUNT = 5000;
/** 100,000 pages of SCAN_COUNT keys: far beyond any real keyspace. */
const MAX_SCAN_PAGES = 100_000;
/**
 * Keys of the shapes looked for that one SCAN loop may return in all (queue metadata: real servers have tens, a big
 * one thousands): a server sending endless cursors with fresh keys must stop at a bound, not at the heap's.
 */
export const MAX_SCAN_KEYS = 100_000;
/**
 * Keys the server may send in all (those the MATCH glob lets through, most of them of no shape): the same bound for a
 * server that sends fresh keys of no shape forever.
 */
export const MAX_SCAN_SEEN = 1_000_000;

/** A character inside a glob class (`[…]`): Redis's stringmatch takes `\` as an escape there, `^` first and `a-b` as syntax. */
const inClass = (char: string) => (/[\\\]^[-]/.test(char) ? `\\${char}` : char);
/** A character outside a class: `*`, `?`, `[` and `\` are syntax. */
const outside = (char: string) => (/[*?[\\]/.test(char) ? `\\${char}` : char);

/**
 * One MATCH glob that lets through every key containing one of `markers` (a glob holds one pattern, not a union):
 * `*` then, for each of the first n characters (n the shortest marker's length), the class of the markers' characters
 * at that place, then `*`. A key containing a marker contains those n characters in a row, so it matches; most other
 * keys (RQ's `rq:worker:<name>`, `rq:job:<id>`, an application's own) do not, and are never sent. `*` for no marker.
 */
export function matchGlob(markers: readonly string[]): string {
  if (markers.length === 0 || markers.some((marker) => marker.length === 0)) return '*';
  const length = Math.min(...markers.map((marker) => marker.length));
  let glob = '*';
  for (let index = 0; index < length; index++) {
    const chars = [...new Set(markers.map((marker) => marker[index]!))].sort();
    glob += chars.length === 1 ? outside(chars[0]!) : `[${chars.map(inClass).join('')}]`;
  }
  return `${glob}*`;
}

/**
 * Every key of one node matching `pattern`, by SCAN (read-only, never KEYS, which blocks the server on a large
 * keyspace); each key is handed to `onKey` once per time SCAN returns it (SCAN may repeat a key). `onKey` says whether
 * the key is of a shape looked for: those count toward MAX_SCAN_KEYS, every key toward MAX_SCAN_SEEN.
 */
async function scanNode(reader: RedisReader, pattern: string, onKey: (key: string) => boolean): Promise<void> {
  let cursor = '0';
  // A server that never returns cursor 0 (a broken proxy, a fake Redis) must not loop forever.
  const seen = new Set<string>();
  let kept = 0;
  let sent = 0;
  const unexpected = (what: string) =>
    new UnreachableError(`Redis at ${reader.target.redacted} answered SCAN with ${what}; is it a real Redis?`, 'redis');
  do {
    const [reply] = await reader.pipeline([['scan', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT]]);
    if (reply?.error) throw unexpected(`an error (${errorLine(reply.error.message)})`);
    const value = reply?.value;
    if (!Array.isArray(value) || value.length !== 2 || !Array.isArray(value[1])) throw unexpected('a reply that is not [cursor, keys]');
    const next = String(value[0]);
    if (next !== '0' && (seen.has(next) || seen.size >= MAX_SCAN_PAGES)) throw unexpected('cursors that never end');
    seen.add(next);
    cursor = next;
    sent += (value[1] as unknown[]).length;
    if (sent > MAX_SCAN_SEEN) throw unexpected(`more than ${MAX_SCAN_SEEN} keys for ${pattern}`);
    for (const item of value[1] as unknown[]) {
      if (onKey(Buffer.isBuffer(item) ? item.toString('utf8') : String(item))) kept += 1;
    }
    if (kept > MAX_SCAN_KEYS) throw unexpected(`more than ${MAX_SCAN_KEYS} keys matching ${pattern}`);
  } while (cursor !== '0');
}

/**
 * The keys of each discovery's shapes, on every node (a Cluster's masters are scanned at the same time, each for its
 * own slots): one SCAN loop per node for all of them. Each answer is deduplicated and sorted by code units.
 */
export async function discoverKeys(reader: RedisReader, discoveries: readonly KeyDiscovery[]): Promise<string[][]> {
  const found = discoveries.map(() => new Set<string>());
  if (discoveries.length === 0) return [];
  const pattern = matchGlob(discoveries.flatMap((discovery) => discovery.markers));
  const onKey = (key: string) => {
    let kept = false;
    discoveries.forEach((discovery, index) => {
      if (!discovery.matches(key)) return;
      found[index]!.add(key);
      kept = true;
    });
    return kept;
  };
  await Promise.all((reader.nodes ?? [reader]).map((node) => scanNode(node, pattern, onKey)));
  return found.map((keys) => [...keys].sort(byCodeUnits));
}
