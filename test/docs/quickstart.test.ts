/**
 * The README's quick start as a newcomer runs it, on a fresh copy of the repository: the set-up's commands, then
 * every console sample's command as written, with its output compared to the README's (ports, timings, job ids and
 * worker names masked; `…` lines stand for the lines the README leaves out).
 *
 * The copy holds what a clone holds (git's tracked files, plus new ones not ignored, so the test also runs before a
 * commit). `npm ci` is the one step not run as written: it would download, so the copy links the shared
 * node_modules and runs what `npm ci` runs after installing (`prepare`, i.e. `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { requireBinary } from '../helpers/topology.js';
import { consoleSamples, fences, readDoc } from './markdown.js';

/** The exit code each README sample's command must end with (a new sample must be added here too). */
const EXIT_CODES: Record<string, number> = {
  'npx receipts-doctor demo': 0,
  'npx receipts-doctor static fixtures/incident': 1,
  'npx receipts-doctor static fixtures/scenarios/rails-mailers-trap': 1,
};

/** What varies from run to run, masked; table borders and padding collapsed (their widths follow the masked text). */
function normalize(line: string): string {
  return line
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, 'UUID')
    .replace(/\breceipts-doctor-[A-Za-z0-9.-]+?-\d+\b/g, 'WORKER')
    .replace(/\b\d+(\.\d+)?\s?(ms|s)\b/g, 'TIME')
    .replace(/─+/g, '─')
    .replace(/ +/g, ' ')
    .trimEnd();
}

const isGap = (line: string) => line.trim() === '…';

/**
 * Where the output departs from the sample, or undefined when it matches: the sample's lines in order, consecutive
 * except across a `…` line, from the first output line to the last unless a `…` opens or closes the sample.
 */
function sampleMismatch(sample: string[], output: string[]): string | undefined {
  const want = sample.map(normalize);
  const have = output.map(normalize);
  while (have.at(-1) === '') have.pop();
  while (want.at(-1) === '') want.pop();
  let cursor = 0;
  let index = 0;
  while (index < want.length) {
    const floating = isGap(want[index]!);
    while (index < want.length && isGap(want[index]!)) index += 1;
    if (index === want.length) return undefined;
    let end = index;
    while (end < want.length && !isGap(want[end]!)) end += 1;
    const segment = want.slice(index, end);
    const fits = (at: number) => segment.every((line, offset) => have[at + offset] === line);
    let at = cursor;
    if (floating) while (at + segment.length <= have.length && !fits(at)) at += 1;
    if (at + segment.length > have.length || !fits(at)) {
      const offset = segment.findIndex((line, i) => have[at + i] !== line);
      return `sample line "${segment[Math.max(offset, 0)]}" ${floating ? 'not found in order' : `≠ output line "${have[at + Math.max(offset, 0)] ?? '(end of output)'}"`}`;
    }
    cursor = at + segment.length;
    index = end;
  }
  return cursor === have.length ? undefined : `the output goes on after the sample ends: "${have[cursor]}"`;
}

describe('the README quick start on a fresh copy', () => {
  const readme = readDoc('README.md');
  const copy = mkdtempSync(path.join(tmpdir(), 'rd-quickstart-'));
  const env = {
    ...process.env,
    NO_COLOR: '1',
    REDIS_URL: undefined,
    RECEIPTS_DOCTOR_URL: undefined,
    RECEIPTS_DOCTOR_TOKEN: undefined,
    // npx finds the package's own bin in the copy; offline, a lookup it should never need fails instead of downloading.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  const sh = (command: string) => execa('sh', ['-c', command], { cwd: copy, env, reject: false, timeout: 240_000 });

  beforeAll(() => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file && file !== 'node_modules' && existsSync(path.join(REPO_ROOT, file)) && lstatSync(path.join(REPO_ROOT, file)).isFile());
    for (const file of files) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      copyFileSync(path.join(REPO_ROOT, file), path.join(copy, file));
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('the sample matcher: in order, consecutive except across …, masked', () => {
    const output = ['a', 'b 127.0.0.1:4242 12ms', 'c', 'd', 'e'];
    expect(sampleMismatch(['a', 'b 127.0.0.1:1 3.5 s', '…', 'd', 'e'], output)).toBeUndefined();
    expect(sampleMismatch(['a', 'c'], output)).toMatch(/≠ output line "b/);
    expect(sampleMismatch(['…', 'e', 'd'], output)).toMatch(/not found in order/);
    expect(sampleMismatch(['a', '…', 'c'], output)).toMatch(/goes on after the sample ends: "d"/);
    expect(sampleMismatch(['a', '…', 'x', '…'], output)).toMatch(/"x" not found/);
  });

  it('the set-up, then every sample as written, with the output the README shows', { timeout: 600_000 }, async () => {
    requireBinary('/usr/bin/redis-server', 'redis-server');
    const [demoSetup] = fences(readme)[0]!.lines;
    // `apt-get …` (the machine has the packages) and `npm ci` (→ the linked node_modules + its `prepare`) aside,
    // the set-up runs as written: the build, then its demo.
    const steps = demoSetup!.split(' && ').filter((step) => !step.startsWith('apt-get'));
    expect(steps).toEqual(['npm ci', 'node bin/receipts-doctor.js demo']);
    const build = await sh('npm run build');
    expect(build.exitCode, build.stderr).toBe(0);
    const setupDemo = await sh(steps[1]!);
    expect(setupDemo.stderr).toBe('');
    expect(setupDemo.exitCode).toBe(0);

    const samples = consoleSamples(readme);
    expect(samples.map((sample) => sample.command).sort()).toEqual(Object.keys(EXIT_CODES).sort());
    for (const sample of samples) {
      const run = await sh(sample.command);
      expect(run.stderr, sample.command).toBe('');
      expect(run.exitCode, `${sample.command}\n${run.stdout}`).toBe(EXIT_CODES[sample.command]);
      expect(sampleMismatch(sample.output, String(run.stdout).split('\n')), `${sample.command}\n${run.stdout}`).toBeUndefined();
    }
  });
});
