#!/usr/bin/env node
// Makes V8's code cache for dist/bundle/cli.cjs (run by scripts/bundle.js): the bundle compiled with every function
// eager (`--no-lazy`), so the cache holds the bytecode of the whole CLI and a run compiles none of it. The flag is set
// back before the cache is written: V8 stamps the cache with a hash of the flags and rejects it under other flags.
// Then checks that a plain process accepts it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const compile = new URL('../dist/bundle/compile.js', import.meta.url);
const { CACHE_FILE, compileBundle } = await import(compile.href);

if (process.argv[2] === '--check') {
  // Exit 0 when V8 accepts the cache (also run by the tests).
  const script = compileBundle(readFileSync(CACHE_FILE));
  process.exit(script.cachedDataRejected ? 1 : 0);
}

v8.setFlagsFromString('--no-lazy');
const script = compileBundle();
v8.setFlagsFromString('--lazy');
writeFileSync(CACHE_FILE, script.createCachedData());
try {
  execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--check'], { stdio: 'inherit' });
} catch {
  throw new Error(`V8 rejected the code cache it just made (${CACHE_FILE}); is NODE_OPTIONS setting V8 flags?`);
}
