import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBaseline, createBaseline, parseBaseline, serializeBaseline } from '../../src/baseline.js';
import { findingFingerprint } from '../../src/report/fingerprint.js';
import { InputError } from '../../src/errors.js';
import { buildReport } from '../../src/report/build.js';
import type { Finding } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { FINDING_BY_RULE, fullReport } from './reports.js';

const base = FINDING_BY_RULE['queue-without-worker']!;

describe('baseline fingerprints', () => {
  it('ignore line, column, message, hint and related info', () => {
    const moved: Finding = {
      ...base,
      message: 'Reworded.',
      hint: 'Other advice.',
      location: { file: base.location!.file, line: 99, column: 1 },
      related: [],
    };
    expect(findingFingerprint(moved)).toBe(findingFingerprint(base));
  });

  it('change with rule, queue, environment, service, worker or file', () => {
    const variants: Finding[] = [
      { ...base, rule: 'worker-check-mismatch' },
      { ...base, queue: 'high' },
      { ...base, environment: 'default' },
      { ...base, service: 'worker' },
      { ...base, worker: 'w1' },
      { ...base, location: { file: 'server/other.py', line: 42 } },
    ];
    const prints = new Set([base, ...variants].map(findingFingerprint));
    expect(prints.size).toBe(variants.length + 1);
  });
});

describe('applying a baseline', () => {
  it('suppresses every finding it was created from, so the report passes', () => {
    const report = fullReport();
    const baseline = createBaseline(report.findings);
    const applied = applyBaseline(report, baseline, 'error', 'b.json');
    expect(applied.findings).toEqual([]);
    expect(applied.ok).toBe(true);
    expect(applied.summary).toEqual({ error: 0, warning: 0, info: 0 });
    expect(applied.baseline).toEqual({ file: 'b.json', suppressed: report.findings.length });
    expect(applied.static).toEqual(report.static);
  });

  it('keeps new findings, and counts duplicates (a second identical finding is new)', () => {
    const old = buildReport([base], {});
    const baseline = parseBaseline(serializeBaseline(createBaseline(old.findings)), 'b.json');
    const duplicate: Finding = { ...base, location: { file: base.location!.file, line: 77 } };
    const added = FINDING_BY_RULE['queue-var-empty']!;
    const applied = applyBaseline(buildReport([base, duplicate, added], {}), baseline, 'error', 'b.json');
    expect(applied.findings.map((finding) => finding.rule).sort()).toEqual(['queue-var-empty', 'queue-without-worker']);
    expect(applied.baseline!.suppressed).toBe(1);
    expect(applied.ok).toBe(false);
  });

  it('rejects files that are not baselines', () => {
    for (const text of ['not json', '[]', '{"tool":"other","baselineVersion":1,"findings":[]}', '{"tool":"receipts-doctor","baselineVersion":1,"findings":[{"fingerprint":"x","count":0,"rule":"r"}]}']) {
      expect(() => parseBaseline(text, 'b.json')).toThrow(InputError);
    }
  });
});

describe('--baseline / --write-baseline on the CLI', () => {
  // A real report: check with unreachable Redis and API (findings live-unreachable + smoke-unreachable).
  const args = ['check', '--redis', 'redis://127.0.0.1:1', '--url', 'http://127.0.0.1:1', '--connect-timeout', '500'];

  it('writes a baseline that makes the same run pass, and fails again on a new finding', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-baseline-'));
    const file = path.join(dir, 'baseline.json');
    const first = await runCli([...args, '--format', 'json', '--write-baseline', file]);
    expect(first.exitCode).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.findings.map((entry: { rule: string }) => entry.rule).sort()).toEqual(['live-unreachable', 'smoke-unreachable']);
    expect(JSON.parse(first.stdout).baseline.suppressed).toBe(2);

    const again = await runCli([...args, '--format', 'json', '--baseline', file]);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, findings: [], baseline: { suppressed: 2 } });

    const onlyLive = { ...written, findings: written.findings.filter((entry: { rule: string }) => entry.rule === 'live-unreachable') };
    writeFileSync(file, JSON.stringify(onlyLive));
    const partial = await runCli([...args, '--format', 'json', '--baseline', file]);
    expect(partial.exitCode).toBe(1);
    const report = JSON.parse(partial.stdout);
    expect(report.findings.map((finding: Finding) => finding.rule)).toEqual(['smoke-unreachable']);
    expect(report.baseline.suppressed).toBe(1);
  });

  it('exits 2 with one line for a missing or invalid baseline file, before running any stage', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-baseline-'));
    const missing = await runCli([...args, '--baseline', path.join(dir, 'nope.json')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    writeFileSync(path.join(dir, 'bad.json'), '{"tool": "receipts-doctor"');
    const invalid = await runCli([...args, '--baseline', path.join(dir, 'bad.json')]);
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain('bad.json');
    expect(invalid.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
