import type { Command } from 'commander';
import { check } from '../../check.js';
import { addOutputOptions, emitReport, validateOutputOptions, type OutputOptions } from '../common.js';
import { addStaticOptions, addStaticQueueOption, PROJECT_DIR_ARGUMENT, projectConfig, resolveProjectDir, resolveStatic, type StaticCliOptions } from '../stages.js';

export function registerStatic(program: Command): void {
  const command = program
    .command('static')
    .argument('[dir]', PROJECT_DIR_ARGUMENT, '.')
    .description('the static stage alone: deployment configs + source code, no network');
  addStaticOptions(command);
  addStaticQueueOption(command);
  addOutputOptions(command);
  command.action(async (dir: string, options: OutputOptions & StaticCliOptions) => {
    const { failOn } = validateOutputOptions(options);
    const root = await resolveProjectDir(dir, Boolean(options.env || options.source));
    const config = await projectConfig(root);
    const report = await check({
      failOn,
      static: resolveStatic(root, options, config),
      ...(config.rules ? { ruleOverrides: config.rules } : {}),
    });
    await emitReport(report, options);
  });
}
