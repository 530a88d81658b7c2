import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { planIn } from './helpers.js';

const trap = fixture('scenarios/rails-mailers-trap');

/** The files of the Rails trap (a mailer delivered later; Sidekiq reads config/sidekiq.yml), with `changes` over them (null: no such file). */
function railsProject(changes: Record<string, string | null>): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== 'expected.json') files[relative(trap, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(trap);
  for (const [file, text] of Object.entries(changes)) {
    if (text === null) delete files[file];
    else files[file] = text;
  }
  return files;
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

/** The one deployment file fix changes for the trap deployed by `file` (the Procfile gone), as it is after fix. */
async function fixedDeployment(file: string, text: string): Promise<string> {
  const result = await planIn(railsProject({ Procfile: null, [file]: text }));
  expect(result.skipped.map((skipped) => skipped.reason)).toEqual([]);
  expect(result.fixes.map((fix) => fix.findings.map((finding) => `${finding.rule} ${finding.queue}`))).toEqual([['queue-without-worker mailers']]);
  // planIn re-checks the edited project with static: nothing remains.
  expect(result.remaining).toEqual([]);
  expect(result.changes.map((change) => change.file)).toEqual([file]);
  return result.changes[0]!.updated;
}

const compose = (command: string) => `services:\n  worker:\n    build: .\n    command: ${command}\n    environment:\n      RAILS_ENV: production\n`;

describe('fix: the -q flags of a Sidekiq compose command', () => {
  it('a string command gets `-q name` after its last -q flag', async () => {
    expect(await fixedDeployment('docker-compose.yml', compose('bundle exec sidekiq -q critical,3 -q default -c 5'))).toBe(
      compose('bundle exec sidekiq -q critical,3 -q default -q mailers -c 5'),
    );
    expect(await fixedDeployment('docker-compose.yml', compose('"bundle exec sidekiq --queue=default,2"'))).toBe(compose('"bundle exec sidekiq --queue=default,2 -q mailers"'));
  });

  it('a flow list gets the flag and the name as two items, in the list’s quoting', async () => {
    expect(await fixedDeployment('docker-compose.yml', compose('["bundle", "exec", "sidekiq", "-q", "default,2", "-c", "5"]'))).toBe(
      compose('["bundle", "exec", "sidekiq", "-q", "default,2", "-q", "mailers", "-c", "5"]'),
    );
    expect(await fixedDeployment('docker-compose.yml', compose('[bundle, exec, sidekiq, --queue=default]'))).toBe(compose('[bundle, exec, sidekiq, --queue=default, -q, mailers]'));
  });

  it('a block list gets two item lines at its indentation', async () => {
    const block = (extra: string) => `services:\n  worker:\n    build: .\n    command:\n      - bundle\n      - exec\n      - sidekiq\n      - -q\n      - default\n${extra}      - -c\n      - "5"\n`;
    expect(await fixedDeployment('docker-compose.yml', block(''))).toBe(block('      - -q\n      - mailers\n'));
  });

  it('a shell command in a list item is edited inside the item', async () => {
    expect(await fixedDeployment('docker-compose.yml', compose('["sh", "-c", "bundle exec sidekiq -q default"]'))).toBe(compose('["sh", "-c", "bundle exec sidekiq -q default -q mailers"]'));
  });

  it('a -q given by a variable is left to a person', async () => {
    const text = `services:\n  worker:\n    build: .\n    command: ["sh", "-c", "bundle exec sidekiq -q default -q $$EXTRA_QUEUE"]\n`;
    const result = await planIn(railsProject({ Procfile: null, 'docker-compose.yml': text }));
    expect(result.changes).toEqual([]);
    expect(result.skipped.map((skipped) => `${skipped.finding.queue}: ${skipped.reason}`)).toEqual([
      'mailers: the queues of service `worker` are not written in its command at docker-compose.yml:4',
    ]);
  });
});

const deployment = (container: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          image: ghcr.io/example/storefront:1.0\n${container}`;

describe('fix: the -q flags of a Sidekiq Kubernetes container', () => {
  it('args given as a flow list get `-q`, name after the last -q value; the command list is left alone', async () => {
    const manifest = (args: string) => deployment(`          command: ["bundle", "exec", "sidekiq"]\n          args: [${args}]\n`);
    expect(await fixedDeployment('k8s/worker.yaml', manifest('"-e", "production", "-q", "default"'))).toBe(manifest('"-e", "production", "-q", "default", "-q", "mailers"'));
  });

  it('args given as a block list get two item lines', async () => {
    const manifest = (extra: string) => deployment(`          command: [bundle, exec, sidekiq]\n          args:\n            - -q\n            - default,2\n${extra}`);
    expect(await fixedDeployment('k8s/worker.yaml', manifest(''))).toBe(manifest('            - -q\n            - mailers\n'));
  });

  it('a command with the flags and no args is edited in the command', async () => {
    const manifest = (command: string) => deployment(`          command: [${command}]\n`);
    expect(await fixedDeployment('k8s/worker.yaml', manifest('bundle, exec, sidekiq, -qdefault'))).toBe(manifest('bundle, exec, sidekiq, -qdefault, -q, mailers'));
  });

  it('a `$(VAR)` value the kubelet expands gets `-q name` items after it', async () => {
    const manifest = (extra: string) =>
      deployment(`          command: [bundle, exec, sidekiq]\n          args: ["-q", "$(PRIMARY_QUEUE)"${extra}]\n          env:\n            - name: PRIMARY_QUEUE\n              value: default\n`);
    expect(await fixedDeployment('k8s/worker.yaml', manifest(''))).toBe(manifest(', "-q", "mailers"'));
  });
});

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('fix --write on the Rails trap', () => {
  it('deployed by compose: writes `-q mailers` into the command, and static then passes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rd-fix-sidekiq-')), 'p');
    temps.push(join(dir, '..'));
    cpSync(trap, dir, { recursive: true });
    rmSync(join(dir, 'Procfile'));
    writeFileSync(join(dir, 'docker-compose.yml'), compose('["bundle", "exec", "sidekiq", "-q", "default"]'));
    expect((await runCli(['static', dir])).exitCode).toBe(1);
    const written = await runCli(['fix', dir, '--write']);
    expect(written.exitCode, written.stderr).toBe(0);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(compose('["bundle", "exec", "sidekiq", "-q", "default", "-q", "mailers"]'));
    const recheck = await runCli(['static', dir, '--format', 'json']);
    expect(recheck.exitCode, recheck.stdout).toBe(0);
    const consumers = (JSON.parse(recheck.stdout) as { static: { consumers: { service: string; queues: string[]; queueSource: string }[] } }).static.consumers;
    expect(consumers.map((consumer) => `${consumer.service}: ${consumer.queues.join(' ')} (${consumer.queueSource})`)).toEqual(['worker: default mailers (command)']);
  });

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
