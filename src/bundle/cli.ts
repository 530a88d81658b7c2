// What bin/receipts-doctor.js runs (bundled by scripts/bundle.js into dist/bundle/start.cjs, CommonJS like the bin): the
// bundle for `receipts-doctor live …`, the full one for everything else and for a `live` run it hands over.
import { readFileSync } from 'node:fs';
import { compileBundle, FULL_BUNDLE, LIVE_BUNDLE, runBundle, type Bundle, type BundleExports } from './compile.js';

function start(bundle: Bundle): BundleExports {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(bundle.cache);
  } catch {
    // Built without a cache (or it was removed): the bundle is compiled as usual.
  }
  return runBundle(bundle, compileBundle(bundle, cachedData));
}

/** Handles that stay open once a command is done without keeping anything to do: the standard streams' own. */
const IDLE_STANDARD_STREAMS = new Set(['TTYWrap', 'PipeWrap']);

async function main(): Promise<void> {
  // `live` as the first argument is the live command (the program has no option that takes a value before it).
  let end = await start(process.argv[2] === 'live' ? LIVE_BUNDLE : FULL_BUNDLE).finished;
  if (end === 'hand-over') end = await start(FULL_BUNDLE).finished;
  // A bundle that says nothing of its end (one built before `finished`) ends as Node ends it.
  if (end === undefined) return;
  // Once the command is done and nothing is left but the idle standard streams, the process exits at once. Node's
  // own exit would first let V8 finish background GC work — incremental marking that started near the end of a large
  // static scan, ≈ 12 ms of a 650 ms run (BENCHMARKS.md, "Seventh round") — that nothing needs. With anything else
  // alive (a server, a socket still closing, a timer, a write in flight) the process ends as it always did. Checked
  // on the next turn of the loop: a failed write to stdout reports its error on a later tick (src/cli/run.ts answers
  // it, exit 2).
  setImmediate(() => {
    const idle = process.getActiveResourcesInfo().every((resource) => IDLE_STANDARD_STREAMS.has(resource));
    const flushed = [process.stdout, process.stderr].every((stream) => stream.writableLength === 0 && !stream.errored);
    if (idle && flushed) process.exit();
  });
}

void main();
