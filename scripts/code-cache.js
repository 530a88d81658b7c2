#!/usr/bin/env node
// Makes V8's code cache for dist/bundle/cli.cjs (run by scripts/bundle.js). The cache is taken after warm-up runs of
// the CLI in one process (`--warm`, below): it holds the bytecode of the top level, the CLI and the functions a static
// run and a refused live connection call — what most runs need — and no more. Why not every function (V8's
// `--no-lazy`, as before): V8 deserializes the whole cache before the first line runs — 39 ms of a `live` run for the
// 2.1 MB cache of every function, 16 ms for this one (BENCHMARKS.md, "Seventh round") — more than the functions a run
// still compiles lazily cost. The warm-ups read only the fixtures the package ships and make no network connection but
// one refused on the loopback. Then checks that a plain process accepts the cache.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const compile = new URL('../dist/bundle/compile.js', import.meta.url);
const { CACHE_FILE, compileBundle, runBundle } = await import(compile.href);
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

/** The CLI runs the cache is taken after, one after the other in one process (their output is not kept). */
const warmUps = async () => [
  ['static', fixture('incident'), '--format', 'json'],
  ['static', fixture('prosaas')],
  // The connection is refused at once (exit 2): what runs is the live command up to its first read.
  ['live', '--redis', `redis://127.0.0.1:${await closedPort()}`, '--format', 'json'],
];

if (process.argv[2] === '--check') {
  // Exit 0 when V8 accepts the cache (also run by the tests).
  const script = compileBundle(readFileSync(CACHE_FILE));
  process.exit(script.cachedDataRejected ? 1 : 0);
}

if (process.argv[2] === '--warm') {
  const script = compileBundle();
  for (const args of await warmUps()) {
    process.argv = [process.argv[0], BIN, ...args];
    await runBundle(script).finished;
  }
  writeFileSync(CACHE_FILE, script.createCachedData());
  process.exitCode = 0;
} else {
  try {
    // The warm-ups' own messages (the refused connection) are shown only when making the cache failed.
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--warm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`making the code cache failed (${CACHE_FILE}):\n${error.stderr ?? error.message}`);
  }
  try {
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--check'], { stdio: 'inherit' });
  } catch {
    throw new Error(`V8 rejected the code cache it just made (${CACHE_FILE}); is NODE_OPTIONS setting V8 flags?`);
  }
}
