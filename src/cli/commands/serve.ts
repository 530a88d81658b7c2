import type { Command } from 'commander';
import { InputError } from '../../errors.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the embedded API/worker pair (BullMQ) implementing the sync contract')
    .action(() => {
      throw new InputError('serve is not implemented yet.');
    });
}
