import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, parseComposeYaml } from '../../src/sources/compose/yaml.js';
import { InputError } from '../../src/errors.js';
import { BIN } from '../helpers/cli.js';

/** Where docker-compose 1.29 (PyYAML) says a quoted scalar starts: `while scanning a quoted scalar in "…", line L, column C`. */
function referencePosition(text: string): { line: number; column: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'rd-yaml-'));
  writeFileSync(path.join(dir, 'docker-compose.yml'), text);
  let output: string;
  try {
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    throw new Error('docker-compose accepted a file with an unclosed quote');
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('docker-compose (1.29, Debian package docker-compose) is required for this test');
    output = String(failure.stderr ?? failure.message);
  }
  const match = /while scanning a quoted scalar\s+in "[^"]*", line (\d+), column (\d+)/.exec(output);
  if (!match) throw new Error(`unexpected docker-compose output: ${output}`);
  return { line: Number(match[1]), column: Number(match[2]) };
}

function ourPosition(text: string): { line: number; column?: number; message: string } {
  try {
    parseComposeYaml(text, 'docker-compose.yml');
  } catch (error) {
    if (!(error instanceof InputError) || !error.location) throw error;
    return { line: error.location.line, column: error.location.column, message: error.message };
  }
  throw new Error('the file parsed');
}

const unclosed: [name: string, text: string][] = [
  [
    'the incident shape (7 lines, a double quote in an environment map)',
    'services:\n  worker:\n    image: app\n    environment:\n      RQ_QUEUES: "high,default\n  api:\n    image: app\n',
  ],
  ['a single quote', "services:\n  worker:\n    command: 'rq worker high\n"],
  ['in a flow mapping', 'services: {worker: {image: "app\n'],
  ['in a flow sequence', 'services:\n  worker:\n    command: [rq, worker, "high\n'],
  ['a quoted key', 'services:\n  "worker:\n    image: app\n'],
];

describe('YAML error positions', () => {
  it.each(unclosed)('an unclosed quote (%s) is reported where it opens, as docker compose does', (_name, text) => {
    const reference = referencePosition(text);
    const ours = ourPosition(text);
    expect({ line: ours.line, column: ours.column }).toEqual(reference);
    expect(ours.message).toMatch(/^invalid YAML: Missing closing ["']quote for the string that starts here$/);
    // Never past the end of the file.
    expect(ours.line).toBeLessThanOrEqual(text.split('\n').length);
  });

  it('other YAML errors keep the parser\'s own position', () => {
    const ours = ourPosition('services:\n  worker: [a, b\n');
    expect(ours.message).not.toContain('starts here');
    expect(ours.line).toBeGreaterThan(0);
  });

  describe('nesting deeper than the yaml package recurses', () => {
    // fixtures/fuzz-regressions/deep-flow-yaml's shape: 10,000 flow sequences in a service's command. The yaml
    // package's composer runs out of stack somewhere past 200 levels, at a place that moves with the stack left; the
    // error names the first node nested more than 200 levels deep, as the converter does when the recursion gets through.
    const text = `services:\n  worker:\n    image: app\n    command: ${'['.repeat(10_000)}\n`;
    // Three mappings enclose the first `[` (column 14); the node inside 201 collections is the 199th `[`.
    const column = 14 + (MAX_NESTING_DEPTH + 1 - 3);

    it('is reported at the first node nested more than 200 levels deep', () => {
      expect(ourPosition(text)).toEqual({ line: 4, column, message: `YAML nested more than ${MAX_NESTING_DEPTH} levels deep` });
    });

    it('the same line on stderr whatever the stack size of the node running the CLI', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rd-deep-yaml-'));
      try {
        writeFileSync(path.join(dir, 'docker-compose.yml'), text);
        const runs = await Promise.all(
          ['--stack-size=400', '--stack-size=900'].map((option) =>
            execa(process.execPath, [option, BIN, 'static', dir], { reject: false, timeout: 30_000 }),
          ),
        );
        for (const run of runs) expect(run.exitCode).toBe(2);
        expect(runs[0]!.stderr).toContain(`docker-compose.yml:4:${column}`);
        expect(runs[0]!.stderr).toContain(`YAML nested more than ${MAX_NESTING_DEPTH} levels deep`);
        expect(runs[1]!.stderr).toBe(runs[0]!.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
