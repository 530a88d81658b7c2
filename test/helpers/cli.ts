import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/receipts-doctor.js', import.meta.url));
export const fixture = (...parts: string[]) => fileURLToPath(new URL(`../../fixtures/${parts.join('/')}`, import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a real process (no colours, no inherited REDIS_URL/tokens unless given). */
export async function runCli(args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa(process.execPath, ['--', BIN, ...args], {
    reject: false,
    timeout: 120_000,
    ...options,
    env: {
      NO_COLOR: '1',
      REDIS_URL: undefined,
      RECEIPTS_DOCTOR_URL: undefined,
      RECEIPTS_DOCTOR_TOKEN: undefined,
      ...(options.env ?? {}),
    },
    extendEnv: true,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs the CLI with --format json and parses the report. */
export async function runJson(args: string[], options: Options = {}) {
  const result = await runCli([...args, '--format', 'json'], options);
  let report: import('../../src/types.js').Report | undefined;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    report = undefined;
  }
  return { ...result, report };
}
