#!/usr/bin/env node
// How auto mode should find the keys its frameworks discover their queues by (BullMQ `…:meta`, kombu
// `_kombu.binding.*`, Sidekiq `[<ns>:]processes|queues|stat:processed`), measured on one Redis, interleaved:
//   three   one SCAN loop per framework, each with its MATCH glob, at the same time (the tool before issue 32)
//   glob    one loop with the glob src/live/discovery.ts builds from the frameworks' markers (the tool now)
//   all     one loop without MATCH, every key matched in Node
// Each variant: wall time of the loops from a fresh connection (median), round trips, keys sent, and the server's
// SCAN time (INFO commandstats usec, per run). Two keyspaces: the live-scale population (1,000 RQ workers, 200 queues,
// 20,000 jobs, written by RQ) and the same plus --app-keys application keys (default 100,000) of no queue system.
//
//   node bench/live-discovery.js [--runs 15] [--app-keys 100000]
//
// Needs redis-server on PATH and Debian's python3-rq (/usr/bin/python3).
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { fillRq, median, startBenchRedis } from './lib.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, 'app-keys': { type: 'string', default: '100000' } } });
const RUNS = Number(values.runs);
const APP_KEYS = Number(values['app-keys']);
const { matchGlob } = await import('../dist/live/discovery.js');
const { BULL_DISCOVERY } = await import('../dist/frameworks/bullmq/live-keys.js');
const { KOMBU_DISCOVERY } = await import('../dist/frameworks/celery/live-keys.js');
const { SIDEKIQ_DISCOVERY } = await import('../dist/frameworks/sidekiq/live-keys.js');
const SHAPES = [BULL_DISCOVERY, KOMBU_DISCOVERY, SIDEKIQ_DISCOVERY];
// The per-framework globs the tool used before one loop served them all.
const THREE = ['*:meta', '_kombu.binding.*', '*:[pq][ru][eo][cu]es*'];

/** A minimal pipelined RESP client: enough for SCAN, INFO and EVAL. */
function client(port) {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let buffer = Buffer.alloc(0);
  let offset = 0;
  const waiting = [];
  const line = () => {
    const end = buffer.indexOf(0x0d, offset);
    if (end < 0) throw 'more';
    const text = buffer.toString('latin1', offset, end);
    offset = end + 2;
    return text;
  };
  const read = () => {
    if (offset >= buffer.length) throw 'more';
    const type = buffer[offset++];
    const head = line();
    if (type === 0x24) {
      const length = Number(head);
      if (length < 0) return null;
      if (offset + length + 2 > buffer.length) throw 'more';
      const value = buffer.toString('utf8', offset, offset + length);
      offset += length + 2;
      return value;
    }
    if (type === 0x2a) return Array.from({ length: Number(head) }, read);
    if (type === 0x3a) return Number(head);
    return head;
  };
  socket.on('data', (chunk) => {
    buffer = offset < buffer.length ? Buffer.concat([buffer.subarray(offset), chunk]) : chunk;
    offset = 0;
    while (waiting.length) {
      const start = offset;
      try {
        waiting[0](read());
      } catch (error) {
        if (error !== 'more') throw error;
        offset = start;
        return;
      }
      waiting.shift();
    }
  });
  const ready = new Promise((resolve) => socket.once('connect', resolve));
  return {
    ready,
    close: () => socket.destroy(),
    send: (args) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`).join('')}`);
      }),
  };
}

async function loop(redis, pattern, onKey, counts) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.send(pattern === undefined ? ['scan', cursor, 'COUNT', 5000] : ['scan', cursor, 'MATCH', pattern, 'COUNT', 5000]);
    counts.roundTrips += 1;
    counts.sent += keys.length;
    for (const key of keys) onKey(key);
    cursor = next;
  } while (cursor !== '0');
}

const matchAll = (key, found) => SHAPES.forEach((shape, index) => shape.matches(key) && found[index].add(key));
const VARIANTS = {
  three: (redis, found, counts) =>
    Promise.all(THREE.map((pattern, index) => loop(redis, pattern, (key) => SHAPES[index].matches(key) && found[index].add(key), counts))),
  glob: (redis, found, counts) => loop(redis, matchGlob(SHAPES.flatMap((shape) => shape.markers)), (key) => matchAll(key, found), counts),
  all: (redis, found, counts) => loop(redis, undefined, (key) => matchAll(key, found), counts),
};

async function scanUsec(port) {
  const redis = client(port);
  await redis.ready;
  const info = await redis.send(['info', 'commandstats']);
  redis.close();
  return Number(/cmdstat_scan:calls=\d+,usec=(\d+)/.exec(info)?.[1] ?? 0);
}

async function measure(label, port) {
  const rows = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, { ms: [], serverUs: [], counts: undefined, found: undefined }]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, variant] of Object.entries(VARIANTS)) {
      const before = await scanUsec(port);
      const redis = client(port);
      const started = performance.now();
      await redis.ready;
      const found = SHAPES.map(() => new Set());
      const counts = { roundTrips: 0, sent: 0 };
      await variant(redis, found, counts);
      rows[name].ms.push(performance.now() - started);
      redis.close();
      rows[name].serverUs.push((await scanUsec(port)) - before);
      rows[name].counts = counts;
      rows[name].found = found.map((keys) => keys.size).join('/');
    }
  }
  console.log(`\n${label}`);
  for (const [name, row] of Object.entries(rows)) {
    console.log(
      `  ${name.padEnd(6)} median ${median(row.ms).toFixed(1).padStart(7)} ms wall, ${(median(row.serverUs) / 1000).toFixed(1).padStart(6)} ms SCAN in Redis, ` +
        `${row.counts.roundTrips} round trips, ${row.counts.sent} keys sent, found (bull/kombu/sidekiq) ${row.found}`,
    );
  }
}

const server = await startBenchRedis();
try {
  console.log(`glob: ${matchGlob(SHAPES.flatMap((shape) => shape.markers))}; ${RUNS} runs each, interleaved`);
  console.log(`Redis filled by RQ: workers, queues, jobs = ${fillRq(server.url, { workers: 1000, queues: 200, jobs: 20000 }).split(' ').join(', ')}`);
  await measure('live-scale population', server.port);
  const redis = client(server.port);
  await redis.ready;
  // Application keys in the shapes real apps write: sessions, caches, per-user hashes, rate limits.
  const fill = `for i = 1, tonumber(ARGV[1]) do
    local kind = i % 4
    if kind == 0 then redis.call('set', 'session:' .. string.format('%08x', i * 2654435761 % 4294967296), 'x')
    elseif kind == 1 then redis.call('set', 'cache:views/products/' .. i .. ':html', 'x')
    elseif kind == 2 then redis.call('hset', 'user:' .. i .. ':profile', 'name', 'x')
    else redis.call('set', 'ratelimit:api:' .. i .. ':minute', '1') end
  end
  return redis.call('dbsize')`;
  console.log(`\n+ ${APP_KEYS} application keys: dbsize ${await redis.send(['eval', fill, 0, APP_KEYS])}`);
  redis.close();
  await measure(`live-scale population + ${APP_KEYS} application keys`, server.port);
} finally {
  server.stop();
}
