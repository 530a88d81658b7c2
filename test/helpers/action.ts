/**
 * Runs the repository's composite GitHub Action (action.yml) the way the runner does, step by step: `run` steps
 * with `bash --noprofile --norc -eo pipefail`, the runner's environment (GITHUB_ACTION_PATH, GITHUB_WORKSPACE,
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), `${{ }}` expressions over inputs, step outputs and github.action_path,
 * and `if:` conditions. `uses` steps (setup-node, upload-sarif) are GitHub's own services: they are recorded
 * with their evaluated inputs, for the test to check what they would be given, and not run.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { REPO_ROOT } from './cli.js';

export interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  'working-directory'?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

export interface ActionDefinition {
  name: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(root: string = REPO_ROOT): ActionDefinition {
  return parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as ActionDefinition;
}

interface Context {
  actionPath: string;
  inputs: Record<string, string>;
  outputs: Record<string, Record<string, string>>;
}

/** A context reference (`inputs.x`, `steps.id.outputs.x`, `github.action_path`); anything else is an error. */
function reference(expression: string, context: Context): string {
  const text = expression.trim();
  if (text === 'github.action_path') return context.actionPath;
  let match = /^inputs\.([\w-]+)$/.exec(text);
  if (match) {
    if (!(match[1]! in context.inputs)) throw new Error(`undeclared input ${match[1]}`);
    return context.inputs[match[1]!]!;
  }
  match = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(text);
  if (match) return context.outputs[match[1]!]?.[match[2]!] ?? '';
  throw new Error(`expression the test runner does not know: ${text}`);
}

function interpolate(text: string, context: Context): string {
  return text.replace(/\$\{\{([^}]*)\}\}/g, (_all, expression: string) => reference(expression, context));
}

/** `if:` as the action writes it: `&&` of always(), success(), `ref == 'literal'` and `ref != 'literal'`. */
function condition(expression: string | undefined, context: Context, failed: boolean): boolean {
  if (expression === undefined) return !failed;
  let statusChecked = false;
  const result = expression.split('&&').every((term) => {
    const text = term.trim();
    if (text === 'always()') return (statusChecked = true);
    if (text === 'success()') {
      statusChecked = true;
      return !failed;
    }
    const match = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(text);
    if (!match) throw new Error(`condition the test runner does not know: ${text}`);
    const value = reference(match[1]!, context);
    return match[2] === '==' ? value === match[3] : value !== match[3];
  });
  return result && (statusChecked || !failed);
}

function readOutputs(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

export interface StepRun {
  step: ActionStep;
  ran: boolean;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** A `uses` step's evaluated `with`. */
  with?: Record<string, string>;
}

export interface ActionRun {
  steps: StepRun[];
  /** The action's outputs, evaluated after its last step. */
  outputs: Record<string, string>;
  /** The step summary file (appended to by the steps). */
  summary: string;
  /** Non-zero when a run step failed: the action fails the job. */
  failed: boolean;
}

/**
 * Runs `action.yml` from `actionPath` in `workspace` with `inputs` (the rest take their defaults);
 * `skip` names steps not to run (the install step runs once per test file, not per scenario).
 */
export async function runAction(options: {
  actionPath: string;
  workspace: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  skip?: string[];
  /** Each step's deadline (a step past it is killed and fails); 300 s unless given. */
  stepTimeoutMs?: number;
}): Promise<ActionRun> {
  const action = readAction(options.actionPath);
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) inputs[name] = input.default ?? '';
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`);
    inputs[name] = value;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'rd-runner-'));
  const summary = path.join(scratch, 'step-summary.md');
  writeFileSync(summary, '');
  const context: Context = { actionPath: options.actionPath, inputs, outputs: {} };
  const runs: StepRun[] = [];
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    if (options.skip?.includes(step.name ?? '') || !condition(step.if, context, failed)) {
      runs.push({ step, ran: false });
      continue;
    }
    if (step.uses) {
      const evaluated = Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(String(value), context)]));
      runs.push({ step, ran: true, with: evaluated });
      continue;
    }
    if (step.shell !== 'bash') throw new Error(`step ${step.name}: composite run steps need shell: bash`);
    const script = path.join(scratch, `step-${index}.sh`);
    const outputFile = path.join(scratch, `output-${index}`);
    writeFileSync(script, interpolate(step.run ?? '', context));
    writeFileSync(outputFile, '');
    const env: Record<string, string | undefined> = {
      ...options.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: options.actionPath,
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: scratch,
      NO_COLOR: '1',
      REDIS_URL: undefined,
      RECEIPTS_DOCTOR_URL: undefined,
      RECEIPTS_DOCTOR_TOKEN: undefined,
    };
    for (const [key, value] of Object.entries(step.env ?? {})) env[key] = interpolate(String(value), context);
    const cwd = step['working-directory'] ? path.resolve(options.workspace, interpolate(step['working-directory'], context)) : options.workspace;
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, extendEnv: true, reject: false, timeout: options.stepTimeoutMs ?? 300_000, killSignal: 'SIGKILL' });
    const exitCode = result.exitCode ?? -1;
    if (step.id) context.outputs[step.id] = readOutputs(outputFile);
    runs.push({ step, ran: true, exitCode, stdout: String(result.stdout), stderr: String(result.stderr) });
    if (exitCode !== 0) failed = true;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, interpolate(output.value, context)]));
  return { steps: runs, outputs, summary: readFileSync(summary, 'utf8'), failed };
}

/**
 * A checkout of this repository as `uses: owner/receipts-doctor@ref` gets it: the tracked sources, without
 * node_modules or dist/ (the action builds them). The working tree is copied, so the test runs the current code.
 */
export function actionCheckout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rd-action-'));
  const skipped = new Set(['node_modules', 'dist', '.git', 'coverage', '.bench-tmp', 'tmp']);
  cpSync(REPO_ROOT, dir, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(REPO_ROOT, source);
      return relative === '' || !skipped.has(relative.split(path.sep)[0]!);
    },
  });
  return dir;
}
