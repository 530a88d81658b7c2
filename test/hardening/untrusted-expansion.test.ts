/**
 * Untrusted repositories, item 4 (issue 26): every variable expansion is bounded in size. A 300-byte `.env` of
 * `Vn=${Vn-1}${Vn-1}` aborted Node at 2.9 GB; Kubernetes `$(Vn)` = `$(Vn-1)$(Vn-1)` in a 1.3 KB manifest printed
 * 251 MB. Now the value that crosses the bound (256 KiB per value, 4 MiB per file) is an input error at its line, well
 * within a tight memory bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const DOUBLINGS = 40;
const TASKS = "from rq import Queue\nQueue('default').enqueue('app.jobs.a')\n";

async function expectBoundedRefusal(dir: string, label: string, where: RegExp, extra: string[] = []): Promise<void> {
  const run = await runBounded(['static', dir, '--format', 'json', ...extra], { timeoutMs: 15_000, maxRssMiB: 400 });
  expectRobust(run, label);
  expect(run.exitCode, `${label}: ${run.stderr}`).toBe(2);
  expect(run.stderr).toMatch(where);
  expect(run.stderr).toMatch(/longer than 256 KiB \(variables that repeat each other\?\); refused/);
  expect(run.stderr.length).toBeLessThan(400);
}

describe.concurrent('variable expansion is bounded (issue 26, item 4)', () => {
  it('.env lines that double the previous variable', async () => {
    const lines = ['V0=xxxxxxxx', ...Array.from({ length: DOUBLINGS }, (_, n) => `V${n + 1}=\${V${n}}\${V${n}}`)];
    const dir = writeTree(tempDir('rd-expand-'), {
      '.env': `${lines.join('\n')}\n`,
      'docker-compose.yml': `services:\n  worker:\n    image: app\n    command: rq worker \${V${DOUBLINGS}}\n`,
      'app/tasks.py': TASKS,
    });
    // 8 × 2^15 = 256 KiB: V16 (line 17) is the first value over the bound.
    await expectBoundedRefusal(dir, '.env doubling', /\.env:17: invalid env file: line 17: /);
  });

  it('a compose value that repeats a large variable', async () => {
    const dir = writeTree(tempDir('rd-expand-'), {
      'docker-compose.yml': `services:\n  worker:\n    image: app\n    command: rq worker ${'${A}'.repeat(80)}\n`,
      'app/tasks.py': TASKS,
    });
    await expectBoundedRefusal(dir, 'compose repeat', /docker-compose\.yml:4:\d+: error while interpolating services\.worker\.command: /, ['--var', `A=${'q'.repeat(4096)}`]);
  });

  it('Kubernetes $(Vn) = $(Vn-1)$(Vn-1) in env and args', async () => {
    const env = [`            - {name: V0, value: xxxxxxxx}`, ...Array.from({ length: DOUBLINGS }, (_, n) => `            - {name: V${n + 1}, value: "$(V${n})$(V${n})"}`)];
    const dir = writeTree(tempDir('rd-expand-'), {
      'k8s/worker.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: worker}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: worker',
        '          image: app',
        `          args: [rq, worker, "$(V${DOUBLINGS})"]`,
        '          env:',
        ...env,
        '',
      ].join('\n'),
      'app/tasks.py': TASKS,
    });
    // V16 is the first value over the bound: line 12 holds V0, so V16 is at line 28.
    await expectBoundedRefusal(dir, 'kubernetes doubling', /k8s\/worker\.yaml:28:\d+: Deployment worker container worker: \$\(VAR\) in env V16: /);
  });
});
