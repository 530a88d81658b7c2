import { UnreachableError } from '../../errors.js';
import { asNumber, connectReader, type Command, type ConnectSettings, type RedisReader, type RedisTarget, type Reply } from '../redis.js';

/** The slots of a Redis Cluster (cluster.h CLUSTER_SLOTS). */
const CLUSTER_SLOTS = 16384;

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster maps keys to its 16,384 slots with (cluster.c keyHashSlot). */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

function crc16(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The slot of a key: only the part inside the first `{…}` counts when it is not empty (a hash tag), so BullMQ keys
 * with a `{queue}` tag, or a `{bull}` prefix, land on one node per tag.
 */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % CLUSTER_SLOTS;
  }
  return crc16(bytes) % CLUSTER_SLOTS;
}

/** Commands sent to every master rather than to a key's owner (their replies are merged). */
const PER_NODE = new Set(['client']);

interface SlotRange {
  start: number;
  end: number;
  node: string;
}

/** `host:port` of the master of every slot range, from CLUSTER SLOTS ([[start, end, [ip, port, id], replicas…], …]). */
function parseSlots(reply: Reply | undefined, fallbackHost: string, target: string): SlotRange[] {
  if (!Array.isArray(reply?.value)) return [];
  const ranges: SlotRange[] = [];
  let assigned = 0;
  for (const entry of reply.value as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 3 || !Array.isArray(entry[2])) continue;
    const [host, port] = entry[2] as unknown[];
    // An empty or `?` host means "the address you reached me on" (cluster-announce unset behind NAT).
    const address = typeof host === 'string' && host && host !== '?' ? host : fallbackHost;
    const start = asNumber({ value: entry[0] });
    const end = asNumber({ value: entry[1] });
    // A real Cluster has 16,384 slots in disjoint ranges: a range past them (0–2,000,000,000) or ranges adding up
    // to more would make the slot table (and the work) as large as a hostile server likes.
    assigned += end - start + 1;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= CLUSTER_SLOTS || start > end || assigned > CLUSTER_SLOTS) {
      throw new UnreachableError(`Redis at ${target} answered CLUSTER SLOTS with slot ranges outside 0–${CLUSTER_SLOTS - 1}; is it a real Redis Cluster?`, 'redis');
    }
    ranges.push({ start, end, node: `${address}:${asNumber({ value: port })}` });
  }
  return ranges;
}

/**
 * A Redis Cluster as one reader: keyed commands go to the master that owns their slot, all masters at once (one
 * round trip for the pipeline, per node); CLIENT LIST goes to every master and the lists are joined; `nodes` lets
 * SCAN walk every master. A MOVED answer (a resharding under way) re-reads the slot map and retries once.
 * Discovery needs `CLUSTER SLOTS` (`+cluster|slots` for an ACL user).
 */
export async function openCluster(seed: RedisReader, timeoutMs: number, settings: ConnectSettings): Promise<RedisReader> {
  const nodes = new Map<string, RedisReader>();
  const owner = new Array<string>(CLUSTER_SLOTS);
  const connectNode = async (address: string): Promise<RedisReader> => {
    const known = nodes.get(address);
    if (known) return known;
    const at = address.lastIndexOf(':');
    const host = address.slice(0, at);
    const port = Number(address.slice(at + 1));
    const target: RedisTarget = { ...seed.target, host, port, redacted: redactedFor(seed.target, host, port) };
    const reader = seed.target.host === host && seed.target.port === port ? seed : await connectReader(target, timeoutMs, settings);
    nodes.set(address, reader);
    return reader;
  };
  const loadSlots = async () => {
    const [reply] = await seed.pipeline([['cluster', 'slots']]);
    if (reply?.error) {
      const denied = /NOPERM/.test(reply.error.message) ? ' (grant the user +cluster|slots)' : '';
      throw new UnreachableError(`Cannot read the Cluster's slot map from ${seed.target.redacted}: ${reply.error.message.split('\n')[0]}${denied}.`, 'redis');
    }
    const ranges = parseSlots(reply, seed.target.host, seed.target.redacted);
    if (ranges.length === 0) throw new UnreachableError(`Redis at ${seed.target.redacted} has cluster_enabled:1 but no slots assigned.`, 'redis');
    for (const range of ranges) {
      await connectNode(range.node);
      for (let slot = range.start; slot <= range.end; slot++) owner[slot] = range.node;
    }
  };
  await loadSlots();
  const masters = () => [...new Set(owner.filter(Boolean))].sort().map((address) => nodes.get(address)!);

  /** One pipeline per master (its keys' commands plus the per-node ones): one round trip per node per call. */
  const send = async (commands: Command[]): Promise<Reply[]> => {
    const all = masters();
    const perNode: number[] = [];
    const byNode = new Map<string, number[]>();
    commands.forEach((command, index) => {
      if (PER_NODE.has(command[0])) return perNode.push(index);
      // Every slot has an owner on a healthy Cluster; a gap (a failing node) goes to a master, whose MOVED says where.
      const address = owner[keySlot(String(command[1] ?? ''))] ?? owner.find(Boolean)!;
      byNode.set(address, [...(byNode.get(address) ?? []), index]);
    });
    const replies = new Array<Reply>(commands.length);
    const perNodeAnswers: Reply[][] = [];
    await Promise.all(
      all.map(async (node, nodeIndex) => {
        const address = `${node.target.host}:${node.target.port}`;
        const keyed = byNode.get(address) ?? [];
        if (keyed.length === 0 && perNode.length === 0) return;
        const answers = await node.pipeline([...keyed, ...perNode].map((index) => commands[index]!));
        keyed.forEach((index, position) => (replies[index] = answers[position]!));
        perNodeAnswers[nodeIndex] = answers.slice(keyed.length);
      }),
    );
    perNode.forEach((index, position) => {
      const answers = perNodeAnswers.filter(Boolean).map((answer) => answer[position]!);
      const error = answers.find((answer) => answer.error)?.error;
      // CLIENT LIST texts, one per master, joined: each line is one client.
      replies[index] = error ? { error } : { value: answers.map((answer) => String(answer.value ?? '')).join('') };
    });
    return replies;
  };

  return {
    target: seed.target,
    clusterEnabled: true,
    get nodes() {
      return masters();
    },
    /** The busiest node's round trips: the masters are read at the same time. */
    get roundTrips() {
      return Math.max(0, ...[...nodes.values()].map((node) => node.roundTrips));
    },
    async pipeline(commands) {
      if (commands.length === 0) return [];
      const replies = await send(commands);
      if (replies.some((reply) => reply.error && /^(MOVED|ASK) /.test(reply.error.message))) {
        await loadSlots();
        return send(commands);
      }
      return replies;
    },
    async close() {
      await Promise.all([...nodes.values()].map((node) => node.close()));
    },
  };
}

/** The seed URL's redacted form with another node's address. */
function redactedFor(seed: RedisTarget, host: string, port: number): string {
  try {
    const url = new URL(seed.redacted);
    url.hostname = host.includes(':') ? `[${host}]` : host;
    url.port = String(port);
    return url.toString();
  } catch {
    return `${host}:${port}`;
  }
}
