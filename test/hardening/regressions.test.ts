/**
 * Every project under fixtures/fuzz-regressions/ once made receipts-doctor crash or hang (see its README).
 * `static` (and `check`, which adds nothing here but the orchestration) must now end in bounded time with
 * exit 0/1/2, no stack trace; `expect.json` pins the exit code where the right answer is known.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/cli.js';
import { expectRobust, runBounded } from './harness.js';

const ROOT = fixture('fuzz-regressions');
const projects = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe.concurrent('fuzz regressions', () => {
  it('the corpus is not empty', () => {
    expect(projects.length).toBeGreaterThan(0);
  });

  for (const name of projects) {
    it(name, async () => {
      const dir = join(ROOT, name);
      const expectFile = join(dir, 'expect.json');
      const expected = existsSync(expectFile) ? (JSON.parse(readFileSync(expectFile, 'utf8')) as { exitCode?: number }) : {};
      for (const command of ['static', 'check']) {
        const run = await runBounded([command, dir, '--format', 'json'], { timeoutMs: 20_000 });
        expectRobust(run, `${name} (${command})`);
        if (expected.exitCode !== undefined) expect(run.exitCode, `${name} (${command}): ${run.stderr}`).toBe(expected.exitCode);
      }
    });
  }
});
