import type { Command } from 'commander';
import { useColor } from '../common.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("a newcomer's tour: the pair, a healthy check, the incident diagnosed")
    .option('--no-color', 'never colour the output (NO_COLOR too)')
    .action(async (options: { color: boolean }) => {
      const { runDemo } = await import('../../demo/tour.js');
      const result = await runDemo({
        write: (text) => process.stdout.write(text),
        color: useColor({ color: options.color }),
      });
      // The tour itself succeeded when the healthy check passed and the incident was caught in every stage.
      process.exitCode = result.asExpected ? 0 : 1;
    });
}
