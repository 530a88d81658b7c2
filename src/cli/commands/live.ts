import type { Command } from 'commander';
import { driftConfig, liveOptionsForProject } from '../../check.js';
import { validateOutputOptions } from '../common.js';
import { runProjectStatic, setUpLiveCommand } from '../stages.js';
import { defineLiveCommand, inspectLive, type LiveCommandOptions } from './live-command.js';

/** `live` in the full CLI: with a project dir, its static section first (the `live` bundle hands such runs over here). */
export function registerLive(program: Command): void {
  defineLiveCommand(program).action(async (dir: string | undefined, options: LiveCommandOptions) => {
    const { failOn } = validateOutputOptions(options);
    const { root, config, live: liveOptions, environment } = await setUpLiveCommand('live', dir, options);
    let live = liveOptions;
    if (root) {
      // Loaded only with a project dir: `live --redis URL` alone never pays for the compose loader and scanner.
      const section = await runProjectStatic(root, options, config, environment);
      live = liveOptionsForProject(liveOptions, section, driftConfig(section, environment));
    }
    await inspectLive(live, config, root, options, failOn);
  });
}
