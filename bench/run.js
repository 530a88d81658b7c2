// One entry point for every benchmark (`npm run bench`): each compares against a reference in the same run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = ['startup', 'static-scale', 'live-scale', 'live-workers', 'live-cluster', 'live-celery', 'live-rabbitmq', 'serve-throughput', 'exporter'].filter(
  (name) => only.length === 0 || only.includes(name),
);
console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const name of benches) {
  const file = `${here}${name}.js`;
  if (!existsSync(file)) {
    console.log(`${name}: (no benchmark script)`);
    continue;
  }
  console.log(`\n== ${name}`);
  await import(file);
}
