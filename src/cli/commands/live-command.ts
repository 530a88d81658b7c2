import type { Command } from 'commander';
import type { ProjectConfig } from '../../config/index.js';
import type { LiveOptions } from '../../live/index.js';
import { applyOverrides, buildReport } from '../../report/build.js';
import type { Severity } from '../../types.js';
import { addOutputOptions, emitReport, warnLocationlessSarif, type OutputOptions } from '../common.js';
import { addLiveOptions, addStaticOptions, liveBackendList, PROJECT_DIR_ARGUMENT, type LiveCliOptions, type StaticCliOptions } from '../live-options.js';
import { parseNumber } from '../parse.js';

export type LiveCommandOptions = OutputOptions & LiveCliOptions & StaticCliOptions & { watch?: string | boolean };

/**
 * The `live` command's argument and options, without its action: the full CLI (commands/live.ts) and the `live`
 * bundle (src/cli/live-main.ts) define it with this one function, so both parse, help and refuse alike.
 */
export function defineLiveCommand(program: Command): Command {
  const command = program
    .command('live')
    .argument('[dir]', `${PROJECT_DIR_ARGUMENT}: compare live workers with its configuration (config-live-drift)`)
    .description(`the live stage alone: read-only inspection of the workers and queues in Redis (${liveBackendList('and')}), and of Celery on RabbitMQ (--broker)`);
  addLiveOptions(command);
  addStaticOptions(command);
  addOutputOptions(command);
  command.option('--watch [seconds]', 'refresh the view in place every SECONDS (default 2) until Ctrl-C, like `rq info --interval`');
  return command;
}

/** Reads the live targets and writes the report, once or every `--watch` seconds: what follows the set-up in both CLIs. */
export async function inspectLive(live: LiveOptions, config: ProjectConfig, root: string | undefined, options: LiveCommandOptions, failOn: Severity): Promise<void> {
  const { runLive } = await import('../../live/index.js');
  let warned = false;
  const inspect = async () => {
    // Standalone: an unreachable Redis or RabbitMQ is an UnreachableError → exit 2.
    const result = await runLive(live);
    // Once there is a report (an exit 2 stays one line), and once for all --watch refreshes.
    if (!warned) warnLocationlessSarif(options, root);
    warned = true;
    const watching = options.watch !== undefined && options.watch !== false;
    await emitReport(buildReport(applyOverrides(result.findings, config.rules), { live: result.section }, failOn), watching ? { ...options, watching } : options);
  };
  if (options.watch === undefined || options.watch === false) return inspect();
  const { CLEAR_SCREEN, watchLoop } = await import('../../live/watch.js');
  const seconds = options.watch === true ? 2 : parseNumber('--watch', options.watch, { min: 0.1 });
  const clear = process.stdout.isTTY && !options.output;
  // Each refresh sets process.exitCode, so the exit code is the last refresh's.
  await watchLoop(async () => {
    if (clear) process.stdout.write(CLEAR_SCREEN);
    await inspect();
  }, seconds * 1000);
}
