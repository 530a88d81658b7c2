#!/usr/bin/env -S node --v8-pool-size=0 --
// --v8-pool-size=0: as many V8 background threads as the machine has cores beside this one (Node's default is 4
// whatever the machine). On two cores, four threads compiling and collecting beside the scan took the main thread's
// core from it: the static scan of a 12,000-module tree ran 8–10 % slower (BENCHMARKS.md, "Ninth round").
// `--` ends node's own options: without it, Node 20 reads a script argument `--env-file FILE` itself, before this
// CLI runs (nodejs/node#54232), so `--env-file /dev/zero` or a FIFO would hang node instead of being refused here.
// dist/bundle/start.cjs (src/bundle/cli.ts) runs the CLI bundled into one file, with V8's code cache
// (scripts/bundle.js). CommonJS, as bin/package.json says: an ES module entry would have Node start its ES module
// loader first, ≈ 14 ms of every start.
require('../dist/bundle/start.cjs');
