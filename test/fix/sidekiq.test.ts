import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { planIn } from './helpers.js';

const trap = fixture('scenarios/rails-mailers-trap');

/** The files of the Rails trap (a mailer delivered later; Sidekiq reads config/sidekiq.yml), with `changes` over them. */
function railsProject(changes: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== 'expected.json') files[relative(trap, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(trap);
  return { ...files, ...changes };
}

/** The one edit fix plans on config/sidekiq.yml, as the file after it; the in-memory re-check already ran static on it. */
async function fixedYaml(yaml: string, changes: Record<string, string> = {}): Promise<string> {
  const result = await planIn(railsProject({ 'config/sidekiq.yml': yaml, ...changes }));
  expect(result.skipped.map((skipped) => skipped.reason)).toEqual([]);
  expect(result.fixes.map((fix) => fix.findings.map((finding) => `${finding.rule} ${finding.queue}`))).toEqual([['queue-without-worker mailers']]);
  expect(result.remaining).toEqual([]);
  expect(result.changes.map((change) => change.file)).toEqual(['config/sidekiq.yml']);
  // Callers compare the whole file: an inserted line next to a newline has no unique "edited span".
  return result.changes[0]!.updated;
}

async function refusal(yaml: string, changes: Record<string, string> = {}): Promise<string[]> {
  const result = await planIn(railsProject({ 'config/sidekiq.yml': yaml, ...changes }));
  expect(result.fixes).toEqual([]);
  return result.skipped.map((skipped) => `${skipped.finding.queue}: ${skipped.reason}`);
}

describe('fix: the :queues: list of config/sidekiq.yml', () => {
  it('adds a `- name` line at the indentation of the top-level list', async () => {
    expect(await fixedYaml('---\n:concurrency: 5\n:queues:\n  - default\n  - low # batch\n')).toBe(
      '---\n:concurrency: 5\n:queues:\n  - default\n  - low # batch\n  - mailers\n',
    );
  });

  it('keeps CRLF line endings and an unindented list', async () => {
    expect(await fixedYaml(':queues:\r\n- default\r\n:timeout: 25\r\n')).toBe(':queues:\r\n- default\r\n- mailers\r\n:timeout: 25\r\n');
  });

  it('adds to a list of [name, weight] items after the last one', async () => {
    expect(await fixedYaml(':queues:\n  - [critical, 3]\n  - [default, 1]\n')).toBe(':queues:\n  - [critical, 3]\n  - [default, 1]\n  - mailers\n');
  });

  it('adds to a flow list in its own spacing', async () => {
    expect(await fixedYaml(':queues: [critical, default]\n')).toBe(':queues: [critical, default, mailers]\n');
    expect(await fixedYaml('queues: [default]\n')).toBe('queues: [default,mailers]\n');
  });

  it('edits the environment section Sidekiq reads (-e production), not the top level', async () => {
    const yaml = ':queues:\n  - default\nproduction:\n  :queues:\n    - default\n    - low\n';
    const procfile = 'worker: bundle exec sidekiq -e production -C config/sidekiq.yml\n';
    const updated = await fixedYaml(yaml, { Procfile: procfile });
    expect(updated).toBe(':queues:\n  - default\nproduction:\n  :queues:\n    - default\n    - low\n    - mailers\n');
  });

  it('edits the top level when the environment section has no :queues:', async () => {
    const yaml = ':queues:\n  - default\nproduction:\n  :concurrency: 10\n';
    const updated = await fixedYaml(yaml, { Procfile: 'worker: bundle exec sidekiq -e production\n' });
    expect(updated).toBe(':queues:\n  - default\n  - mailers\nproduction:\n  :concurrency: 10\n');
  });

  it('leaves a list with an ERB item to a person', async () => {
    expect(await refusal(':queues:\n  - default\n  - <%= ENV.fetch("EXTRA_QUEUE", "low") %>\n')).toEqual([
      'mailers: the `:queues:` list at config/sidekiq.yml:1 is written with ERB',
    ]);
  });
});

/** The Procfile after fix, for a Sidekiq worker given `-q` flags (they win over config/sidekiq.yml). */
async function fixedProcfile(procfile: string): Promise<string> {
  const result = await planIn(railsProject({ Procfile: procfile }));
  expect(result.skipped.map((skipped) => skipped.reason)).toEqual([]);
  expect(result.remaining).toEqual([]);
  expect(result.changes.map((change) => change.file)).toEqual(['Procfile']);
  return result.changes[0]!.updated;
}

describe('fix: the -q flags of a Sidekiq command', () => {
  it('appends `-q name` after the last -q flag and its weight', async () => {
    expect(await fixedProcfile('web: bundle exec puma\nworker: bundle exec sidekiq -q critical,3 -q default -c 5\n')).toBe(
      'web: bundle exec puma\nworker: bundle exec sidekiq -q critical,3 -q default -q mailers -c 5\n',
    );
    expect(await fixedProcfile('worker: bundle exec sidekiq --queue=default,2\n')).toBe('worker: bundle exec sidekiq --queue=default,2 -q mailers\n');
  });

  it('a -q given by a variable is left to a person', async () => {
    const result = await planIn(railsProject({ Procfile: 'worker: bundle exec sidekiq -q $SIDEKIQ_QUEUE\n' }));
    expect(result.fixes).toEqual([]);
    expect(result.skipped.map((skipped) => `${skipped.finding.queue}: ${skipped.reason}`)).toEqual([
      'default: the queues of `worker` are not written in its command at Procfile:1',
      'mailers: the queues of `worker` are not written in its command at Procfile:1',
    ]);
  });
});

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('fix --write on the Rails trap', () => {
  it('writes the list item, and static (the real Sidekiq worker program reading the edited file) passes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rd-fix-sidekiq-')), 'p');
    temps.push(join(dir, '..'));
    cpSync(trap, dir, { recursive: true });
    expect((await runCli(['static', dir])).exitCode).toBe(1);
    const written = await runCli(['fix', dir, '--write']);
    expect(written.exitCode, written.stderr).toBe(0);
    expect(readFileSync(join(dir, 'config/sidekiq.yml'), 'utf8')).toBe('---\n:concurrency: 5\n:queues:\n  - default\n  - mailers\n');
    const recheck = await runCli(['static', dir, '--format', 'json']);
    expect(recheck.exitCode, recheck.stdout).toBe(0);
    const consumers = (JSON.parse(recheck.stdout) as { static: { consumers: { service: string; queues: string[] }[] } }).static.consumers;
    expect(consumers.map((consumer) => `${consumer.service}: ${consumer.queues.join(' ')}`)).toEqual(['worker: default mailers']);
  });
});
