import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, fixture, REPO_ROOT } from '../helpers/cli.js';
import { sarifValidator } from './sarif-schema.js';
import { findAll, parseXml } from './xml.js';

/** Every ```yaml block of a Markdown file, parsed. */
function yamlBlocks(file: string): unknown[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/^```ya?ml\n([^]*?)^```/gm)].map((match) => parse(match[1]!));
}

interface Workflow {
  jobs: Record<string, { steps: { run?: string; uses?: string; if?: string; with?: Record<string, unknown> }[] }>;
}

const isWorkflow = (block: unknown): block is Workflow =>
  typeof block === 'object' && block !== null && 'jobs' in block && Object.values((block as Workflow).jobs).some((job) => Array.isArray(job?.steps));

function gitlabJobs(block: unknown) {
  if (typeof block !== 'object' || block === null) return [];
  return Object.values(block as Record<string, { script?: string[]; artifacts?: { reports?: { junit?: string } } }>).filter(
    (job) => Array.isArray(job?.script) && job.artifacts?.reports?.junit,
  );
}

/** `npx receipts-doctor …` → the built CLI's argv (the commands are simple: no quoting, no shell syntax). */
function argv(command: string): string[] {
  const words = command.trim().split(/\s+/);
  expect(words.slice(0, 2)).toEqual(['npx', 'receipts-doctor']);
  return words.slice(2);
}

/** A copy of the incident's project, so output files land in a scratch dir. */
function scratchProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rd-ci-'));
  cpSync(fixture('prosaas'), dir, { recursive: true });
  return dir;
}

async function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd,
    reject: false,
    timeout: 120_000,
    env: { NO_COLOR: '1', REDIS_URL: undefined, RECEIPTS_DOCTOR_URL: undefined, ...env },
  });
  // 0 or 1 are verdicts; 2 means the documented command does not work.
  expect([0, 1], `exit ${result.exitCode}: ${String(result.stderr)}`).toContain(result.exitCode);
  return result;
}

// Both documents show both CI examples; each must be there and must run.
const documents = ['docs/ci.md', 'README.md'];

describe.each(documents)('the CI examples in %s', (document) => {
  it('the GitHub Actions workflow: checkout, node 20, the gate writing SARIF, upload-sarif always, a github-format step — and its commands run', async () => {
    const workflows = yamlBlocks(document).filter(isWorkflow);
    expect(workflows).toHaveLength(1);
    const steps = Object.values(workflows[0]!.jobs).flatMap((job) => job.steps);
    expect(steps.some((step) => step.uses?.startsWith('actions/checkout@'))).toBe(true);
    expect(steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(20);
    const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.if).toBe('always()');
    const commands = steps.flatMap((step) => (step.run?.includes('receipts-doctor') ? [step.run] : []));
    const sarifCommand = commands.find((command) => command.includes('--format sarif'));
    const githubCommand = commands.find((command) => command.includes('--format github'));
    expect(sarifCommand).toBeDefined();
    expect(githubCommand).toBeDefined();

    const project = scratchProject();
    const sarifArgs = argv(sarifCommand!);
    const output = sarifArgs[sarifArgs.indexOf('--output') + 1]!;
    expect(upload?.with?.sarif_file).toBe(output);
    await run(sarifArgs, project);
    const log = JSON.parse(readFileSync(path.join(project, output), 'utf8'));
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].tool.driver.name).toBe('receipts-doctor');

    const summary = path.join(project, 'step-summary.md');
    const annotations = await run(argv(githubCommand!), project, { GITHUB_STEP_SUMMARY: summary });
    const lines = String(annotations.stdout).trim().split('\n');
    expect(lines.filter((line) => line.startsWith('::')).length).toBe(log.runs[0].results.length);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## receipts-doctor/);
  });

  it('the GitLab CI job writes the JUnit file its artifacts name', async () => {
    const jobs = yamlBlocks(document).flatMap(gitlabJobs);
    expect(jobs).toHaveLength(1);
    const command = jobs[0]!.script!.find((line) => line.includes('receipts-doctor'))!;
    const args = argv(command);
    expect(args).toContain('junit');
    const output = args[args.indexOf('--output') + 1]!;
    expect(jobs[0]!.artifacts!.reports!.junit).toBe(output);
    const project = scratchProject();
    await run(args, project);
    const root = parseXml(readFileSync(path.join(project, output), 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(findAll(root, 'testsuite').length).toBeGreaterThan(0);
  });
});
