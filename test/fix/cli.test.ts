import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeAtomically } from '../../src/fix/files.js';
import { fixture, runCli, runJson } from '../helpers/cli.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyOf(project: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-fix-'));
  temps.push(dir);
  cpSync(fixture(project), join(dir, 'p'), { recursive: true });
  return join(dir, 'p');
}

/** Every file of a dir (relative name → bytes), to compare before and after. */
function snapshot(dir: string, base = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) snapshot(full, base, out);
    else if (entry.isFile()) out.set(full.slice(base.length + 1), readFileSync(full));
  }
  return out;
}

/** The merged model as Debian's docker-compose 1.29 prints it (the reference for compose semantics). */
function composeConfig(dir: string, files: string[]): Record<string, unknown> {
  const args = [...files.flatMap((file) => ['-f', file]), 'config'];
  return parse(execFileSync('docker-compose', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, API_TOKEN: 'x' } })) as Record<string, unknown>;
}

/** Paths (a.b.c) where two plain values differ. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? [] : [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key));
}

const scenarios = readdirSync(fixture('scenarios')).map((name) => `scenarios/${name}`);
const argsOf = (project: string) => (project.endsWith('bullmq-ts') ? ['--queue-var', 'WORKER_QUEUES'] : []);

describe('fix on the incident', () => {
  it('--write turns check green for both environments with a two-line diff', async () => {
    const dir = copyOf('incident');
    const dry = await runCli(['fix', dir]);
    expect(dry.exitCode).toBe(1);
    expect(dry.stdout.split('\n').filter((line) => /^[-+][^-+]/.test(line))).toEqual([
      '-      RQ_QUEUES: high,low',
      '+      RQ_QUEUES: high,low,default',
      '-      RQ_QUEUES: high,low',
      '+      RQ_QUEUES: high,low,default',
    ]);
    expect(snapshot(dir)).toEqual(snapshot(fixture('incident')));

    const write = await runCli(['fix', dir, '--write']);
    expect(write.stderr).toContain('re-checked: the 2 fixed findings are gone.');
    expect(write.exitCode).toBe(0);
    // --write prints the diff it applied, as its help and docs/commands.md say: the dry run's, byte for byte.
    expect(write.stdout).toBe(dry.stdout);
    const numstat = spawnSync('git', ['diff', '--no-index', '--numstat', fixture('incident'), dir], { encoding: 'utf8' }).stdout;
    expect(numstat.split('\n').filter(Boolean).map((line) => line.split('\t').slice(0, 2).join(' '))).toEqual(['1 1', '1 1']);
    const check = await runJson(['check', dir]);
    expect(check.exitCode).toBe(0);
    expect(check.report!.findings.filter((finding) => finding.rule === 'queue-without-worker')).toEqual([]);

    const again = await runCli(['fix', dir, '--write']);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('fix: nothing to fix.');
    expect(again.exitCode).toBe(0);
  });
});

describe.each([...scenarios, 'incident', 'prosaas'])('fix --write on fixtures/%s', (project) => {
  it('fixes what it can, changes nothing outside the edits, and the merged model only in the queue', async () => {
    const dir = copyOf(project);
    const before = snapshot(dir);
    const planned = await runCli(['fix', dir, '--format', 'json', ...argsOf(project)]);
    const plan = JSON.parse(planned.stdout) as {
      fixes: { replacements: { file: string; startLine: number; startColumn: number; endLine: number; endColumn: number; insertedText: string; deletedText: string }[] }[];
      skipped: { reason: string; decide: string }[];
    };
    const environments = (JSON.parse((await runCli(['static', dir, '--format', 'json', ...argsOf(project)])).stdout) as { static: { environments: { name: string; source: string; files: string[] }[] } }).static.environments;
    // docker-compose prints the merged model of compose environments only (a Procfile project has none).
    const configsBefore = project.endsWith('reset-to-code-default') ? [] : environments.map((environment) => (environment.source === 'compose' ? composeConfig(dir, environment.files) : undefined));

    const written = await runCli(['fix', dir, '--write', ...argsOf(project)]);
    expect(written.exitCode, written.stderr).toBe(plan.skipped.length === 0 ? 0 : 1);
    for (const skipped of plan.skipped) expect(skipped.reason.length * skipped.decide.length).toBeGreaterThan(0);

    // Byte identity outside the edited spans: undo each replacement and get the original back.
    const after = snapshot(dir);
    const replacements = plan.fixes.flatMap((fix) => fix.replacements);
    for (const [file, bytes] of before) {
      const own = replacements.filter((replacement) => replacement.file === file);
      if (own.length === 0) {
        expect(after.get(file)?.equals(bytes), file).toBe(true);
        continue;
      }
      const lines = after.get(file)!.toString('utf8').split('\n');
      // Replacements are insertions or swaps inside one line: undo them from the last to the first.
      for (const replacement of [...own].sort((a, b) => b.startLine - a.startLine || b.startColumn - a.startColumn)) {
        const index = replacement.startLine - 1;
        // An inserted line (a new `- name` list item) spans the lines it adds.
        const count = replacement.insertedText.split('\n').length;
        const line = lines.slice(index, index + count).join('\n');
        const start = replacement.startColumn - 1;
        expect(line.slice(start, start + replacement.insertedText.length)).toBe(replacement.insertedText);
        const restored = line.slice(0, start) + replacement.deletedText + line.slice(start + replacement.insertedText.length);
        lines.splice(index, count, ...restored.split('\n'));
      }
      expect(lines.join('\n')).toBe(bytes.toString('utf8'));
    }

    // The merged model per environment, as docker-compose 1.29 prints it: only the queue lists changed.
    environments.forEach((environment, index) => {
      if (!configsBefore[index]) return;
      const changed = differences(configsBefore[index]!, composeConfig(dir, environment.files));
      for (const path of changed) expect(path, `${environment.name}: ${path}`).toMatch(/^services\.[^.]+\.(environment\.[A-Z_]+|command(\.\d+)?)$/);
      if (replacements.length === 0) expect(changed).toEqual([]);
    });

    const again = await runCli(['fix', dir, ...argsOf(project)]);
    expect(again.stdout, 'idempotent').toBe('');
  });
});

describe('fix safety', () => {
  it('refuses a compose file that is a symlink leaving the project', async () => {
    const dir = copyOf('scenarios/prod-drops-default');
    const outside = mkdtempSync(join(tmpdir(), 'rd-outside-'));
    temps.push(outside);
    cpSync(join(dir, 'docker-compose.prod.yml'), join(outside, 'prod.yml'));
    rmSync(join(dir, 'docker-compose.prod.yml'));
    symlinkSync(join(outside, 'prod.yml'), join(dir, 'docker-compose.prod.yml'));
    const result = await runCli(['fix', dir, '--write']);
    // Since issue 26 the static stage does not even read it: the project's compose file outside it is bad input.
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('docker-compose.prod.yml is outside the project (symlinks resolved; not read)');
    expect(readFileSync(join(outside, 'prod.yml'), 'utf8')).toBe(readFileSync(fixture('scenarios/prod-drops-default/docker-compose.prod.yml'), 'utf8'));
  });

  it('keeps the mode, and does not overwrite a file changed since it was read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-write-'));
    temps.push(dir);
    writeFileSync(join(dir, 'a.yml'), 'K: v\n');
    chmodSync(join(dir, 'a.yml'), 0o640);
    expect(writeAtomically(dir, 'a.yml', 'K: v\n', 'K: v,w\n')).toEqual({ file: 'a.yml', written: true });
    expect(readFileSync(join(dir, 'a.yml'), 'utf8')).toBe('K: v,w\n');
    expect(statSync(join(dir, 'a.yml')).mode & 0o777).toBe(0o640);
    expect(writeAtomically(dir, 'a.yml', 'K: v\n', 'K: x\n')).toEqual({ file: 'a.yml', written: false, reason: 'a.yml changed on disk since it was read; run fix again' });
    expect(readFileSync(join(dir, 'a.yml'), 'utf8')).toBe('K: v,w\n');
    expect(readdirSync(dir)).toEqual(['a.yml']);
    expect(writeAtomically(dir, '../a.yml', 'K: v\n', 'K: x\n').written).toBe(false);
  });

  it('the diff applies with git apply', async () => {
    const dir = copyOf('incident');
    const dry = await runCli(['fix', dir]);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['apply', '--check', '-'], { cwd: dir, input: `${dry.stdout}\n` });
  });

  it('an unknown format is a bad input (exit 2)', async () => {
    const result = await runCli(['fix', fixture('incident'), '--format', 'table']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('receipts-doctor: Unknown format `table` for fix; valid formats: diff, json, sarif, markdown.');
  });
});
