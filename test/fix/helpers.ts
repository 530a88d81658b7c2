import { expect } from 'vitest';
import { memoryFileSystem } from '../../src/fs.js';
import { runFix, type FixResult } from '../../src/fix/index.js';
import type { StaticOptions } from '../../src/static.js';

/** A project in memory under /p: its files by root-relative name. */
export async function planIn(files: Record<string, string>, options: Partial<StaticOptions> = {}): Promise<FixResult> {
  const fs = memoryFileSystem(Object.fromEntries(Object.entries(files).map(([name, text]) => [`/p/${name}`, text])));
  return runFix({ static: { fs, root: '/p', ...options }, write: false });
}

/** A producer that enqueues to `queue` (a module-level RQ queue used in a function, as real code does). */
export const producer = (queue: string) =>
  `from redis import Redis\nfrom rq import Queue\n\nconn = Redis()\nq = Queue("${queue}", connection=conn)\n\n\ndef send():\n    q.enqueue("jobs.run")\n`;

/**
 * The edit is the only difference: the texts agree byte for byte before the first and after the last changed
 * offset, and the changed middle lies inside the edits' span.
 */
export function expectOnlyEditedSpan(original: string, updated: string, edits: { start: number; end: number }[]): void {
  const first = Math.min(...edits.map((edit) => edit.start));
  const last = Math.max(...edits.map((edit) => edit.end));
  let prefix = 0;
  while (prefix < original.length && prefix < updated.length && original[prefix] === updated[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < original.length - prefix &&
    suffix < updated.length - prefix &&
    original[original.length - 1 - suffix] === updated[updated.length - 1 - suffix]
  ) suffix++;
  expect(prefix).toBeGreaterThanOrEqual(first);
  expect(original.length - suffix).toBeLessThanOrEqual(last);
  expect(updated.slice(0, first)).toBe(original.slice(0, first));
  expect(updated.slice(updated.length - (original.length - last))).toBe(original.slice(last));
}
