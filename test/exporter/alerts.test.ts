/**
 * `receipts-doctor alerts`: the rules file it prints passes `promtool check rules` (defaults and every flag), and the
 * default file passes the repository's `promtool test rules` unit tests (test/exporter/alerts.test.yml), which fire and
 * resolve each alert on the series the exporter serves.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const PROMTOOL = '/usr/bin/promtool';
const dir = mkdtempSync(join(tmpdir(), 'rd-alerts-'));

async function promtool(args: string[]) {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: apt-get install prometheus`);
  const result = await execa(PROMTOOL, args, { reject: false, cwd: dir });
  return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

/** Writes `receipts-doctor alerts ARGS` to dir/NAME and returns the parsed rules. */
async function writeRules(name: string, args: string[] = []) {
  const result = await runCli(['alerts', ...args]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  writeFileSync(join(dir, name), `${result.stdout}\n`);
  return parse(result.stdout) as { groups: { name: string; rules: { alert: string; expr: string; for: string }[] }[] };
}

describe('receipts-doctor alerts', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the repository’s promtool unit tests and promtool check rules', async () => {
    const rules = await writeRules('receipts-doctor.rules.yml');
    expect(rules.groups[0]!.rules.map((rule) => rule.alert)).toEqual([
      'ReceiptsQueueWithoutConsumer',
      'ReceiptsQueueJobsStuck',
      'ReceiptsStaleWorkers',
      'ReceiptsDoctorExporterDown',
      'ReceiptsDoctorReadFailing',
    ]);
    const check = await promtool(['check', 'rules', 'receipts-doctor.rules.yml']);
    expect(check.output).toContain('SUCCESS: 5 rules found');
    expect(check.exitCode).toBe(0);
    copyFileSync(join(REPO_ROOT, 'test/exporter/alerts.test.yml'), join(dir, 'alerts.test.yml'));
    const unit = await promtool(['test', 'rules', 'alerts.test.yml']);
    expect(unit.output).toContain('SUCCESS');
    expect(unit.output).not.toContain('FAILED');
    expect(unit.exitCode).toBe(0);
  });

  it('takes --for, --stuck-after and --job into the rules', async () => {
    const rules = await writeRules('custom.rules.yml', ['--for', '1h30m', '--stuck-after', '600', '--job', 'queues/doctor']);
    const byName = Object.fromEntries(rules.groups[0]!.rules.map((rule) => [rule.alert, rule]));
    expect(new Set(Object.values(byName).map((rule) => rule.for))).toEqual(new Set(['1h30m']));
    expect(byName.ReceiptsQueueJobsStuck!.expr).toMatch(/^receipts_doctor_queue_oldest_waiting_age_seconds > 600\n/);
    expect(byName.ReceiptsDoctorExporterDown!.expr).toBe('up{job="queues/doctor"} == 0\nor absent(up{job="queues/doctor"})');
    const check = await promtool(['check', 'rules', 'custom.rules.yml']);
    expect(check.exitCode).toBe(0);
  });

  it('exits 2 with one line for a bad flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--for', '5 minutes'], /--for expects a Prometheus duration/],
      [['--for', 'm5'], /--for expects a Prometheus duration/],
      [['--stuck-after', '-1'], /--stuck-after expects a number ≥ 0/],
      [['--job', 'a"b'], /--job expects the scrape job's name/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['alerts', ...args]);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });
});
