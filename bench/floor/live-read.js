#!/usr/bin/env node
// The floor of `receipts-doctor live` in Node on this machine: the least a Node process can do to produce live's
// answer in auto mode — one connection, the same read commands in the same round trips as the tool on an RQ
// population: RQ's worker set, hashes, TTLs, queues and registries, the oldest job of each queue, and, at the same
// time, the one SCAN loop with the glob src/live/discovery.ts builds from the frameworks' markers (DISCOVERY_GLOB;
// test/live/discovery.test.ts keeps it equal) keeping the keys of BullMQ's, kombu's and Sidekiq's shapes. On an RQ
// population those keys hold no BullMQ meta, no binding and no Sidekiq keyspace, so the tool reads none of them
// further, and neither does this. A RESP parser with no checks, and the workers and queues as JSON. No CLI, no config,
// no analysis, no stale/expired logic, no report. bench/live-scale.js times it beside the tool and `rq info`.
//
//   node bench/floor/live-read.js PORT              → JSON on stdout
//   node bench/floor/live-read.js PORT --reads N    → {"readMs": [...]}: N reads in this one process, each on a new
//                                                     connection, timed from connect to the objects built (no JSON
//                                                     out) — the in-process floor of the exporter's read
import { connect } from 'node:net';

let socket;
let buffer = Buffer.alloc(0);
let offset = 0;
const waiting = [];

const encode = (commands) =>
  commands.map((args) => `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`).join('')}`).join('');

function integer() {
  let value = 0;
  const negative = buffer[offset] === 0x2d;
  if (negative) offset += 1;
  for (; buffer[offset] !== 0x0d; offset++) {
    if (offset >= buffer.length) throw 'more';
    value = value * 10 + buffer[offset] - 0x30;
  }
  if (offset + 1 >= buffer.length) throw 'more';
  offset += 2;
  return negative ? -value : value;
}

/** One reply; throws 'more' when the buffer ends inside it (the caller retries from the reply's start). */
function read() {
  if (offset >= buffer.length) throw 'more';
  const type = buffer[offset++];
  if (type === 0x24) {
    const length = integer();
    if (length < 0) return null;
    if (offset + length + 2 > buffer.length) throw 'more';
    const value = buffer.toString('utf8', offset, offset + length);
    offset += length + 2;
    return value;
  }
  if (type === 0x2a) {
    const count = integer();
    const items = [];
    for (let index = 0; index < count; index++) items.push(read());
    return items;
  }
  if (type === 0x3a) return integer();
  const end = buffer.indexOf(0x0d, offset);
  if (end < 0) throw 'more';
  const text = buffer.toString('latin1', offset, end);
  offset = end + 2;
  return text;
}

function onData(chunk) {
  buffer = offset < buffer.length ? Buffer.concat([buffer.subarray(offset), chunk]) : chunk;
  offset = 0;
  while (waiting.length > 0) {
    const batch = waiting[0];
    while (batch.replies.length < batch.count) {
      const start = offset;
      try {
        batch.replies.push(read());
      } catch (error) {
        if (error !== 'more') throw error;
        offset = start;
        return;
      }
    }
    waiting.shift();
    batch.resolve(batch.replies);
  }
}

async function open(port) {
  socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('data', onData);
  buffer = Buffer.alloc(0);
  offset = 0;
  await new Promise((resolve) => socket.once('connect', resolve));
}

const send = (commands) =>
  new Promise((resolve) => {
    waiting.push({ count: commands.length, replies: [], resolve });
    socket.write(encode(commands));
  });

/** matchGlob([':meta', '_kombu.binding.', 'processe', 'queues']) in src/live/discovery.ts. */
const DISCOVERY_GLOB = '*[:_pq][kmru][eo][cmtu][abe]*';
const SIDEKIQ_ROOT = new Set(['processes', 'queues', 'stat:processed']);

/** The discovery shapes' keys (BullMQ meta, kombu bindings, Sidekiq's keyspace keys), in one SCAN loop. */
async function discover() {
  const keys = { bullMeta: [], celeryBindings: [], sidekiq: [] };
  let cursor = '0';
  do {
    const [[next, page]] = await send([['scan', cursor, 'MATCH', DISCOVERY_GLOB, 'COUNT', 5000]]);
    for (const key of page) {
      if (key.endsWith(':meta')) keys.bullMeta.push(key);
      if (key.startsWith('_kombu.binding.')) keys.celeryBindings.push(key);
      if (SIDEKIQ_ROOT.has(key) || key.endsWith(':processes') || key.endsWith(':queues') || key.endsWith(':stat:processed')) keys.sidekiq.push(key);
    }
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

const FIELDS = ['queues', 'state', 'current_job', 'last_heartbeat', 'birth', 'hostname', 'pid', 'death'];

async function readRq(now) {
  const seconds = Math.floor(now / 1000);
  const [workerKeys, queueKeys] = await send([['smembers', 'rq:workers'], ['smembers', 'rq:queues']]);
  workerKeys.sort();
  const names = queueKeys.map((key) => key.slice('rq:queue:'.length));
  const commands = [];
  for (const key of workerKeys) commands.push(['hmget', key, ...FIELDS], ['pttl', key]);
  for (const q of names) {
    const after = `(${seconds}`;
    commands.push(
      ['llen', `rq:queue:${q}`], ['lindex', `rq:queue:${q}`, 0], ['zcount', `rq:wip:${q}`, after, '+inf'],
      ['zcount', `rq:failed:${q}`, after, '+inf'], ['zrevrange', `rq:failed:${q}`, 0, 0], ['zcard', `rq:deferred:${q}`],
      ['zcard', `rq:scheduled:${q}`], ['zcount', `rq:finished:${q}`, after, '+inf'], ['smembers', `rq:workers:${q}`],
    );
  }
  const replies = await send(commands);
  const workers = workerKeys.map((key, index) => {
    const [queues, state, , heartbeat, birth, hostname, pid] = replies[2 * index];
    const beat = Date.parse(heartbeat ?? '');
    const born = Date.parse(birth ?? '');
    return {
      name: key.slice('rq:worker:'.length), queues: (queues ?? '').split(','), state, hostname, pid: Number(pid),
      lastHeartbeat: Number.isNaN(beat) ? null : new Date(beat).toISOString(), heartbeatAgeMs: now - beat,
      birth: Number.isNaN(born) ? null : new Date(born).toISOString(), remainingTtlMs: replies[2 * index + 1],
    };
  });
  const heads = [];
  const queues = names.map((name, index) => {
    const at = 2 * workerKeys.length + 9 * index;
    if (replies[at + 1]) heads.push(['hget', `rq:job:${replies[at + 1]}`, 'enqueued_at']);
    return { name, waiting: replies[at], active: replies[at + 2], failed: replies[at + 3] };
  });
  const enqueuedAt = await send(heads);
  queues.forEach((queue, index) => {
    queue.oldestWaitingAgeMs = now - Date.parse(enqueuedAt[index] ?? '');
  });
  return { workers, queues };
}

async function readAll(port) {
  await open(port);
  const [rq, discovered] = await Promise.all([readRq(Date.now()), discover()]);
  socket.destroy();
  return { live: { ...rq, ...discovered } };
}

const port = Number(process.argv[2]);
const readsAt = process.argv.indexOf('--reads');
if (readsAt > 0) {
  const readMs = [];
  for (let read = 0; read < Number(process.argv[readsAt + 1]); read++) {
    const started = performance.now();
    await readAll(port);
    readMs.push(performance.now() - started);
  }
  process.stdout.write(`${JSON.stringify({ readMs })}\n`);
} else {
  process.stdout.write(`${JSON.stringify(await readAll(port), null, 2)}\n`);
}
