import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * The whole CLI as one CommonJS file, made by scripts/bundle.js from dist/cli/index.js. CommonJS because Node 20 can
 * compile a script with a V8 code cache (vm.Script's cachedData) but has no such cache for ES modules: with the
 * cache a start skips parsing and compiling the CLI, the stage it runs and its formatters.
 */
export const BUNDLE_FILE = fileURLToPath(new URL('./cli.cjs', import.meta.url));
/** V8's code cache for BUNDLE_FILE, made by scripts/code-cache.js at build time (what its warm-up runs compiled). */
export const CACHE_FILE = `${BUNDLE_FILE}.cache`;

/**
 * Node's CommonJS wrapper plus `__import`: the bundle loads its external ES modules (bullmq, ioredis, execa) through
 * it, because an `import()` inside a vm.Script needs an experimental loader option in Node 20. The cache build and
 * every run must wrap the file identically (V8 checks the source length against the cache).
 */
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname, __import) {';
const WRAPPER_END = '\n})';

/** Compiles the bundle, with `cachedData` when given (V8 falls back to compiling when it rejects the cache). */
export function compileBundle(cachedData?: Buffer): vm.Script {
  // latin1: scripts/bundle.js writes it in ASCII, so this is the same text, read without decoding UTF-8.
  const source = `${WRAPPER_START}${readFileSync(BUNDLE_FILE, 'latin1')}${WRAPPER_END}`;
  return new vm.Script(source, { filename: BUNDLE_FILE, ...(cachedData ? { cachedData } : {}) });
}

/** Runs the compiled bundle as Node runs a CommonJS main module; returns its exports (src/cli/index.ts's). */
export function runBundle(script: vm.Script): { finished?: Promise<void> } {
  const module: { exports: { finished?: Promise<void> } } = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const load = (specifier: string): Promise<unknown> => import(specifier);
  wrapper(module.exports, createRequire(BUNDLE_FILE), module, BUNDLE_FILE, path.dirname(BUNDLE_FILE), load);
  return module.exports;
}
