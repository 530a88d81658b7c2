#!/usr/bin/env -S node --
// `--` ends node's own options: without it, Node 20 reads a script argument `--env-file FILE` itself, before this
// CLI runs (nodejs/node#54232), so `--env-file /dev/zero` or a FIFO would hang node instead of being refused here.
// dist/bundle/cli.js (src/bundle/cli.ts) runs the CLI bundled into one file, with V8's code cache (scripts/bundle.js).
import '../dist/bundle/cli.js';
