/**
 * Robustness harness: runs the built CLI as a real process under a hard deadline and checks the
 * guarantees of docs/CONTRACT.md §2/§8 — exit 0, 1 or 2, no stack trace, no "internal error", a bounded run: a hard
 * deadline (SIGKILL after it) and a hard memory bound (its resident set is sampled from /proc while it runs and the
 * process is SIGKILLed past the bound), so a hang or a runaway read fails the test instead of the machine.
 *
 *   const run = await runBounded(['static', dir]);
 *   expectRobust(run, 'mutated compose #12');
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { expect } from 'vitest';
import { BIN } from '../helpers/cli.js';

export interface BoundedRun {
  args: string[];
  exitCode: number | undefined;
  /** The signal that ended the process (SIGKILL when the deadline passed). */
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Largest resident set seen while it ran, in MiB. */
  peakRssMiB: number;
  /** Killed for going over its memory bound. */
  overMemory: boolean;
  maxRssMiB: number;
}

export interface BoundedOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Hard deadline; the process is SIGKILLed after it (a hang is a failure, never a stuck suite). Default 20 s. */
  timeoutMs?: number;
  /** Bytes for stdin (the CLI never reads stdin; this proves it does not wait for it). */
  input?: string;
  /** Hard memory bound: SIGKILLed when its resident set grows past this many MiB. Default 1024 (a runaway read grows to gigabytes; tests that prove a bounded read pass a tighter bound). */
  maxRssMiB?: number;
}

/** Resident set of a live process in MiB (Linux /proc), or undefined once it is gone. */
function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Environment variables that would leak into the CLI from the developer's shell and change its behaviour. */
const CLEAN_ENV = {
  NO_COLOR: '1',
  FORCE_COLOR: undefined,
  REDIS_URL: undefined,
  RECEIPTS_DOCTOR_URL: undefined,
  RECEIPTS_DOCTOR_TOKEN: undefined,
};

/** Runs the built CLI with a hard deadline; never rejects. */
export async function runBounded(args: string[], options: BoundedOptions = {}): Promise<BoundedRun> {
  const started = performance.now();
  const maxRssMiB = options.maxRssMiB ?? 1024;
  // `--` as in the bin's shebang: node must not read the CLI's own `--env-file` argument (nodejs/node#54232).
  const child = execa(process.execPath, ['--', BIN, ...args], {
    reject: false,
    timeout: options.timeoutMs ?? 20_000,
    killSignal: 'SIGKILL',
    // Huge answers must not blow the test's own memory: the CLI's output is bounded by design anyway.
    maxBuffer: 64 * 1024 * 1024,
    input: options.input ?? '',
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { ...CLEAN_ENV, ...(options.env ?? {}) },
    extendEnv: true,
  });
  let peakRssMiB = 0;
  let overMemory = false;
  const sampler = setInterval(() => {
    const rss = child.pid === undefined ? undefined : rssMiB(child.pid);
    if (rss === undefined) return;
    peakRssMiB = Math.max(peakRssMiB, rss);
    if (rss > maxRssMiB && !overMemory) {
      overMemory = true;
      child.kill('SIGKILL');
    }
  }, 25);
  const result = await child.finally(() => clearInterval(sampler));
  return {
    args,
    exitCode: result.exitCode,
    signal: result.signal ?? undefined,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    durationMs: performance.now() - started,
    timedOut: Boolean(result.timedOut),
    peakRssMiB,
    overMemory,
    maxRssMiB,
  };
}

/**
 * Lines that look like a JavaScript stack frame (`    at fn (file:///…/x.js:1:2)`, `    at node:internal/…`,
 * `    at new Promise (<anonymous>)`) — not the table's own `  at docker-compose.yml:26:7` location lines.
 */
export const STACK_FRAME = /^\s+at (?:async )?(?:[\w$.<>[\] ]+ \()?(?:file:\/\/|node:|\/\S*\.(?:js|mjs|cjs|ts):\d|<anonymous>)/m;

/** What went wrong with a run, or undefined when it kept every guarantee. */
export function robustnessProblem(run: BoundedRun): string | undefined {
  if (run.timedOut) return `did not end within its deadline (killed after ${Math.round(run.durationMs)} ms)`;
  if (run.overMemory) return `grew past its memory bound of ${run.maxRssMiB} MiB (killed)`;
  if (run.signal) return `ended by signal ${run.signal}`;
  if (run.exitCode === undefined || ![0, 1, 2].includes(run.exitCode)) return `exit code ${run.exitCode}`;
  const output = `${run.stdout}\n${run.stderr}`;
  if (STACK_FRAME.test(output)) return 'printed a stack trace';
  if (/internal error/i.test(output)) return 'reported an internal error';
  if (/\b(TypeError|RangeError|ReferenceError|SyntaxError):|Maximum call stack|heap out of memory/i.test(output)) {
    return 'leaked a JavaScript error';
  }
  if (run.exitCode === 2) {
    // Exit 2 prints one clear line (docs/CONTRACT.md §2), and no report.
    const lines = run.stderr.trim().split('\n').filter(Boolean);
    if (lines.length !== 1) return `exit 2 with ${lines.length} stderr lines instead of one`;
  }
  return undefined;
}

/** Asserts the run kept every guarantee; the message names the input and shows the output's start. */
export function expectRobust(run: BoundedRun, label: string): void {
  const problem = robustnessProblem(run);
  const excerpt = (text: string) => (text.length > 800 ? `${text.slice(0, 800)}…` : text);
  expect(
    problem,
    `${label}: receipts-doctor ${run.args.join(' ')} ${problem}\n--- stdout\n${excerpt(run.stdout)}\n--- stderr\n${excerpt(run.stderr)}`,
  ).toBeUndefined();
}

/** Asserts no secret appears in any of the texts; names the secret's owner and where it leaked. */
export function expectNoSecret(texts: Record<string, string>, secrets: string[], label: string): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets) {
      const index = text.indexOf(secret);
      expect(index, `${label}: a secret leaked in ${where}: …${text.slice(Math.max(0, index - 120), index + 60)}…`).toBe(-1);
    }
  }
}
