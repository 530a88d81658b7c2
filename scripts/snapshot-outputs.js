#!/usr/bin/env node
// Refactor check: runs the built CLI (bin/receipts-doctor.js → dist/) over every fixture project and scenario with
// `static`, `check` and `fix` (no network) in every format and writes each run's exit code, stdout and stderr to one
// file under OUT_DIR. Only durations are normalised. Take a snapshot before a behaviour-preserving change and one
// after it (`npm run build` first each time), then `diff -r before after`: the outputs must be byte-identical.
//   node scripts/snapshot-outputs.js OUT_DIR
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/snapshot-outputs.js OUT_DIR');
  process.exit(2);
}
const BIN = join(root, 'bin/receipts-doctor.js');
if (!existsSync(join(root, 'dist/bundle/start.cjs'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

// Every project directory the tests run the CLI over: the two demo projects and each fixture group's children.
const GROUPS = ['bad', 'compose', 'fuzz-regressions', 'scan', 'scenarios', 'sources'];
const projects = ['fixtures/incident', 'fixtures/prosaas'];
for (const group of GROUPS) {
  for (const name of readdirSync(join(root, 'fixtures', group)).sort()) {
    if (statSync(join(root, 'fixtures', group, name)).isDirectory()) projects.push(`fixtures/${group}/${name}`);
  }
}

// Extra argument sets the tests use on some projects (explicit sources, queue variables, test files).
const VARIANTS = {
  'fixtures/sources/helm': [['--source', 'helm:prod=rendered-prod.yaml'], ['--source', 'helm=rendered-healthy.yaml']],
  'fixtures/sources/kustomize': [['--source', 'kustomize=deploy/overlays/staging'], ['--source', 'kustomize:prod=deploy/overlays/prod']],
  'fixtures/sources/k8s': [['--source', 'k8s=k8s']],
  'fixtures/sources/procfile': [['--source', 'procfile:prod=Procfile.prod']],
  'fixtures/sources/systemd': [['--source', 'systemd=deploy']],
  'fixtures/sources/supervisord': [['--source', 'supervisord=supervisord.conf']],
  'fixtures/sources/fly': [['--source', 'fly=fly.toml']],
  'fixtures/sources/compose-no-base': [['--env', 'dev=docker-compose.dev.yml', '--env', 'prod=docker-compose.prod.yml']],
  'fixtures/scan/python-rq': [['--include-tests']],
  'fixtures/scan/bullmq-ts': [['--queue-var', 'WORKER_QUEUES']],
  'fixtures/scenarios/bullmq-ts': [['--queue-var', 'WORKER_QUEUES']],
  'fixtures/scenarios/bullmq-enqueue-sites': [['--queue-var', 'WORKER_QUEUES']],
  'fixtures/scenarios/connection-mismatch-bullmq': [['--queue-var', 'WORKER_QUEUES']],
  'fixtures/incident': [['--queue', 'sync,extra'], ['--var', 'RQ_QUEUES=default,low']],
};

const REPORT_FORMATS = ['json', 'table', 'sarif', 'github', 'junit', 'markdown'];
const FIX_FORMATS = ['diff', 'json', 'sarif', 'markdown'];

const runs = [];
for (const project of projects) {
  for (const [v, extra] of [[], ...(VARIANTS[project] ?? [])].entries()) {
    for (const command of ['static', 'check']) {
      for (const format of REPORT_FORMATS) runs.push({ project, v, args: [command, project, ...extra, '--format', format, '--no-color'] });
    }
    for (const format of FIX_FORMATS) runs.push({ project, v, args: ['fix', project, ...extra, '--format', format] });
  }
}

/** Durations are the only part of an output that may change between two runs of the same code. */
function normalise(text) {
  return text
    .replace(/"durationMs": \d+/g, '"durationMs": 0')
    .replace(/ time="\d+\.\d+"/g, ' time="0"')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b(?= ·|\)|$)/gm, 'N');
}

function run(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr });
    });
  });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let next = 0;
async function worker() {
  while (next < runs.length) {
    const { project, v, args } = runs[next++];
    const result = await run(args);
    const name = `${relative('fixtures', project).replaceAll('/', '__')}${v ? `~${v}` : ''}__${args[0]}__${args[args.indexOf('--format') + 1]}.txt`;
    writeFileSync(join(out, name), `$ receipts-doctor ${args.join(' ')}\nexit ${result.code}\n--- stdout\n${normalise(result.stdout)}\n--- stderr\n${normalise(result.stderr)}`);
  }
}
await Promise.all([worker(), worker()]);
console.log(`${runs.length} runs written to ${out}`);
