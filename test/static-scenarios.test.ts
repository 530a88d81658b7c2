import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runJson } from './helpers/cli.js';

interface ScenarioCase {
  args: string[];
  exitCode: number;
  /** [rule, queue, environment] in report order; null where the finding has no such field. */
  findings: [string, string | null, string | null][];
}

const projects = [
  'prosaas',
  'incident',
  ...readdirSync(fixture('scenarios')).map((name) => join('scenarios', name)),
];

describe.each(projects)('static verdict of fixtures/%s', (project) => {
  const cases = JSON.parse(readFileSync(fixture(project, 'expected.json'), 'utf8')) as ScenarioCase[];
  it.each(cases.map((c) => [c.args.join(' ') || '(no flags)', c] as const))('%s', async (_label, scenario) => {
    const result = await runJson(['static', fixture(project), ...scenario.args]);
    expect(result.stderr).toBe('');
    expect(result.report, result.stdout).toBeDefined();
    const actual = result.report!.findings.map((finding) => [finding.rule, finding.queue ?? null, finding.environment ?? null]);
    expect(actual).toEqual(scenario.findings);
    expect(result.exitCode).toBe(scenario.exitCode);
  });
});
