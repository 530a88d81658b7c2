/**
 * "Nothing seen is never OK": when a Redis holds no key of the queue systems the live stage was asked to read, the
 * stage has nothing to judge, and an `OK` would be a false green (the queues live in another database, under
 * another BullMQ prefix, or the URL names the wrong Redis). This reads, read-only, where the keys are instead:
 * `INFO keyspace` (which databases hold keys) and one SCAN page per database holding keys (a sample, never KEYS),
 * whose key shapes are matched against the queue systems the doctor knows. Two round trips, whatever the keyspace.
 */
import { finding } from '../finding.js';
import type { Finding } from '../types.js';
import { asString, type Command, type RedisReader } from './redis.js';
import { namespaceOf } from '../frameworks/sidekiq/live-keys.js';

/** Keys sampled per database: one SCAN page (COUNT is a hint; a reply is cut to this many keys). */
const SAMPLE = 200;
/** Other databases sampled at most (Redis has 16 by default). */
const MAX_DATABASES = 16;
/** Prefixes named at most in the message. */
const MAX_PREFIXES = 5;
/** Queue systems' keys are short: a longer sampled key is not looked at (it would only make a long message). */
const MAX_KEY_LENGTH = 256;

/** A database that holds keys (`INFO keyspace`: `db3:keys=12,expires=0,avg_ttl=0`). */
export interface KeyspaceEntry {
  db: number;
  keys: number;
  /** Key prefixes of the sampled keys that look like a queue system's: `rq:` (RQ). */
  looksLike: string[];
}

/** What the reader found instead of queue-system keys. */
export interface NothingFoundEvidence {
  /** The database read (0 on a Cluster). */
  db: number;
  keyspace: KeyspaceEntry[];
}

/** The per-queue keys BullMQ writes (`<prefix>:<queue>:<type>`). */
const BULL_KEY_TYPES = ['meta', 'wait', 'active', 'id', 'events', 'completed', 'failed', 'delayed', 'paused', 'prioritized', 'marker', 'stalled-check'];

/** `acme:` for `acme:emails:wait`: found with string searches from the end (linear in the key, whatever its colons). */
function bullPrefixOf(key: string): string | undefined {
  const type = BULL_KEY_TYPES.find((candidate) => key.endsWith(`:${candidate}`));
  if (!type) return undefined;
  const rest = key.slice(0, -(type.length + 1));
  const colon = rest.lastIndexOf(':');
  return colon > 0 && colon < rest.length - 1 ? rest.slice(0, colon + 1) : undefined;
}

/** `queue:` for `queue:mailers`, `shop:` for `shop:processes` (a redis-namespace), the key itself for `queues`/`processes`. */
function sidekiqPrefixOf(key: string): string | undefined {
  if (key.startsWith('queue:')) return 'queue:';
  if (key === 'queues' || key === 'processes') return key;
  const namespace = namespaceOf(key);
  return namespace !== undefined ? `${namespace}:` : undefined;
}

/** How the keys of each queue system look, to name a sampled key's prefix and system (`acme:` → BullMQ). */
const SHAPES: { system: string; prefix: (key: string) => string | undefined }[] = [
  { system: 'RQ', prefix: (key) => (key.startsWith('rq:') ? 'rq:' : undefined) },
  { system: 'BullMQ', prefix: bullPrefixOf },
  { system: 'Celery', prefix: (key) => (key.startsWith('_kombu.binding.') ? '_kombu.binding.' : key.startsWith('celery-task-meta-') ? 'celery-task-meta-' : key === 'unacked' ? 'unacked' : undefined) },
  { system: 'Sidekiq', prefix: sidekiqPrefixOf },
];

/** `prefix (system)` for the sampled keys that look like a queue system's, most frequent first. */
export function queueLikePrefixes(keys: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of keys.slice(0, SAMPLE)) {
    if (key.length > MAX_KEY_LENGTH) continue;
    for (const shape of SHAPES) {
      const prefix = shape.prefix(key);
      if (prefix === undefined) continue;
      const label = `\`${prefix}\` (${shape.system})`;
      counts.set(label, (counts.get(label) ?? 0) + 1);
      break;
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([label]) => label).slice(0, MAX_PREFIXES);
}

/** `INFO keyspace` text → the databases holding keys. */
export function parseKeyspace(text: string): { db: number; keys: number }[] {
  const entries: { db: number; keys: number }[] = [];
  for (const match of text.matchAll(/^db(\d{1,5}):keys=(\d{1,15})/gm)) entries.push({ db: Number(match[1]), keys: Number(match[2]) });
  return entries;
}

const sampleKeys = (value: unknown): string[] =>
  Array.isArray(value) && Array.isArray(value[1]) ? (value[1] as unknown[]).slice(0, SAMPLE).map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item))) : [];

/**
 * Where the keys are, read-only: `INFO keyspace` and a SCAN page of the database read (every master of a Cluster),
 * then, on a standalone server, one SCAN page of each other database holding keys (SELECT, SCAN, and SELECT back,
 * in one pipeline).
 */
export async function readKeyspace(reader: RedisReader): Promise<NothingFoundEvidence> {
  const db = reader.target.db;
  const nodes = reader.nodes ?? [reader];
  const first = await Promise.all(nodes.map((node) => node.pipeline([['info', 'keyspace'], ['scan', '0', 'COUNT', SAMPLE]])));
  const counts = new Map<number, number>();
  for (const [info] of first) for (const entry of parseKeyspace(asString(info) ?? '')) counts.set(entry.db, (counts.get(entry.db) ?? 0) + entry.keys);
  const here = first.flatMap(([, scan]) => sampleKeys(scan?.value));
  const others = [...counts.keys()].filter((other) => other !== db).sort((a, b) => a - b).slice(0, MAX_DATABASES);
  const samples = new Map<number, string[]>([[db, here]]);
  if (!reader.nodes && others.length) {
    const commands: Command[] = others.flatMap((other): Command[] => [['select', other], ['scan', '0', 'COUNT', SAMPLE]]);
    commands.push(['select', db]);
    const replies = await reader.pipeline(commands);
    others.forEach((other, index) => samples.set(other, sampleKeys(replies[index * 2 + 1]?.value)));
  }
  const keyspace = [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([entryDb, keys]) => ({ db: entryDb, keys, looksLike: queueLikePrefixes(samples.get(entryDb) ?? []) }));
  return { db, keyspace };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The `live-nothing-found` warning for one Redis: what was looked for, and where keys are instead. `systems` names
 * what was read (`RQ, BullMQ or Celery`, or the one `--backend` asked for).
 */
export function nothingFoundFinding(redis: string, systems: string, evidence: NothingFoundEvidence): Finding {
  const here = evidence.keyspace.find((entry) => entry.db === evidence.db);
  const others = evidence.keyspace.filter((entry) => entry.db !== evidence.db);
  const like = (entry: KeyspaceEntry) => (entry.looksLike.length ? `, some like ${entry.looksLike.join(', ')}` : '');
  const facts: string[] = [];
  if (evidence.keyspace.length === 0) facts.push('no database of this Redis holds any key');
  else facts.push(here ? `it holds ${plural(here.keys, 'other key')}${like(here)}` : 'it holds no key at all');
  for (const entry of others) facts.push(`database ${entry.db} holds ${plural(entry.keys, 'key')}${like(entry)}`);
  const elsewhere = others.find((entry) => entry.looksLike.length);
  const hint = elsewhere
    ? `Point --redis at database ${elsewhere.db} (…/${elsewhere.db} at the end of the URL), where keys like ${elsewhere.looksLike[0]} are, if that is where the workers run.`
    : here?.looksLike.length
      ? `The keys here look like ${here.looksLike.join(', ')}: choose that --backend (or the BullMQ --prefix it shows), or leave --backend at auto.`
      : 'Check that --redis names the Redis and database the workers use (the database is the number at the end of the URL); a queue system that has never run leaves no key.';
  return finding('live-nothing-found', {
    message: `Redis at ${redis}, database ${evidence.db}, holds no key of ${systems}, so there was nothing to judge: ${facts.join('; ')}.`,
    hint,
  });
}
