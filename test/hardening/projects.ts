/** Temp project dirs for fuzz runs: copies of fixtures with one file replaced, and hand-built trees. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixture } from '../helpers/cli.js';

const roots: string[] = [];

/** A fresh temp dir, removed by `removeTempDirs()` (call it in afterAll). */
export function tempDir(prefix = 'rd-fuzz-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (path relative to `root` → content) under root, creating dirs. */
export function writeTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [file, content] of Object.entries(files)) {
    const full = join(root, file);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/**
 * A copy of the fixture project that holds `fixtureFile` (path relative to fixtures/, e.g.
 * `incident/server/worker.py`), with that file replaced by `bytes`. Returns the project dir.
 * The project is the fixture's first-level dir (`incident`, `scenarios/django-rq`, `bad/binary`, `sources/k8s`).
 */
export function mutatedProject(fixtureFile: string, bytes: Buffer): string {
  const parts = fixtureFile.split('/');
  const depth = parts[0] === 'scenarios' || parts[0] === 'bad' || parts[0] === 'sources' ? 2 : 1;
  const project = parts.slice(0, depth).join('/');
  const inside = parts.slice(depth).join('/');
  const dir = join(tempDir(), 'project');
  cpSync(fixture(project), dir, { recursive: true, filter: (source) => !source.includes('__pycache__') && !source.includes('node_modules') });
  writeFileSync(join(dir, inside), bytes);
  return dir;
}

/** Maps `items` through `fn` with at most `limit` running at once (CLI processes on a 2-core machine). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await fn(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}
