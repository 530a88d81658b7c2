// One entry point for every benchmark (`npm run bench`): each compares against a reference in the same run. A bench
// script may export (default) its ratios — one `{ name, ratio, target, against }` or a list of them, `lowerIsBetter`
// unless it says otherwise — and they are printed together at the end: the summary lines (live, static and the
// exporter against their floor programs, docs/CONTRACT.md §10 "Performance").
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const argv0 = process.argv[0];
const benches = ['startup', 'static-scale', 'live-scale', 'live-workers', 'live-cluster', 'live-celery', 'live-rabbitmq', 'serve-throughput', 'exporter'].filter(
  (name) => only.length === 0 || only.includes(name),
);
const os = await import('node:os');
console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the start`);
const ratios = [];
for (const name of benches) {
  const file = `${here}${name}.js`;
  if (!existsSync(file)) {
    console.log(`${name}: (no benchmark script)`);
    continue;
  }
  console.log(`\n== ${name}`);
  // The names given to run.js are not the bench's own options (it parses process.argv): each runs with its defaults.
  process.argv = [argv0, file];
  const exported = (await import(file)).default;
  if (exported) ratios.push(...(Array.isArray(exported) ? exported : [exported]));
}
if (ratios.length > 0) {
  console.log(`\n== summary (each ratio against its reference timed in the same run; load average ${os.loadavg()[0].toFixed(1)} now)`);
  const width = Math.max(...ratios.map((entry) => `${entry.name} / ${entry.against ?? 'reference'}`.length));
  let missed = 0;
  for (const entry of ratios) {
    const met = entry.lowerIsBetter === false ? entry.ratio >= entry.target : entry.ratio <= entry.target;
    if (!met) missed += 1;
    const label = `${entry.name} / ${entry.against ?? 'reference'}`;
    console.log(`${label.padEnd(width)}  ${entry.ratio.toFixed(3)}×  (target ${entry.lowerIsBetter === false ? '≥' : '≤'} ${entry.target}×)  ${met ? 'met' : 'MISSED'}`);
  }
  if (missed > 0) process.exitCode = 1;
}
