/**
 * Fuzzing the deployment sources beyond compose through the built CLI: Kubernetes manifests, kustomizations
 * (rendered by the real kubectl), Procfiles, systemd units, supervisord configs and fly.toml. Mutants of the
 * fixtures/sources files and pathological inputs (binary, huge, alias bombs, deep nesting, cycles) must end in
 * exit 0, 1 or 2 within their deadline, with no stack trace; exit 2 prints one line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/cli.js';
import { binary, deepYaml, hugeLine, mutants, nonUtf8, type SeedFile } from './corpus.js';
import { expectRobust, runBounded } from './harness.js';
import { mapLimit, mutatedProject, removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const MiB = 1024 * 1024;
const PRODUCER = "from rq import Queue\nfrom redis import Redis\nQueue('default', connection=Redis()).enqueue('tasks.sync')\n";
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec: {template: {spec: {containers: [{name: w, args: [rq, worker]}]}}}\n';

/** The deployment files of fixtures/sources (everything but the Python code), as seeds. */
function sourceSeeds(): SeedFile[] {
  const root = fixture();
  const out: SeedFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.py') && statSync(full).size < 256 * 1024) out.push({ name: relative(root, full), bytes: readFileSync(full) });
    }
  };
  walk(fixture('sources'));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function fuzz(dir: string, label: string, extra: string[] = []): Promise<void> {
  const run = await runBounded(['static', dir, '--format', 'json', ...extra], { timeoutMs: 30_000 });
  expectRobust(run, label);
  if (run.exitCode === 2) {
    expect(run.stdout, `${label}: exit 2 must not print a report`).toBe('');
    expect(run.stderr.trim().split('\n'), `${label}: one line on stderr`).toHaveLength(1);
  } else {
    expect(() => JSON.parse(run.stdout), `${label}: exit ${run.exitCode} without a JSON report`).not.toThrow();
  }
}

const project = (files: Record<string, string | Buffer>) => writeTree(tempDir('rd-fuzz-sources-'), { 'app.py': PRODUCER, ...files });

describe('mutated deployment files of every source', () => {
  const cases = mutants(sourceSeeds(), 40, 7101);

  it(`${cases.length} mutants end in exit 0/1/2, bounded, without a stack trace`, async () => {
    const failures: string[] = [];
    await mapLimit(cases, 3, async (mutant) => {
      try {
        await fuzz(mutatedProject(mutant.name, mutant.bytes), mutant.label);
      } catch (error) {
        failures.push((error as Error).message.split('\n').slice(0, 6).join('\n'));
      }
    });
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 300_000);
});

/** A YAML alias bomb inside a Kubernetes object (`levels` levels of `width` aliases). */
function manifestAliasBomb(levels: number, width: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'x-bomb:'];
  lines.push(`  l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(',')}]`);
  for (let level = 1; level < levels; level++) lines.push(`  l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(',')}]`);
  lines.push(`data: {bomb: *l${levels - 1}}`);
  return `${lines.join('\n')}\n`;
}

describe.concurrent('pathological deployment files', () => {
  const cases: [string, () => Record<string, string | Buffer>][] = [
    ['Procfile: random binary', () => ({ Procfile: binary(64 * 1024, 11) })],
    ['Procfile: over the size cap', () => ({ Procfile: `worker: rq worker ${'q '.repeat(5 * MiB + 10)}\n` })],
    ['Procfile: a 4 MiB line', () => ({ Procfile: `worker: ${hugeLine(4 * MiB)}\n` })],
    ['Procfile.prod: non-UTF-8', () => ({ 'Procfile.prod': nonUtf8('worker: rq worker high\n') })],
    ['Procfile: 20k process types', () => ({ Procfile: Array.from({ length: 20_000 }, (_, i) => `p${i}: rq worker q${i}\n`).join('') })],
    ['k8s: alias bomb', () => ({ 'k8s/bomb.yaml': manifestAliasBomb(12, 12) })],
    ['k8s: 10k-deep flow sequence', () => ({ 'k8s/deep.yaml': `apiVersion: v1\nkind: List\nitems: ${deepYaml(10_000, 'flow-seq')}` })],
    ['k8s: binary after apiVersion/kind', () => ({ 'k8s/x.yaml': Buffer.concat([Buffer.from('apiVersion: v1\nkind: Pod\n'), binary(8192, 12)]) })],
    ['k8s: invalid YAML', () => ({ 'k8s/x.yaml': 'apiVersion: v1\nkind: Pod\nspec: {containers: [\n' })],
    ['k8s: containers is a string, args a number', () => ({ 'k8s/x.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, args: 7}]}\n' })],
    ['k8s: a Deployment with 5k containers', () => ({ 'k8s/x.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {template: {spec: {containers: [${Array.from({ length: 5_000 }, (_, i) => `{name: c${i}, args: [rq, worker, q${i}]}`).join(',')}]}}}\n` })],
    ['k8s: a $( without end and 100k $$', () => ({ 'k8s/x.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, args: [rq, worker, "$(${'$$'.repeat(50_000)}"]}]}\n` })],
    ['kustomization: alias bomb', () => ({ 'kustomization.yaml': manifestAliasBomb(12, 12).replace('kind: ConfigMap', 'kind: Kustomization') })],
    ['kustomization: resource is itself', () => ({ 'deploy/kustomization.yaml': 'resources:\n  - .\n' })],
    ['kustomization: a missing resource', () => ({ 'kustomization.yaml': 'resources:\n  - nowhere.yaml\n' })],
    ['kustomization: a resource outside the project', () => ({ 'kustomization.yaml': 'resources:\n  - ../../../../etc/passwd\n' })],
    ['kustomization: binary', () => ({ 'kustomization.yaml': binary(4096, 13) })],
    ['kustomization: two overlays of one base, a cycle between them', () => ({ 'deploy/a/kustomization.yaml': 'resources: [../b]\n', 'deploy/b/kustomization.yaml': 'resources: [../a]\n', 'deploy/c/kustomization.yaml': `resources: [w.yaml]\n`, 'deploy/c/w.yaml': DEPLOYMENT })],
    ['systemd: 100k continuation lines', () => ({ 'w.service': `[Service]\nExecStart=/usr/bin/rq worker \\\n${'  high \\\n'.repeat(100_000)}  default\n` })],
    ['systemd: unbalanced quotes and escapes', () => ({ 'w.service': '[Service]\nEnvironment="A=1\nExecStart=/usr/bin/rq worker "high \\x4\\\n' })],
    ['systemd: binary', () => ({ 'deploy/w.service': binary(16 * 1024, 14) })],
    ['systemd: EnvironmentFile is a directory', () => ({ 'w.service': '[Service]\nEnvironmentFile=/etc\nExecStart=/usr/bin/rq worker\n', 'etc/x': '' })],
    ['supervisord: 100k continuation lines', () => ({ 'supervisord.conf': `[program:w]\ncommand=rq worker\n${'  high\n'.repeat(100_000)}` })],
    ['supervisord: include of itself', () => ({ 'supervisord.conf': '[include]\nfiles = *.conf\n[program:w]\ncommand=rq worker\n' })],
    ['supervisord: environment with unbalanced quotes', () => ({ 'supervisord.conf': '[program:w]\ncommand=rq worker\nenvironment=A="x,B=\'y\n' })],
    ['fly.toml: 10k-deep arrays', () => ({ 'fly.toml': `x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` })],
    ['fly.toml: unterminated multi-line string', () => ({ 'fly.toml': `[processes]\nworker = """rq worker\n${'x\n'.repeat(100_000)}` })],
    ['fly.toml: binary', () => ({ 'fly.toml': binary(64 * 1024, 15) })],
    ['fly.toml: 100k keys', () => ({ 'fly.toml': `[env]\n${Array.from({ length: 100_000 }, (_, i) => `K${i} = "${i}"\n`).join('')}` })],
    ['fly.toml: processes is an array of tables', () => ({ 'fly.toml': '[[processes]]\nworker = "rq worker"\n' })],
  ];
  for (const [name, files] of cases) {
    it(name, async () => {
      await fuzz(project(files()), name);
    });
  }

  it('helm on stdin: binary', async () => {
    const run = await runBounded(['static', project({}), '--source', 'helm=-', '--format', 'json'], { input: binary(32 * 1024, 16).toString('latin1') });
    expectRobust(run, 'helm stdin binary');
  });
});
