/**
 * `fix --write` on temp copies of the deployment-source incident fixtures (fixtures/sources/*): the static stage is
 * green afterwards, a second run changes nothing, every byte outside the edit is the original's, and the manifests
 * (for kustomize: what the real `kubectl kustomize` renders for every overlay) differ only in the intended value.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fixture, runCli, runJson } from '../helpers/cli.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function copyOf(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-fix-sources-'));
  temps.push(dir);
  cpSync(fixture('sources', name), join(dir, 'p'), { recursive: true });
  return join(dir, 'p');
}

function snapshot(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) snapshot(full, base, out);
    else if (entry.isFile()) out.set(full.slice(base.length + 1), readFileSync(full, 'utf8'));
  }
  return out;
}

/** Paths (a.b.c) where two plain values differ. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? [] : [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key));
}

const documents = (text: string) => parseAllDocuments(text).map((document) => document.toJS() as unknown);

/** `kubectl kustomize` of an overlay, with the generated ConfigMap's content hash taken out of its name. */
const rendered = (dir: string, overlay: string) =>
  documents(execFileSync('/usr/bin/kubectl', ['kustomize', join(dir, overlay)], { encoding: 'utf8', env: { KUBECONFIG: '/dev/null' } }).replace(/(receipts-config)-[a-z0-9]{10}\b/g, '$1'));

interface Case {
  name: string;
  file: string;
  before: string;
  after: string;
}

const cases: Case[] = [
  { name: 'k8s', file: 'k8s/prod/workers.yaml', before: '          command: ["python", "manage.py", "rqworker", "high"]', after: '          command: ["python", "manage.py", "rqworker", "high", "default"]' },
  { name: 'kustomize', file: 'deploy/overlays/prod/kustomization.yaml', before: '      - RQ_QUEUES=high', after: '      - RQ_QUEUES=high default' },
  { name: 'procfile', file: 'Procfile.prod', before: 'worker: python manage.py rqworker high', after: 'worker: python manage.py rqworker high default' },
  { name: 'fly', file: 'fly.toml', before: '  worker = "python manage.py rqworker high"', after: '  worker = "python manage.py rqworker high default"' },
];

describe.each(cases)('fix --write on fixtures/sources/$name', ({ name, file, before, after }) => {
  it('turns static green with a one-line change, and a second run changes nothing', async () => {
    const dir = copyOf(name);
    const original = snapshot(dir);
    const dry = await runCli(['fix', dir]);
    expect(dry.exitCode).toBe(1);
    expect(dry.stdout.split('\n').filter((line) => /^[-+][^-+]/.test(line))).toEqual([`-${before}`, `+${after}`]);
    expect(snapshot(dir)).toEqual(original);

    const write = await runCli(['fix', dir, '--write']);
    expect(write.stderr).toContain(`fix: wrote ${file}`);
    expect(write.exitCode).toBe(0);
    const fixed = snapshot(dir);
    for (const [path, text] of original) {
      // Byte identity: only the one line changes, and only by the inserted text.
      expect(fixed.get(path), path).toBe(path === file ? text.replace(before, after) : text);
    }
    expect(fixed.get(file)).not.toBe(original.get(file));

    const { exitCode, report } = await runJson(['static', dir]);
    expect(report!.findings.filter((finding) => finding.rule === 'queue-without-worker')).toEqual([]);
    expect(exitCode).toBe(0);

    const again = await runCli(['fix', dir, '--write']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe('');
    expect(snapshot(dir)).toEqual(fixed);
  });
});


describe('the manifests differ only in the intended value', () => {
  it('Kubernetes: only the prod worker command gains `default`', async () => {
    const dir = copyOf('k8s');
    const beforeDocs = documents(readFileSync(join(dir, 'k8s/prod/workers.yaml'), 'utf8'));
    expect((await runCli(['fix', dir, '--write'])).exitCode).toBe(0);
    const afterDocs = documents(readFileSync(join(dir, 'k8s/prod/workers.yaml'), 'utf8'));
    expect(differences(beforeDocs, afterDocs)).toEqual(['0.spec.template.spec.containers.0.command.4']);
  });

  it('kustomize: `kubectl kustomize` of prod differs only in RQ_QUEUES, staging not at all', async () => {
    const dir = copyOf('kustomize');
    const prod = rendered(dir, 'deploy/overlays/prod');
    const staging = rendered(dir, 'deploy/overlays/staging');
    expect((await runCli(['fix', dir, '--write'])).exitCode).toBe(0);
    const prodAfter = rendered(dir, 'deploy/overlays/prod');
    const changed = differences(prod, prodAfter);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^\d+\.data\.RQ_QUEUES$/);
    const index = Number(changed[0]!.split('.')[0]);
    expect([(prod[index] as { data: { RQ_QUEUES: string } }).data.RQ_QUEUES, (prodAfter[index] as { data: { RQ_QUEUES: string } }).data.RQ_QUEUES]).toEqual([
      'high',
      'high default',
    ]);
    expect(differences(staging, rendered(dir, 'deploy/overlays/staging'))).toEqual([]);
  });
});
