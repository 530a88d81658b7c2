// Start-up: `check` on a small project vs a bare `node -e 0` (docs/CONTRACT.md §8: within 2.5×).
import { fileURLToPath } from 'node:url';
import { binArgs, median, report, timeCommand } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const bare = median(timeCommand(process.execPath, ['-e', '0'], { runs }));
const help = median(timeCommand(process.execPath, [...binArgs(`${root}bin/receipts-doctor.js`), '--version'], { runs, cwd: root }));
const check = median(
  timeCommand(process.execPath, [...binArgs(`${root}bin/receipts-doctor.js`), 'check', 'fixtures/prosaas', '--format', 'json'], { runs, cwd: root }),
);
report('startup (--version)', help, bare, { referenceLabel: 'node -e 0', target: '≤ 2.5×' });
const ratio = report('startup (check fixtures/prosaas)', check, bare, { referenceLabel: 'node -e 0', target: '≤ 2.5×' });
export default { name: 'startup: check fixtures/prosaas', against: 'node -e 0', ratio, target: 2.5, lowerIsBetter: true };
