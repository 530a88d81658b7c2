import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * CLI tests run the built CLI as a process: build dist/ once from the current sources. dist/ is emptied first,
 * so a module whose source was moved or deleted (or a source map from an older build) cannot linger there; then
 * bundle it into dist/bundle/ (scripts/bundle.js), which bin/receipts-doctor.js runs.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle.js'], { cwd: root, stdio: 'inherit' });
}
