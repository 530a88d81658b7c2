import { describe, expect, it } from 'vitest';
import { fixture, runCli } from './helpers/cli.js';

/** Bad compose input: exit 2, one `file:line[:col]: reason` line on stderr, no stack trace, no hang. */
const cases: [name: string, locationPattern: RegExp | null][] = [
  ['invalid-yaml', /bad\/invalid-yaml\/docker-compose\.yml:5:18: invalid YAML: Missing closing "quote for the string that starts here$/],
  ['invalid-model', /bad\/invalid-model\/docker-compose\.yml:[45](:\d+)?: /],
  ['missing-extends', /docker-compose\.yml:\d+(:\d+)?: /],
  ['extends-cycle', /docker-compose\.yml:\d+(:\d+)?: /],
  ['alias-bomb', /docker-compose\.yml/],
  ['duplicate-merge-key', /docker-compose\.yml:\d+(:\d+)?: /],
  ['interpolation-error', /docker-compose\.yml:5(:\d+)?: .*QUEUES must be set/],
  ['binary', /docker-compose\.yml/],
  ['no-compose', null],
];

describe('bad compose input', () => {
  it.each(cases)('%s exits 2 with one clear line', async (name, locationPattern) => {
    const result = await runCli(['static', fixture('bad', name)], { timeout: 20_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('internal error');
    if (locationPattern) expect(result.stderr).toMatch(locationPattern);
  });
});
