/**
 * Hostile command assignments (issue 28: a command's `A=1 cmd`, `env A=1`, a script's `export A=1` reach its
 * program): a script of tens of thousands of exports followed by as many commands with their own assignment made
 * every command copy the exports (quadratic: over 10 minutes); a command stacking `env A=1` wrappers past
 * MAX_LAYERS is not followed. Each run is a real CLI process under the harness's hard deadline and memory bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

interface Report {
  static: { consumers: { service: string; queues: string[] }[] };
}

async function consumers(files: Record<string, string>, label: string): Promise<string[]> {
  const dir = writeTree(tempDir('rd-hostile-assign-'), { 'app.py': "from rq import Queue\nq = Queue('high')\nq.enqueue('x')\n", ...files });
  const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 30_000, maxRssMiB: 1024 });
  expectRobust(run, label);
  return (JSON.parse(run.stdout) as Report).static.consumers.map((consumer) => `${consumer.service}: ${consumer.queues.join(' ')}`);
}

describe('hostile command assignments end within the deadline', () => {
  it('60k exports, then 60k commands with their own assignment, then the worker', async () => {
    const script = `#!/bin/sh\n${Array.from({ length: 60_000 }, (_, i) => `export A${i}=1\n`).join('')}${'X=1 true\n'.repeat(60_000)}exec rq worker high\n`;
    expect(await consumers({ Procfile: 'worker: ./bin/worker.sh\n', 'bin/worker.sh': script }, 'exports and assignments')).toEqual(['worker: high']);
  });

  it('100k stacked `env A=1` wrappers: not followed past the bound; a few are', async () => {
    const deep = await consumers({ Procfile: `worker: ${'env A=1 '.repeat(100_000)}rq worker high\n` }, 'stacked env');
    expect(deep).toEqual([]);
    expect(await consumers({ Procfile: `worker: ${'env A=1 '.repeat(10)}rq worker high\n` }, 'ten env')).toEqual(['worker: high']);
  });
});
