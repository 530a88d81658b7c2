#!/usr/bin/env -S node --
// `--` ends node's own options: without it, Node 20 reads a script argument `--env-file FILE` itself, before this
// CLI runs (nodejs/node#54232), so `--env-file /dev/zero` or a FIFO would hang node instead of being refused here.
// dist/bundle/ is the bundled build of dist/cli (scripts/bundle.js): a handful of files to load instead of ~160.
import '../dist/bundle/cli.js';
