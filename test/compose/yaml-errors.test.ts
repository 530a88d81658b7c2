import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseComposeYaml } from '../../src/sources/compose/yaml.js';
import { InputError } from '../../src/errors.js';

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
});
