#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/index.js, from tsc) into dist/bundle/, which bin/receipts-doctor.js runs.
// Why: start-up was dominated by Node resolving, reading and compiling about 90 ES modules and 70 CommonJS files of
// the dependencies one by one (docs/CONTRACT.md §8: start-up within 2.5× of `node -e 0`). One bundle with a chunk per
// dynamic import keeps what was lazy lazy (a stage, a formatter, a source's parser load only when used) while a run
// reads a handful of files. bullmq, ioredis and execa stay external: only `serve`, `demo` and the kustomize source
// load them, and they are large.
// dist/bundle/ sits two levels below the package root like dist/<folder>/, so `new URL('../../fixtures/…',
// import.meta.url)` in a bundled module points where it does in the unbundled one; the version is inlined.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * commander requires node:child_process at load time for executable subcommands, which this CLI has none of; that one
 * require loads child_process, net, dgram and the streams (≈ 5 ms of every start). Inside commander it becomes a
 * proxy that requires the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'dist/cli/index.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  external: ['bullmq', 'ioredis', 'execa'],
  define: { __RECEIPTS_DOCTOR_VERSION__: JSON.stringify(version) },
  // The CommonJS dependencies (yaml, commander, cli-table3) call require() for Node's built-ins. Every chunk gets this
  // banner; the require function is made on first use, as most chunks never call it.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; let __require_; const require = (id) => (__require_ ??= __createRequire(import.meta.url))(id);",
  },
  legalComments: 'none',
  plugins: [lazyChildProcessForCommander],
  // Not minified: it measured no faster to start (1.04× the unminified median, 20 interleaved runs), and
  // `--verbose` stack traces stay readable.
  logLevel: 'warning',
});
