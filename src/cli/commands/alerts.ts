import type { Command } from 'commander';
import { parseNumber } from '../parse.js';

interface AlertsCliOptions {
  for: string;
  stuckAfter: string;
  job: string;
}

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description("print Prometheus alerting rules for the exporter's metrics (queue without consumer, stuck jobs, stale workers, exporter down or failing)")
    .option('--for <duration>', 'how long a condition holds before the alert fires (Prometheus duration)', '5m')
    .option('--stuck-after <seconds>', 'oldest waiting job age that counts as stuck', '120')
    .option('--job <name>', "the exporter's scrape job name in Prometheus (for the exporter-down alert)", 'receipts-doctor')
    .action(async (options: AlertsCliOptions) => {
      const { formatAlertRules, parseDuration, parseJob } = await import('../../exporter/alerts.js');
      const rules = {
        for: parseDuration('--for', options.for),
        stuckAfterSeconds: parseNumber('--stuck-after', options.stuckAfter),
        job: parseJob(options.job),
      };
      const command = `receipts-doctor alerts --for ${rules.for} --stuck-after ${rules.stuckAfterSeconds} --job ${rules.job}`;
      process.stdout.write(formatAlertRules(rules, command));
    });
}
