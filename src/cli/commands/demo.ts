import type { Command } from 'commander';
import { InputError } from '../../errors.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("a newcomer's tour: the pair, a healthy check, the incident diagnosed")
    .action(() => {
      throw new InputError('demo is not implemented yet.');
    });
}
