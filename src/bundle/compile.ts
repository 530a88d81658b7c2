import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { RunEnd } from '../cli/run.js';

/**
 * The CLI bundled into CommonJS files by scripts/bundle.js, each with V8's code cache beside it (`<file>.cache`, made by
 * scripts/code-cache.js at build time from warm-up runs). CommonJS because Node 20 can compile a script with a code
 * cache (vm.Script's cachedData) but has no such cache for ES modules: with the cache a start skips parsing and
 * compiling most of the CLI, the stage it runs and its formatters.
 */
export interface Bundle {
  /** The bundle's file. */
  file: string;
  /** Its code cache. */
  cache: string;
}

const bundle = (name: string): Bundle => {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return { file, cache: `${file}.cache` };
};

/** The whole CLI, from dist/cli/index.js. */
export const FULL_BUNDLE = bundle('cli.cjs');
/** The `live` command alone, from dist/cli/live-main.js: no static stage (a run with a project dir is handed to FULL_BUNDLE). */
export const LIVE_BUNDLE = bundle('live.cjs');
export const BUNDLES = [FULL_BUNDLE, LIVE_BUNDLE] as const;

/** What a bundle exports (src/cli/index.ts, src/cli/live-main.ts): its run, settled when the command is done. */
export interface BundleExports {
  finished?: Promise<RunEnd>;
}

/**
 * Node's CommonJS wrapper plus `__import`: the bundle loads its external ES modules (bullmq, ioredis, execa) through
 * it, because an `import()` inside a vm.Script needs an experimental loader option in Node 20. scripts/bundle.js
 * writes the bundle wrapped, so the file's text is the script's source as it is: a source joined from three strings
 * would be copied into one by V8 before compiling, 1.4 MB of fresh memory on every start (`--version` took 1.08×,
 * BENCHMARKS.md "Ninth round").
 */
export function wrapBundle(code: string): string {
  return `(function (exports, require, module, __filename, __dirname, __import) {${code}\n})`;
}

/** Compiles a bundle, with `cachedData` when given (V8 falls back to compiling when it rejects the cache). */
export function compileBundle(bundle: Bundle, cachedData?: Buffer): vm.Script {
  // latin1: scripts/bundle.js writes it in ASCII, so this is the same text, read without decoding UTF-8.
  const source = readFileSync(bundle.file, 'latin1');
  return new vm.Script(source, { filename: bundle.file, ...(cachedData ? { cachedData } : {}) });
}

/** Runs a compiled bundle as Node runs a CommonJS main module; returns its exports. */
export function runBundle(bundle: Bundle, script: vm.Script): BundleExports {
  const module: { exports: BundleExports } = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const load = (specifier: string): Promise<unknown> => import(specifier);
  wrapper(module.exports, createRequire(bundle.file), module, bundle.file, path.dirname(bundle.file), load);
  return module.exports;
}
