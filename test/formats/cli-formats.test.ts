import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES } from '../../src/report/index.js';
import { runCli } from '../helpers/cli.js';
import { findAll, parseXml } from './xml.js';

// A real report produced by the CLI: Redis and API both unreachable inside `check` → two findings, exit 1.
const args = ['check', '--redis', 'redis://user:s3cret-pass@127.0.0.1:1', '--url', 'http://127.0.0.1:1', '--token', 'tok-123456', '--connect-timeout', '500'];

describe('formats on a real CLI report', () => {
  it('every format in docs/CONTRACT.md §2 is accepted; an unknown one exits 2 naming the valid ones', async () => {
    const result = await runCli([...args, '--format', 'yaml']);
    expect(result.exitCode).toBe(2);
    for (const name of FORMAT_NAMES) expect(result.stderr).toContain(name);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each(['sarif', 'github', 'junit', 'markdown'])('%s: exit 1, output parses, no secret printed', async (format) => {
    const result = await runCli([...args, '--format', format]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pass');
    expect(result.stdout + result.stderr).not.toContain('tok-123456');
    if (format === 'sarif') {
      const log = JSON.parse(result.stdout);
      expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual(['live-unreachable', 'smoke-unreachable']);
    } else if (format === 'junit') {
      const root = parseXml(result.stdout);
      expect(findAll(root, 'failure')).toHaveLength(2);
      expect(findAll(root, 'testsuite').map((suite) => suite.attributes.name)).toEqual(['receipts-doctor live', 'receipts-doctor smoke']);
    } else if (format === 'github') {
      const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error '));
      expect(errors).toHaveLength(2);
    } else {
      expect(result.stdout).toMatch(/^## .*FAIL/);
      expect(result.stdout).toContain('live-unreachable');
    }
  });

  it('--output writes the file and stdout stays empty', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-formats-'));
    const file = path.join(dir, 'report.sarif');
    const result = await runCli([...args, '--format', 'sarif', '--output', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe('2.1.0');
  });

  it('--format github appends the Markdown report to GITHUB_STEP_SUMMARY when it is set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-formats-'));
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const result = await runCli([...args, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(result.exitCode).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text).toMatch(/## .*FAIL/);
    expect(text).toContain('smoke-unreachable');
    expect(text).not.toContain('s3cret-pass');
    // Other formats leave the step summary alone.
    await runCli([...args, '--format', 'json'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(readFileSync(summary, 'utf8')).toBe(text);
  });
});
