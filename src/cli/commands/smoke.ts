import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { buildReport } from '../../report/build.js';
import { addOutputOptions, emitReport, validateOutputOptions, type OutputOptions } from '../common.js';
import { addSmokeOptions, resolveSmoke, type SmokeCliOptions } from '../stages.js';

export function registerSmoke(program: Command): void {
  const command = program
    .command('smoke')
    .description('the smoke stage alone: POST the sync, follow the job to finished, time each phase');
  addSmokeOptions(command);
  addOutputOptions(command);
  command.action(async (options: OutputOptions & SmokeCliOptions) => {
    const { failOn } = validateOutputOptions(options);
    const smoke = resolveSmoke(options, {});
    if (!smoke) throw new InputError('smoke needs --url URL (or RECEIPTS_DOCTOR_URL).');
    const { runSmoke } = await import('../../smoke/index.js');
    const progress = options.quiet ? undefined : (await import('../../smoke/progress.js')).ttyProgress(process.stderr);
    let result;
    try {
      result = await runSmoke({ ...smoke, ...(progress ? { onProgress: progress.onProgress } : {}) });
    } finally {
      progress?.done();
    }
    // The doctor's own credentials are wrong: it could not do what was asked (exit 2), not a product failure.
    const refused = result.findings.find((finding) => finding.rule === 'smoke-unauthorized');
    if (refused) throw new InputError(`${refused.message} ${refused.hint ?? ''}`.trim());
    await emitReport(buildReport(result.findings, { smoke: result.section }, failOn), options);
  });
}
