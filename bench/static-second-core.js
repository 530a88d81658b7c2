#!/usr/bin/env node
// Would a second core make the static scan faster on this machine? Issue 32's last mean toward `static` within 2× of
// its floor. Each way runs the scan's own parts (dist/: the walk, the confined reads, the prefilter, the analyzers) as a
// fresh process, cold like the CLI, from the walk to every passing file's facts on the main thread:
//  - one:    today's scan: one thread reads, prefilters and analyzes, file after file;
//  - pool:   the reads go through libuv's thread pool (fs.open/read/close callbacks, N in flight, one buffer per slot),
//            the main thread prefilters and analyzes each file as it arrives; facts kept in walk order;
//  - worker: the main thread reads and prefilters as today and posts each passing file's text to a worker thread
//            (started before the walk, so its start overlaps it) that analyzes it; the facts come back at the end.
// The ways run interleaved (one run of each in turn) and print median wall and CPU time (user + sys of the whole
// process, every thread included): a way that only moves work to another core shows as less wall time for as much CPU
// or more, and only when a core is idle — on a loaded machine no way can show it, so the load average is printed too.
//
//   npm run build && node bench/static-second-core.js [--runs N] [--shape sparse|dense|ts] [--pool N]
// The trees are bench/static-scale.js's (run it once first to generate them).
import { spawnSync } from 'node:child_process';
import { close, constants, open, read } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (relative) => path.join(repo, 'dist', relative);

if (!isMainThread) {
  // The worker of the `worker` way: analyzes each text it is sent, hands every file's facts back when told the end.
  const { languageById } = await import(dist('languages/index.js'));
  const facts = [];
  parentPort.on('message', (message) => {
    if (message === null) parentPort.postMessage(facts);
    else facts.push([message.index, languageById(message.language).analyze(message.text)]);
  });
} else if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]));
} else {
  // bench/lib.js only here: the worker thread and the child processes this script times must not load it.
  parent(await import('./lib.js'));
}

/** One scan, one way; prints "<files passed> <facts> <CPU ms>". */
async function child(root, way, poolSize) {
  const worker = way === 'worker' ? new Worker(fileURLToPath(import.meta.url)) : undefined;
  const { listSourceFiles } = await import(dist('scan/index.js'));
  const { confinedFileSystem, nodeFileSystem } = await import(dist('fs.js'));
  const { MAX_SOURCE_FILE_BYTES } = await import(dist('languages/modules.js'));
  const fs = confinedFileSystem(nodeFileSystem, root);
  const files = listSourceFiles({ fs, root });
  const facts = [];
  let passed = 0;
  /** The scan's step for one file's bytes: prefilter, then analyze here or post to the worker. */
  const take = (index, bytes) => {
    const file = files[index];
    if (!file.language.prefilterBytes(bytes)) return;
    passed++;
    const text = bytes.toString('utf8');
    if (worker) worker.postMessage({ index, language: file.language.id, text });
    else facts[index] = file.language.analyze(text);
  };
  if (way === 'pool') await readThroughPool(root, files, poolSize, MAX_SOURCE_FILE_BYTES, take);
  else {
    for (let index = 0; index < files.length; index++) {
      const file = files[index];
      const raw = fs.readBytesTransient(`${root}/${file.relative}`, MAX_SOURCE_FILE_BYTES, file.listedRegular);
      take(index, Buffer.from(raw.buffer, raw.byteOffset, raw.length));
    }
  }
  const count = worker
    ? await new Promise((resolve) => {
        worker.once('message', (all) => resolve(all.length));
        worker.postMessage(null);
      })
    : facts.filter(Boolean).length;
  const cpu = process.cpuUsage();
  console.log(`${passed} ${count} ${Math.round((cpu.user + cpu.system) / 1000)}`);
  process.exit(0);
}

/**
 * open/read/close of every file on libuv's thread pool, `size` in flight; `take` runs on the main thread. Without the
 * confined file system's per-directory check (src/fs.ts) that the one-thread way pays: if anything, this favours the pool.
 */
function readThroughPool(root, files, size, cap, take) {
  // The scanner's open flags (src/fs.ts): a FIFO swapped in never blocks the open.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
  return new Promise((resolve, reject) => {
    let next = 0;
    let active = 0;
    const buffers = Array.from({ length: size }, () => Buffer.allocUnsafe(cap + 1));
    const free = buffers.map((_, slot) => slot);
    const start = () => {
      while (active < size && next < files.length) {
        active++;
        one(next++, free.pop());
      }
      if (active === 0) resolve();
    };
    const one = (index, slot) => {
      open(`${root}/${files[index].relative}`, flags, (error, fd) => {
        if (error) return reject(error);
        // One read of up to the cap (+1 to see a file over it): these files are far below it.
        read(fd, buffers[slot], 0, cap + 1, null, (readError, length) => {
          if (readError) return reject(readError);
          take(index, buffers[slot].subarray(0, length));
          close(fd, () => {
            free.push(slot);
            active--;
            start();
          });
        });
      });
    };
    start();
  });
}

function parent({ median, STATIC_SCALE_TREES, staticScaleTreeReady }) {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
  const poolSize = Number(args[args.indexOf('--pool') + 1]) || 16;
  const onlyShape = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : undefined;
  for (const [shape, dir] of Object.entries(STATIC_SCALE_TREES)) {
    if (onlyShape && onlyShape !== shape) continue;
    if (!staticScaleTreeReady(dir)) {
      console.log(`${shape}: no tree at ${dir} (run node bench/static-scale.js --shape ${shape} once)`);
      continue;
    }
    const ways = ['one', 'pool', 'worker'];
    const wall = Object.fromEntries(ways.map((way) => [way, []]));
    const cpu = Object.fromEntries(ways.map((way) => [way, []]));
    const outputs = {};
    const loads = [];
    for (let run = 0; run < runs; run++) {
      for (const way of ways) {
        const started = performance.now();
        const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dir, way, String(poolSize)], { encoding: 'utf8' });
        wall[way].push(performance.now() - started);
        if (result.status !== 0) throw new Error(`${way}: exit ${result.status}: ${result.stderr}`);
        const [passed, facts, cpuMs] = result.stdout.trim().split(' ').map(Number);
        cpu[way].push(cpuMs);
        outputs[way] = `${passed} passed, ${facts} analyzed`;
        loads.push(os.loadavg()[0]);
      }
    }
    console.log(`${shape} (${outputs.one}; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}), median of ${runs}:`);
    for (const way of ways) {
      const ratio = way === 'one' ? '' : `   ${(median(wall[way]) / median(wall.one)).toFixed(2)}× the wall, ${(median(cpu[way]) / median(cpu.one)).toFixed(2)}× the CPU of one thread`;
      const same = outputs[way] === outputs.one ? '' : `  (${outputs[way]}: NOT the same files)`;
      console.log(`  ${way.padEnd(7)} wall ${median(wall[way]).toFixed(0).padStart(5)} ms  CPU ${String(median(cpu[way])).padStart(5)} ms${ratio}${same}`);
    }
  }
}
