/**
 * The CI integration as a user gets it: the composite GitHub Action (action.yml) run step by step as the runner
 * does, from a checkout of this repository that it builds itself, and the documented workflows (docs/ci.md, the
 * README) run against copies of the bundled projects. npm installs come from npm's cache when it has the
 * packages (after the README's `npm ci` it has all of them), from the registry otherwise.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULE_DOCS_BASE_URL } from '../../src/rules.js';
import { actionCheckout, readAction, runAction, type ActionRun, type StepRun } from '../helpers/action.js';
import { fixture, REPO_ROOT } from '../helpers/cli.js';
import { sarifValidator } from './sarif-schema.js';
import { findAll, parseXml } from './xml.js';

const NPM_ENV = {
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  repository: { url: string };
};
/** `owner/name` of this repository, from package.json (the URL SARIF and markdown link to). */
const REPOSITORY = /github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(packageJson.repository.url)![1]!;

/** Every ```yaml block of a Markdown file: its text and its parsed value. */
function yamlBlocks(file: string): { text: string; value: unknown }[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/^```ya?ml\n([^]*?)^```/gm)].map((match) => ({ text: match[1]!, value: parse(match[1]!) }));
}

interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: { run?: string; uses?: string; if?: string; with?: Record<string, unknown> }[] }>;
}

const isWorkflow = (block: unknown): block is Workflow =>
  typeof block === 'object' && block !== null && 'jobs' in block && Object.values((block as Workflow).jobs).some((job) => Array.isArray(job?.steps));

function workflowBlocks(file: string) {
  return yamlBlocks(file).filter((block) => isWorkflow(block.value)) as { text: string; value: Workflow }[];
}

function gitlabJobs(block: unknown) {
  if (typeof block !== 'object' || block === null) return [];
  return Object.values(block as Record<string, { script?: string[]; artifacts?: { reports?: { junit?: string } } }>).filter(
    (job) => Array.isArray(job?.script) && job.artifacts?.reports?.junit,
  );
}

/** A copy of a bundled project, so the reports land in a scratch workspace. */
function scratchProject(name: 'incident' | 'prosaas'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rd-ci-'));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

const stepNamed = (run: ActionRun, name: string): StepRun => {
  const found = run.steps.find((entry) => entry.step.name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
};

function expectValidSarif(file: string): { runs: { tool: { driver: { name: string } }; results: unknown[] }[] } {
  const log = JSON.parse(readFileSync(file, 'utf8'));
  const validate = sarifValidator();
  expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
  expect(log.runs[0].tool.driver.name).toBe('receipts-doctor');
  return log;
}

describe('the GitHub Action (action.yml) and the documented CI', () => {
  let actionPath: string;
  let incidentWorkspace: string;
  let incident: ActionRun;

  beforeAll(async () => {
    // The action as `uses:` gets it: a checkout without node_modules or dist/, which its install step builds.
    actionPath = actionCheckout();
    incidentWorkspace = scratchProject('incident');
    incident = await runAction({ actionPath, workspace: incidentWorkspace, env: NPM_ENV });
  }, 300_000);

  it('is a composite action: set up node, build from its own checkout, run check once, upload-sarif@v4 always, then the gate', () => {
    const action = readAction();
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    expect(steps.map((step) => step.uses ?? step.name)).toEqual([
      'actions/setup-node@v4',
      'Install receipts-doctor',
      'Check queues and workers',
      'github/codeql-action/upload-sarif@v4',
      'Gate',
    ]);
    const install = steps[1]!;
    expect(install['working-directory']).toBe('${{ github.action_path }}');
    expect(install.run).toMatch(/^npm ci\b/);
    // Upload even when the gate fails, but not when the check could not run (there is no report then).
    expect(steps[3]!.if).toMatch(/^always\(\) && /);
    expect(steps[3]!.with).toEqual({ sarif_file: '${{ steps.check.outputs.sarif-file }}', category: '${{ inputs.category }}' });
    expect(Object.keys(action.inputs).sort()).toEqual(['args', 'category', 'fail-on', 'node-version', 'path', 'sarif-file', 'upload-sarif']);
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10);
  });

  it('on the incident: builds, writes valid SARIF and the step summary, hands the SARIF to upload-sarif, and fails the job with exit 1', () => {
    const install = stepNamed(incident, 'Install receipts-doctor');
    expect(install.exitCode, `${install.stdout}\n${install.stderr}`).toBe(0);
    const check = stepNamed(incident, 'Check queues and workers');
    expect(check.exitCode, check.stderr).toBe(0);
    expect(incident.outputs).toEqual({ 'exit-code': '1', 'sarif-file': 'receipts-doctor.sarif' });

    const upload = incident.steps.find((entry) => entry.step.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.ran).toBe(true);
    expect(upload.with).toEqual({ sarif_file: 'receipts-doctor.sarif', category: 'receipts-doctor' });
    const log = expectValidSarif(path.join(incidentWorkspace, upload.with!.sarif_file!));
    expect(log.runs[0]!.results.length).toBe(4); // 2 errors, 2 info: SARIF keeps every finding

    expect(incident.summary).toMatch(/^## receipts-doctor: ❌ FAIL\n\n\*\*2 errors, 0 warnings, 2 info\*\* \(static\)/);
    expect(incident.summary).toContain('queue-without-worker');

    const gate = stepNamed(incident, 'Gate');
    expect(gate.exitCode).toBe(1);
    expect(incident.failed).toBe(true);
  });

  it('on the fixed project: exit-code 0 and the job passes; fail-on, path and sarif-file are honoured; upload-sarif false skips the upload', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'rd-ci-'));
    cpSync(fixture('prosaas'), path.join(workspace, 'services', 'api'), { recursive: true });
    const passing = await runAction({ actionPath, workspace, inputs: { path: 'services/api', 'sarif-file': 'out/rd.sarif' }, skip: ['Install receipts-doctor'] });
    expect(passing.outputs['exit-code']).toBe('0');
    expect(passing.failed).toBe(false);
    expectValidSarif(path.join(workspace, 'out', 'rd.sarif'));
    expect(passing.summary).toMatch(/^## receipts-doctor: ✅ OK/);

    const strict = await runAction({
      actionPath,
      workspace,
      inputs: { path: 'services/api', 'fail-on': 'info', 'upload-sarif': 'false' },
      skip: ['Install receipts-doctor'],
    });
    expect(strict.outputs['exit-code']).toBe('1');
    expect(stepNamed(strict, 'Gate').exitCode).toBe(1);
    expect(strict.steps.find((entry) => entry.step.uses?.startsWith('github/codeql-action/upload-sarif@'))!.ran).toBe(false);
  });

  it('bad input: exit-code 2 with one clear line, nothing to upload, and the job fails', async () => {
    const workspace = scratchProject('incident');
    const run = await runAction({ actionPath, workspace, inputs: { args: '--bogus' }, skip: ['Install receipts-doctor'] });
    const check = stepNamed(run, 'Check queues and workers');
    expect(check.stderr).toBe("receipts-doctor: unknown option '--bogus' (run with --help for usage)");
    expect(run.outputs).toEqual({ 'exit-code': '2', 'sarif-file': '' });
    expect(run.steps.find((entry) => entry.step.uses?.startsWith('github/codeql-action/upload-sarif@'))!.ran).toBe(false);
    expect(stepNamed(run, 'Gate').exitCode).toBe(2);
    expect(run.failed).toBe(true);

    // `--env-file` in args is the CLI's to refuse: node itself, reading it first (nodejs/node#54232), would hang on
    // /dev/zero until the job's own timeout.
    const envFile = await runAction({ actionPath, workspace, inputs: { args: '--env-file /dev/zero' }, skip: ['Install receipts-doctor'], stepTimeoutMs: 20_000 });
    const refused = stepNamed(envFile, 'Check queues and workers');
    expect(refused.stderr).toMatch(/^receipts-doctor: env file .*\/dev\/zero is not a regular file/);
    expect(envFile.outputs['exit-code']).toBe('2');
  });

  it('the GitHub workflow has one source, docs/ci.md, which the README links instead of copying', () => {
    expect(workflowBlocks('docs/ci.md')).toHaveLength(1);
    expect(workflowBlocks('README.md')).toHaveLength(0);
    expect(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')).toContain('[docs/ci.md](docs/ci.md)');
  });

  it('the documented workflow: checkout, this repository\'s action with inputs it declares, the permissions upload-sarif needs — and it runs', async () => {
    const [workflow] = workflowBlocks('docs/ci.md');
    expect(workflow!.value.permissions).toEqual({ contents: 'read', 'security-events': 'write', actions: 'read' });
    const steps = Object.values(workflow!.value.jobs).flatMap((job) => job.steps);
    expect(steps[0]!.uses).toMatch(/^actions\/checkout@v\d+$/);
    const uses = steps.find((step) => step.uses?.startsWith(`${REPOSITORY}@`));
    expect(uses, `a step that uses ${REPOSITORY}@…`).toBeDefined();
    // No step installs from the npm registry or runs npx: the package is not published.
    expect(steps.filter((step) => step.run !== undefined)).toEqual([]);
    const inputs = Object.fromEntries(Object.entries(uses!.with ?? {}).map(([key, value]) => [key, String(value)]));
    const declared = Object.keys(readAction().inputs);
    for (const key of Object.keys(inputs)) expect(declared).toContain(key);

    const workspace = scratchProject('incident');
    const run = await runAction({ actionPath, workspace, inputs, skip: ['Install receipts-doctor'] });
    expect(run.outputs['exit-code']).toBe('1');
    expectValidSarif(path.join(workspace, run.outputs['sarif-file']!));
  });

  it('the GitLab job installs the `npm pack` tarball and writes the JUnit file its artifacts name; info findings pass', async () => {
    const jobs = yamlBlocks('docs/ci.md').flatMap((block) => gitlabJobs(block.value));
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    const install = job!.script!.find((line) => line.startsWith('npm install'))!;
    const tarball = /\s(\.\/\S+\.tgz)$/.exec(install)?.[1];
    expect(tarball).toBe(`./ci/receipts-doctor-${packageJson.version}.tgz`);
    expect(job!.script!.join('\n')).not.toMatch(/\bnpx\b|npm install[^\n]* receipts-doctor(@|\s|$)/);

    // The tarball as documented: `npm pack` in a built checkout (the action's, built by its install step).
    const packed = mkdtempSync(path.join(tmpdir(), 'rd-pack-'));
    const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packed], { cwd: actionPath, env: NPM_ENV });
    const [{ filename }] = JSON.parse(String(pack.stdout)) as { filename: string }[];
    const workspace = scratchProject('prosaas');
    mkdirSync(path.join(workspace, 'ci'));
    copyFileSync(path.join(packed, filename), path.join(workspace, tarball!));

    // A global install into a private prefix, as in the node:20 image, then the job's commands in order.
    const prefix = mkdtempSync(path.join(tmpdir(), 'rd-prefix-'));
    const env = { ...NPM_ENV, npm_config_prefix: prefix, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}`, NO_COLOR: '1', REDIS_URL: undefined };
    for (const line of job!.script!) {
      const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', line], { cwd: workspace, env, extendEnv: true, reject: false, timeout: 240_000 });
      expect(result.exitCode, `${line}\n${String(result.stderr)}`).toBe(0);
    }
    const root = parseXml(readFileSync(path.join(workspace, job!.artifacts!.reports!.junit!), 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attributes.failures).toBe('0');
    expect(findAll(root, 'system-out').length).toBeGreaterThan(0);
  });

  it('SARIF and markdown link into the repository package.json names', () => {
    expect(RULE_DOCS_BASE_URL.startsWith(`https://github.com/${REPOSITORY}/`)).toBe(true);
  });
});
