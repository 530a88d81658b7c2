// What bin/receipts-doctor.js runs: the bundled CLI (compile.ts says why it is one CommonJS file), with its code cache.
import { readFileSync } from 'node:fs';
import { CACHE_FILE, compileBundle, runBundle } from './compile.js';

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(CACHE_FILE);
} catch {
  // Built without a cache (or it was removed): the bundle is compiled as usual.
}
const { finished } = runBundle(compileBundle(cachedData));

/** Handles that stay open once a command is done without keeping anything to do: the standard streams' own. */
const IDLE_STANDARD_STREAMS = new Set(['TTYWrap', 'PipeWrap']);

// Once the command is done and nothing is left but the idle standard streams, the process exits at once. Node's own
// exit would first let V8 finish background GC work — incremental marking that started near the end of a large static
// scan, ≈ 12 ms of a 650 ms run (BENCHMARKS.md, "Seventh round") — that nothing needs. With anything else alive (a
// server, a socket still closing, a timer, a write in flight) the process ends as it always did. Checked on the next
// turn of the loop: a failed write to stdout reports its error on a later tick (src/cli/index.ts answers it, exit 2).
void finished?.then(() =>
  setImmediate(() => {
    const idle = process.getActiveResourcesInfo().every((resource) => IDLE_STANDARD_STREAMS.has(resource));
    const flushed = [process.stdout, process.stderr].every((stream) => stream.writableLength === 0 && !stream.errored);
    if (idle && flushed) process.exit();
  }),
);
