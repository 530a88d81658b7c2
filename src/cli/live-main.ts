import { defineLiveCommand, inspectLive, type LiveCommandOptions } from './commands/live-command.js';
import { validateOutputOptions } from './common.js';
import { liveSetup } from './live-options.js';
import { rootProgram } from './root.js';
import { HandOver, runProgram, type RunEnd } from './run.js';

/**
 * The `live` command as a bundle of its own (scripts/bundle.js makes dist/bundle/live.cjs; src/bundle/cli.ts runs it
 * for `receipts-doctor live …`). `live --redis URL` is what on-call engineers and the exporter's users run most, and
 * the full bundle's start (reading 1.4 MB of code, its cache, initialising every framework's static parts) was most of
 * its time above the floor (BENCHMARKS.md, "Seventh round"). With a project dir the run needs the static stage: it is
 * handed to the full CLI before anything is read, which parses the same arguments again.
 */
const program = rootProgram((root) => {
  defineLiveCommand(root).action(async (dir: string | undefined, options: LiveCommandOptions) => {
    if (dir !== undefined) throw new HandOver();
    const { failOn } = validateOutputOptions(options);
    // What the full CLI's set-up does without a dir: no project, so no config file.
    const { config, live } = liveSetup('live', undefined, {}, options);
    await inspectLive(live, config, undefined, options, failOn);
  });
});

/** Settles when the command has run, or with 'hand-over' for a run the full CLI makes. */
export const finished: Promise<RunEnd> = runProgram(program);
