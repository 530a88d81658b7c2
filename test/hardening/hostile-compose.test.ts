/**
 * Hostile compose projects (issue 18, items 3 and 11): include fan-out is loaded once per included project and the
 * total work is capped; error messages never quote a secret, a variable's value or a file outside the project, and
 * an env-file error names the line its statement starts on. Every run is bounded by the harness.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoSecret, expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const WORKER = 'services:\n  worker:\n    image: app\n    command: rq worker default\n';

/** 24 files, each including the next twice (2^24 loads without a cache), the last defining a service. */
function fanOut(depth: number): Record<string, string> {
  const files: Record<string, string> = {
    'docker-compose.yml': `include:\n  - inc0.yml\n  - path: inc0.yml\n${WORKER}`,
  };
  for (let i = 0; i < depth; i++) {
    files[`inc${i}.yml`] = `include:\n  - inc${i + 1}.yml\n  - path: inc${i + 1}.yml\nservices:\n  s${i}:\n    image: app\n`;
  }
  files[`inc${depth}.yml`] = 'services:\n  leaf:\n    image: app\n';
  return files;
}

describe.concurrent('include fan-out (item 3)', () => {
  it('24 files each including the next twice: every file loads once, the model is complete', async () => {
    const dir = writeTree(tempDir('rd-compose-'), fanOut(24));
    const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 15_000 });
    expectRobust(run, 'include fan-out');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as { static: { environments: { services: string[] }[] } };
    const services = [...report.static.environments[0]!.services].sort();
    expect(services).toEqual(['leaf', ...Array.from({ length: 24 }, (_, i) => `s${i}`), 'worker'].sort());
  });

  it('a fan-out whose includes all differ (a new variable value each time) stops at the work cap: exit 2, one line', async () => {
    // Each level passes its own env file, so no two included projects are the same and the cache cannot help.
    const files: Record<string, string> = { 'docker-compose.yml': `include:\n  - path: l0.yml\n    env_file: e0a.env\n  - path: l0.yml\n    env_file: e0b.env\n${WORKER}` };
    for (let i = 0; i < 14; i++) {
      files[`e${i}a.env`] = `LEVEL${i}=a\n`;
      files[`e${i}b.env`] = `LEVEL${i}=b\n`;
      files[`l${i}.yml`] = `include:\n  - path: l${i + 1}.yml\n    env_file: [e${i}a.env, e${i + 1}a.env]\n  - path: l${i + 1}.yml\n    env_file: [e${i}b.env, e${i + 1}b.env]\nservices:\n  s${i}:\n    image: app:\${LEVEL${i}:-x}\n`;
    }
    files['e14a.env'] = 'LEVEL14=a\n';
    files['e14b.env'] = 'LEVEL14=b\n';
    files['l14.yml'] = 'services:\n  leaf:\n    image: app\n';
    const dir = writeTree(tempDir('rd-compose-'), files);
    const run = await runBounded(['static', dir], { timeoutMs: 15_000 });
    expectRobust(run, 'distinct fan-out');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/too many compose files loaded/);
  });
});

describe.concurrent('error messages quote no secret, no value and no outside content (item 11)', () => {
  it('${MISSING:?token is ${API_TOKEN}} names the variable, not the token', async () => {
    const dir = writeTree(tempDir('rd-compose-'), {
      'docker-compose.yml': 'services:\n  worker:\n    image: ${MISSING:?token is ${API_TOKEN}}\n    command: rq worker default\n',
      '.env': 'API_TOKEN=tok-SECRET-0123456789\n',
    });
    const run = await runBounded(['static', dir]);
    expectRobust(run, 'required message');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/required variable MISSING is missing a value/);
    expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, ['tok-SECRET-0123456789'], 'required message');
  });

  it('an unterminated quote in an env file names the line it opens on and the key, not the value', async () => {
    const dir = writeTree(tempDir('rd-compose-'), {
      'docker-compose.yml': WORKER,
      '.env': 'A=1\nPASSWORD="hunter2-SECRET-value\nC=3\nD=4\nE=5\n',
    });
    const run = await runBounded(['static', dir]);
    expectRobust(run, 'unterminated quote');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/\.env:2: .*unterminated quoted value of PASSWORD/);
    expectNoSecret({ stderr: run.stderr }, ['hunter2-SECRET-value'], 'unterminated quote');
  });

  it('an env file with a bad name prints a short name, never the rest of a 600 KB line', async () => {
    const dir = writeTree(tempDir('rd-compose-'), {
      'docker-compose.yml': WORKER,
      '.env': `BAD NAME!=${'v'.repeat(600_000)}SECRET-tail\n`,
    });
    const run = await runBounded(['static', dir]);
    expectRobust(run, 'long env line');
    expect(run.exitCode).toBe(2);
    expect(run.stderr.length).toBeLessThan(500);
    expect(run.stderr).not.toContain('SECRET-tail');
  });

  it('extends: file: outside the project that is not YAML: the location, never a line of that file', async () => {
    const outside = writeTree(tempDir('rd-outside-'), { 'openssl.cnf': '# config\n\nopenssl_conf = OUTSIDE-CONTENT-line\n[section]\nkey = value\n' });
    const dir = writeTree(tempDir('rd-compose-'), {
      'docker-compose.yml': `services:\n  worker:\n    command: rq worker default\n    extends:\n      file: ${outside}/openssl.cnf\n      service: x\n`,
    });
    const run = await runBounded(['static', dir]);
    expectRobust(run, 'outside extends');
    expect(run.exitCode).toBe(2);
    // Since issue 26 the file is not even read: the refusal is at the extends that names it.
    expect(run.stderr).toMatch(/docker-compose\.yml:\d+:\d+: compose file \S*openssl\.cnf is outside the project/);
    expect(run.stderr).not.toContain('OUTSIDE-CONTENT');
    expect(run.stderr).not.toContain('openssl_conf');
  });
});
