#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/index.js, from tsc) into dist/bundle/cli.cjs, one CommonJS file, and the `live`
// command alone (dist/cli/live-main.js) into dist/bundle/live.cjs, then makes V8's code cache for each
// (scripts/code-cache.js). bin/receipts-doctor.js requires dist/bundle/start.cjs (src/bundle/cli.ts and compile.ts,
// bundled too), which compiles the bundle the command needs with its cache.
// Why: start-up was dominated first by Node resolving, reading and compiling about 90 ES modules and 70 CommonJS files
// of the dependencies one by one, then by compiling the bundle's ES module chunks (docs/CONTRACT.md §8: start-up within
// 2.5× of `node -e 0`). Node 20 caches compiled code only for scripts (vm.Script), not for ES modules, hence
// CommonJS; the cache holds what warm-up runs of the CLI compiled, so a run compiles little of it. bullmq, ioredis and execa stay
// external ES modules, loaded through `__import` (src/bundle/compile.ts): only `serve`, `demo` and the kustomize
// source load them, and they are large.
// dist/bundle/ sits two levels below the package root like dist/<folder>/, so `new URL('../../fixtures/…',
// import.meta.url)` in a bundled module points where it does in the unbundled one; the version is inlined.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const EXTERNAL = ['bullmq', 'ioredis', 'execa'];
// Bundles are written wrapped as src/bundle/compile.ts compiles them (compile.js is tsc's, built before this script).
const { wrapBundle } = await import(new URL('../dist/bundle/compile.js', import.meta.url).href);

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

/**
 * What every file esbuild writes here shares: one CommonJS file for Node 20, where `import.meta.url` is the file's own
 * URL. Not minified: it measured no faster to start (1.04× the unminified median, 20 interleaved runs; again 1–2 ms of
 * reading in the seventh round), and `--verbose` stack traces stay readable.
 */
const COMMONJS_FILE = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': '__importMetaUrl' },
  // The banner comes before everything esbuild writes, its "use strict" too, which is then no directive but a string
  // statement: the banner says it first, so the CLI runs in strict mode as its ES modules (and the tests) do.
  banner: { js: "'use strict'; const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
};

/** Bundles one entry of dist/cli/ into dist/bundle/<name>, checked and written in ASCII (below). */
async function bundle(entry, name) {
  const outfile = path.join(root, 'dist/bundle', name);
  await build({
    ...COMMONJS_FILE,
    entryPoints: [entry],
    outfile,
    external: EXTERNAL,
    define: { ...COMMONJS_FILE.define, __RECEIPTS_DOCTOR_VERSION__: JSON.stringify(version) },
    plugins: [lazyChildProcessForCommander],
  });

  // esbuild keeps `import("bullmq")` for the external ES modules; inside a vm.Script that needs an experimental
  // option, so they go through the wrapper's `__import`. Any other `import(` left would fail at run time: refuse it.
  const externalImport = new RegExp(`\\bimport\\((["'])(${EXTERNAL.join('|')})\\1\\)`, 'g');
  const bundled = readFileSync(outfile, 'utf8').replace(externalImport, '__import($1$2$1)');
  const stray = bundled.split('\n').filter((line) => /(?<![\w$.])import\(/.test(line));
  if (stray.length > 0) throw new Error(`dist/bundle/${name}: import() the wrapper does not handle:\n${stray.join('\n')}`);
  // ASCII only (src/bundle/compile.ts reads it as latin1: a one-byte string, without UTF-8 decoding, ~10 ms less per
  // start). esbuild escapes strings already; what is left is in comments and regular expression literals, where
  // `\uXXXX` means the same character. Refused: a template's raw text would differ (`String.raw`), and so would a
  // character escaped with a backslash (`\…` would become `\\u2026`).
  if (/String\.raw|\\[^\x00-\x7f]/.test(bundled)) throw new Error(`dist/bundle/${name}: a non-ASCII character that cannot be written as \\uXXXX`);
  const ascii = bundled.replace(/[^\x00-\x7f]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(outfile, wrapBundle(ascii));
}

// The whole CLI, and the `live` command alone (src/cli/live-main.ts says why).
await bundle('dist/cli/index.js', 'cli.cjs');
await bundle('dist/cli/live-main.js', 'live.cjs');

// What the bin requires: the start (src/bundle/cli.ts) as CommonJS, like the bin itself (bin/package.json). An ES
// module entry has Node start its ES module loader first, and an ES module importing `node:fs` reads every export of
// it (the lazy streams included): ≈ 14 ms of every start (BENCHMARKS.md, "Ninth round"). It only reads files and
// compiles the bundles, so it is a plain require()d file, without a code cache of its own.
await build({ ...COMMONJS_FILE, entryPoints: ['dist/bundle/cli.js'], outfile: path.join(root, 'dist/bundle/start.cjs') });

execFileSync(process.execPath, [path.join(root, 'scripts/code-cache.js')], { stdio: 'inherit' });
