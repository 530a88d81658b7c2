/**
 * Untrusted repositories, item 8 (issue 26): a kustomize `helmCharts` error keeps its reason (kubectl prints it as a
 * klog block whose first line used to be all the doctor showed), and fly.toml follows TOML 1.0 where a `[table]`
 * header defines a table dotted keys already made (Python's tomllib is the reference for each verdict).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../helpers/topology.js';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const TASKS = "from rq import Queue\nQueue('default').enqueue('app.jobs.a')\n";

describe.concurrent('small ones (issue 26, item 8)', () => {
  it('a kustomize helmCharts overlay: exit 2 with the reason, --enable-helm', async () => {
    requireBinary('/usr/bin/kubectl', 'kubectl');
    const dir = writeTree(tempDir('rd-helm-'), {
      'deploy/overlays/prod/kustomization.yaml':
        'helmCharts:\n  - name: redis\n    repo: https://charts.example.invalid/stable\n    version: 17.0.0\n    releaseName: cache\n',
      'app/tasks.py': TASKS,
    });
    const run = await runBounded(['static', dir, '--source', 'kustomize=deploy/overlays/prod'], { timeoutMs: 30_000 });
    expectRobust(run, 'helmCharts');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /deploy\/overlays\/prod\/kustomization\.yaml:1: kubectl kustomize failed: trouble configuring builtin HelmChartInflationGenerator with config: must specify --enable-helm$/,
    );
  });

  const tomlCases: [string, string][] = [
    ['a table header after dotted keys made it', '[processes]\nworker.cmd = "rq worker default"\n[processes.worker]\n'],
    ['a nested table header after dotted keys made it', '[processes]\nworker.opts.cmd = "rq worker default"\n[processes.worker.opts]\n'],
    ['a sub-table of a dotted-key table (allowed)', '[processes]\nweb = "gunicorn app"\nworker = "rq worker default"\n[extra]\napple.color = "red"\n[extra.apple.texture]\nsmooth = true\n'],
  ];
  for (const [label, tail] of tomlCases) {
    it(`fly.toml: ${label}, as tomllib reads it`, async () => {
      const text = `app = 'receipts'\n\n${tail}`;
      const dir = writeTree(tempDir('rd-toml-'), { 'fly.toml': text, 'app/tasks.py': TASKS });
      const python = execFileSync('/usr/bin/python3', ['-c', 'import sys, tomllib\ntry:\n  tomllib.loads(sys.stdin.read()); print("ok")\nexcept tomllib.TOMLDecodeError: print("error")'], {
        input: text,
        encoding: 'utf8',
      }).trim();
      const run = await runBounded(['static', dir, '--format', 'json']);
      expectRobust(run, label);
      expect(run.exitCode === 2 ? 'error' : 'ok', run.stderr).toBe(python);
      if (python === 'error') expect(run.stderr).toMatch(/fly\.toml:5:1: invalid TOML: table `processes\.worker(\.opts)?` is already defined by dotted keys/);
    });
  }
});
