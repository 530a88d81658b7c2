#!/usr/bin/env node
// Makes V8's code cache for each bundle of dist/bundle/ (run by scripts/bundle.js). A cache is taken after warm-up runs
// of its CLI in one process (`--warm`, below): it holds the bytecode of the top level, the CLI and the functions the
// warm-ups called — what most runs need — and no more. Why not every function (V8's `--no-lazy`, as before): V8
// deserializes the whole cache before the first line runs — 39 ms of a `live` run for the 2.1 MB cache of every
// function, 16 ms for one taken after warm-ups (BENCHMARKS.md, "Seventh round") — more than the functions a run still
// compiles lazily cost. The warm-ups read only the fixtures the package ships and make no network connection but one
// refused on the loopback. Then checks that a plain process accepts each cache.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const compile = new URL('../dist/bundle/compile.js', import.meta.url);
const { BUNDLES, compileBundle, LIVE_BUNDLE, runBundle } = await import(compile.href);
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const BIN = fileURLToPath(new URL('../bin/receipts-doctor.js', import.meta.url));

/** A loopback port nothing listens on: one this process was just given and closed again. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The CLI runs a bundle's cache is taken after, one after the other in one process (their output is not kept). */
async function warmUps(bundle) {
  // The connection is refused at once (exit 2): what runs is the live command up to its first read.
  const live = ['live', '--redis', `redis://127.0.0.1:${await closedPort()}`, '--format', 'json'];
  if (bundle === LIVE_BUNDLE) return [live];
  return [['static', fixture('incident'), '--format', 'json'], ['static', fixture('prosaas')], live];
}

const bundleNamed = (file) => BUNDLES.find((bundle) => bundle.file === path.resolve(file));

if (process.argv[2] === '--check') {
  // Exit 0 when V8 accepts the cache of the bundle named, or of every bundle (also run by the tests).
  const checked = process.argv[3] === undefined ? BUNDLES : [bundleNamed(process.argv[3])];
  if (checked.includes(undefined)) throw new Error(`--check ${process.argv[3]}: not a bundle (${BUNDLES.map((bundle) => bundle.file).join(', ')})`);
  const rejected = checked.filter((bundle) => compileBundle(bundle, readFileSync(bundle.cache)).cachedDataRejected);
  process.exit(rejected.length ? 1 : 0);
}

if (process.argv[2] === '--warm') {
  const bundle = bundleNamed(process.argv[3]);
  const script = compileBundle(bundle);
  for (const args of await warmUps(bundle)) {
    process.argv = [process.argv[0], BIN, ...args];
    await runBundle(bundle, script).finished;
  }
  writeFileSync(bundle.cache, script.createCachedData());
  process.exitCode = 0;
} else {
  const self = fileURLToPath(import.meta.url);
  for (const bundle of BUNDLES) {
    try {
      // The warm-ups' own messages (the refused connection) are shown only when making the cache failed.
      execFileSync(process.execPath, [self, '--warm', bundle.file], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`making the code cache failed (${bundle.cache}):\n${error.stderr ?? error.message}`);
    }
    try {
      execFileSync(process.execPath, [self, '--check', bundle.file], { stdio: 'inherit' });
    } catch {
      throw new Error(`V8 rejected the code cache it just made (${bundle.cache}); is NODE_OPTIONS setting V8 flags?`);
    }
  }
}
