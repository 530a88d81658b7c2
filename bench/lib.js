// Shared helpers for the benchmarks: timing child processes and printing medians side by side.
import { spawnSync } from 'node:child_process';

/** Runs `command args` `runs` times (after one warm-up) and returns the wall times in ms. */
export function timeCommand(command, args, { runs = 10, cwd, env, allowFailure = true } = {}) {
  const times = [];
  for (let i = -1; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.error) throw result.error;
    if (!allowFailure && result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= 0) times.push(elapsed);
  }
  return times;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Prints `name: ours X ms vs reference Y ms → ratio`, and returns the ratio ours/reference. */
export function report(name, ours, reference, { oursLabel = 'receipts-doctor', referenceLabel = 'reference', target } = {}) {
  const ratio = ours / reference;
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  console.log(
    `${name}: ${oursLabel} ${fmt(ours)} (median) vs ${referenceLabel} ${fmt(reference)} (median) → ${ratio.toFixed(2)}×${target ? `  [target ${target}]` : ''}`,
  );
  return ratio;
}
