/**
 * Untrusted repositories, item 1 (issue 26): nothing outside the project's real root is read. Each input that used to
 * reach `/proc/self/environ` or a file next to the project — compose `include` + its `env_file`, a `.env` symlink, a
 * service's `env_file`, the config file's `envFiles`, kustomize generator `envs:`/`files:` symlinks, systemd
 * `EnvironmentFile=` through an in-project symlink, supervisord `[include]` through a symlinked directory — is now
 * exit 2 with one line that says it is outside the project, and the canary never reaches the output. Before the fix
 * the canary (an environment variable of the run, or a queue name in the outside file) was printed as a queue name.
 */
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/cli.js';
import { expectNoSecret, expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

/** In the run's environment (so in /proc/self/environ) and in the outside file: must never be printed. */
const CANARY = 'canary-untrusted-7d41';
const OUTSIDE_QUEUE = 'outside-queue-c4n4ry';
const SECRETS = [CANARY, OUTSIDE_QUEUE];
const TASKS = "from rq import Queue\nQueue('default').enqueue('app.jobs.a')\n";

/** A dir outside every project, holding what a hostile repository would like to read. */
function outsideDir(): string {
  return writeTree(tempDir('rd-outside-'), {
    'vars.env': `RQ_QUEUES=${OUTSIDE_QUEUE}\nQUEUE_HIGH=${OUTSIDE_QUEUE}\n`,
    'conf.d/evil.conf': `[program:evil]\ncommand=rq worker ${OUTSIDE_QUEUE}\n`,
  });
}

function copyFixture(name: string): string {
  const dir = tempDir('rd-untrusted-');
  cpSync(fixture('sources', name), dir, { recursive: true });
  return dir;
}

async function expectRefusedOutside(args: string[], label: string): Promise<void> {
  // SARIF: the format a PR check uploads; an exit 2 prints no report in any format.
  const run = await runBounded([...args, '--format', 'sarif'], { env: { RD_CANARY: CANARY } });
  expectRobust(run, label);
  expect(run.exitCode, `${label}: ${run.stderr}`).toBe(2);
  expect(run.stderr).toMatch(/outside the project \(symlinks resolved; not read\)/);
  expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, SECRETS, label);
}

describe.concurrent('untrusted repositories: no read outside the project root (issue 26, item 1)', () => {
  it('compose include with env_file: /proc/self/environ', async () => {
    const dir = writeTree(tempDir('rd-untrusted-'), {
      'docker-compose.yml': 'include:\n  - path: workers.yaml\n    env_file: /proc/self/environ\n',
      'workers.yaml': 'services:\n  worker:\n    image: app\n    command: rq worker ${RD_CANARY}\n',
      'app/tasks.py': TASKS,
    });
    await expectRefusedOutside(['static', dir], 'include env_file');
  });

  it('.env as a symlink to /proc/self/environ', async () => {
    const dir = writeTree(tempDir('rd-untrusted-'), {
      'docker-compose.yml': 'services:\n  worker:\n    image: app\n    command: rq worker ${RD_CANARY}\n',
      'app/tasks.py': TASKS,
    });
    symlinkSync('/proc/self/environ', join(dir, '.env'));
    await expectRefusedOutside(['static', dir], '.env symlink');
  });

  it("a service's env_file outside the project (absolute, relative with .., and through an in-project symlink)", async () => {
    const outside = outsideDir();
    for (const [label, envFile] of [['absolute', join(outside, 'vars.env')], ['dotdot', `../../../../../../../..${join(outside, 'vars.env')}`], ['symlink', 'config/worker.env']]) {
      const dir = writeTree(tempDir('rd-untrusted-'), {
        'docker-compose.yml': `services:\n  worker:\n    image: app\n    command: rq worker\n    env_file: ${envFile}\n`,
        'app/tasks.py': TASKS,
      });
      mkdirSync(join(dir, 'config'));
      symlinkSync(join(outside, 'vars.env'), join(dir, 'config', 'worker.env'));
      await expectRefusedOutside(['static', dir], `service env_file (${label})`);
    }
  });

  it("the config file's envFiles, and a config file that is itself a symlink out", async () => {
    const dir = writeTree(tempDir('rd-untrusted-'), {
      'docker-compose.yml': 'services:\n  worker:\n    image: app\n    command: rq worker ${RD_CANARY}\n',
      'receipts-doctor.config.yml': 'envFiles: [/proc/self/environ]\n',
      'app/tasks.py': TASKS,
    });
    await expectRefusedOutside(['static', dir], 'config envFiles');
    const outside = writeTree(tempDir('rd-outside-'), { 'config.yml': `queues: [${OUTSIDE_QUEUE}]\n` });
    rmSync(join(dir, 'receipts-doctor.config.yml'));
    symlinkSync(join(outside, 'config.yml'), join(dir, 'receipts-doctor.config.yml'));
    await expectRefusedOutside(['static', dir], 'config file symlink');
  });

  it('--env-file named on the command line is the operator’s choice and is still read', async () => {
    const outside = outsideDir();
    const dir = writeTree(tempDir('rd-untrusted-'), {
      'docker-compose.yml': 'services:\n  worker:\n    image: app\n    command: rq worker ${QUEUE_HIGH}\n',
      'app/tasks.py': TASKS,
    });
    const run = await runBounded(['static', dir, '--format', 'json', '--env-file', join(outside, 'vars.env')]);
    expectRobust(run, '--env-file outside');
    expect(run.stdout).toContain(OUTSIDE_QUEUE);
  });

  it('kustomize configMapGenerator envs:/files: entries that are symlinks leaving the project', async () => {
    const outside = outsideDir();
    for (const key of ['envs', 'files']) {
      const dir = copyFixture('kustomize-healthy');
      const kustomization = join(dir, 'deploy/base/kustomization.yaml');
      writeFileSync(
        kustomization,
        `resources:\n  - web.yaml\n  - worker.yaml\nconfigMapGenerator:\n  - name: receipts-config\n    ${key}:\n      - linked.env\n`,
      );
      symlinkSync(join(outside, 'vars.env'), join(dir, 'deploy/base/linked.env'));
      await expectRefusedOutside(['static', dir], `kustomize ${key}`);
    }
  });

  it('systemd EnvironmentFile= through an in-project symlink', async () => {
    const outside = outsideDir();
    const dir = copyFixture('systemd-healthy');
    rmSync(join(dir, 'etc/receipts/worker.env'));
    symlinkSync(join(outside, 'vars.env'), join(dir, 'etc/receipts/worker.env'));
    await expectRefusedOutside(['static', dir], 'systemd EnvironmentFile');
  });

  it('supervisord [include] through a symlinked directory', async () => {
    const outside = outsideDir();
    const dir = writeTree(tempDir('rd-untrusted-'), {
      'supervisord.conf': '[supervisord]\n\n[program:worker]\ncommand=rq worker default\n\n[include]\nfiles = linked/*.conf\n',
      'app/tasks.py': TASKS,
    });
    symlinkSync(join(outside, 'conf.d'), join(dir, 'linked'));
    await expectRefusedOutside(['static', dir], 'supervisord include');
  });
});
