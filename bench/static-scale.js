#!/usr/bin/env node
// Static stage at scale (docs/CONTRACT.md §8): a 12,000-module (~1.9M line) Python monorepo with big ignored dirs.
// Times, in the same run: the scanner in-process (scanSources via dist/), `node` + scanSources as a process,
// `receipts-doctor static <dir> --format json` end to end, and ripgrep finding the same calls.
// Run after `npm run build`:  node bench/static-scale.js [--runs N] [--clean]
// The tree is generated once into the OS temp dir and reused; --clean removes it at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const MODULES = 12_000;
const PRODUCER_MODULES = 300;
const IGNORED_FILES = 20_000;
const dir = path.join(os.tmpdir(), `receipts-doctor-static-scale-${MODULES}`);

const { scanSources } = await import(path.join(repo, 'dist/scan/index.js'));
const { nodeFileSystem } = await import(path.join(repo, 'dist/fs.js'));

/** Deterministic pseudo-random numbers, so every run generates the same tree. */
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (items) => items[Math.floor(random() * items.length)];

const WORDS = ['invoice', 'customer', 'ledger', 'payment', 'account', 'report', 'export', 'tenant', 'session', 'audit', 'order', 'refund', 'price', 'tax', 'schedule', 'user'];

function ordinaryFunction(index, mentionJob) {
  const a = pick(WORDS);
  const b = pick(WORDS);
  return `
def ${a}_${b}_${index}(${a}, ${b}=None, *args, **kwargs):
    """Compute the ${a} for a ${b}.

    Returns a dict with the ${a} totals; raises ValueError for an unknown ${b}.
    """
    # normalise the input first: callers pass strings or ints
    if ${b} is None:
        ${b} = {}
    totals = {"${a}": 0, "${b}": len(${b}) if hasattr(${b}, "__len__") else 0}
    for key, value in sorted(dict(${b}).items()):
        if not isinstance(value, (int, float)):
            raise ValueError(f"bad {key!r}: {value:>10}")
        totals["${a}"] += value * ${index % 7 + 1}
    label = '${a}-' + str(${index}) + "-${b}"${mentionJob ? `\n    job_id = kwargs.get("job_id")  # for tracing` : ''}
    return {**totals, "label": label, "ratio": totals["${a}"] / max(1, ${index % 11 + 1})}
`;
}

function ordinaryClass(index) {
  const a = pick(WORDS);
  return `

class ${a[0].toUpperCase()}${a.slice(1)}Service${index}:
    """Service object for ${a} records."""

    def __init__(self, repository, clock=None):
        self.repository = repository
        self.clock = clock

    def get(self, ${a}_id):
        record = self.repository.get(${a}_id)
        if record is None:
            raise KeyError(${a}_id)
        return record

    def list(self, limit=50, offset=0):
        return [
            item
            for item in self.repository.all()[offset : offset + limit]
            if item.get("active", True)
        ]
`;
}

function moduleText(index, kind) {
  let text = `"""Module ${index} of the monorepo: ${pick(WORDS)} handling."""\nimport json\nimport logging\nimport os\n\nlogger = logging.getLogger(__name__)\nLIMIT = ${index % 100}\n`;
  if (kind === 'producer') {
    text += `from redis import Redis\nfrom rq import Queue\n\nfrom pkg.common.queues import HIGH_QUEUE, REPORTS_QUEUE\n\nredis_conn = Redis.from_url(os.getenv("REDIS_URL", "redis://localhost:6379/0"))\nLOCAL_QUEUE = "default"\n`;
  }
  let lines = text.split('\n').length;
  let n = 0;
  while (lines < 150 + (index % 17)) {
    const chunk = n % 4 === 3 ? ordinaryClass(index * 10 + n) : ordinaryFunction(index * 10 + n, kind === 'job' && n === 1);
    text += chunk;
    lines += chunk.split('\n').length - 1;
    n++;
  }
  if (kind === 'producer') {
    text += `

def enqueue_${index}(payload):
    if not _has_worker_for_queue(redis_conn, queue_name=LOCAL_QUEUE):
        raise RuntimeError("worker is not online")
    Queue(LOCAL_QUEUE, connection=redis_conn).enqueue(json.dumps, payload)
    Queue(${index % 2 ? 'HIGH_QUEUE' : 'REPORTS_QUEUE'}, connection=redis_conn).enqueue(
        json.dumps,
        payload,
        job_timeout=300,
    )


def _has_worker_for_queue(redis_conn, queue_name="default"):
    return bool(queue_name)
`;
  }
  return text;
}

function generate() {
  if (existsSync(path.join(dir, '.complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.error(`generating ${dir} …`);
  let totalLines = 0;
  const write = (relative, text) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  write('.gitignore', 'node_modules/\n.venv/\n*.pyc\n__pycache__/\n/build/\n');
  write(
    'docker-compose.yml',
    'services:\n  redis:\n    image: redis:7\n  api:\n    build: .\n    command: gunicorn pkg.app:app\n  worker:\n    build: .\n    command: rq worker high default\n    environment:\n      REDIS_URL: redis://redis:6379/0\n',
  );
  write('pkg/__init__.py', '');
  write('pkg/common/__init__.py', '');
  write('pkg/common/queues.py', '"""Queue names."""\nHIGH_QUEUE = "high"\nREPORTS_QUEUE = "reports"\n');
  const producerEvery = Math.floor(MODULES / PRODUCER_MODULES);
  for (let index = 0; index < MODULES; index++) {
    const kind = index % producerEvery === 0 ? 'producer' : index % 9 === 0 ? 'job' : 'plain';
    const text = moduleText(index, kind);
    totalLines += text.split('\n').length - 1;
    const group = `pkg/domain${Math.floor(index / 400)}/sub${Math.floor(index / 40) % 10}`;
    if (index % 40 === 0) write(`${group}/__init__.py`, '');
    write(`${group}/module_${index}.py`, text);
  }
  for (let index = 0; index < IGNORED_FILES / 2; index++) {
    write(`node_modules/pkg${index % 500}/lib/file${index}.js`, `const { Queue } = require('bullmq');\nmodule.exports = () => new Queue('vendored-${index}');\n`);
    write(`.venv/lib/python3.11/site-packages/pkg${index % 500}/mod${index}.py`, `from rq import Queue\nQueue("vendored-${index}")\n`);
  }
  writeFileSync(path.join(dir, '.complete'), String(totalLines));
  console.error(`generated ${MODULES} modules, ${totalLines} lines, ${IGNORED_FILES} ignored files`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeProcess(command, commandArgs, options = {}) {
  const times = [];
  let last;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    last = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
    times.push(performance.now() - started);
  }
  return { ms: median(times), result: last };
}

generate();
if (!existsSync(path.join(dir, '.git'))) spawnSync('git', ['init', '-q', dir]); // so ripgrep applies .gitignore

// (1) the scanner in-process
const scanTimes = [];
let scan;
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  scan = scanSources({ fs: nodeFileSystem, root: dir });
  scanTimes.push(performance.now() - started);
}
const scanMs = median(scanTimes);

// (2) node + scanSources as a process (Node start included, like ripgrep's process)
const scanScript = `import { scanSources } from ${JSON.stringify(path.join(repo, 'dist/scan/index.js'))};
import { nodeFileSystem } from ${JSON.stringify(path.join(repo, 'dist/fs.js'))};
const r = scanSources({ fs: nodeFileSystem, root: ${JSON.stringify(dir)} });
process.stdout.write(String(r.producers.length));`;
const scanProcess = timeProcess(process.execPath, ['--input-type=module', '-e', scanScript]);

// (3) ripgrep finding the same calls with its default ignore handling
const rg = timeProcess('rg', ['-n', 'Queue\\(|enqueue\\(|@job\\(|get_queue\\(', dir]);
const rgLines = rg.result.stdout ? rg.result.stdout.trim().split('\n').length : 0;

// (4) receipts-doctor static end to end (needs the compose loader)
const cli = timeProcess(process.execPath, [path.join(repo, 'bin/receipts-doctor.js'), 'static', dir, '--format', 'json']);
const cliWorks = cli.result.status === 0 || cli.result.status === 1;

const nodeBare = timeProcess(process.execPath, ['-e', '0']);

console.log(`tree: ${MODULES} modules (+${IGNORED_FILES} ignored files) in ${dir}`);
console.log(`scanner: ${scan.filesScanned} files walked, ${scan.filesParsed} tokenized, ${scan.producers.length} producers, ${scan.checks.length} checks`);
console.log(`ripgrep: ${rgLines} matching lines`);
console.log(`median of ${runs} runs:`);
console.log(`  scanSources in-process        ${scanMs.toFixed(0)} ms`);
console.log(`  node + scanSources (process)  ${scanProcess.ms.toFixed(0)} ms   (bare node -e 0: ${nodeBare.ms.toFixed(0)} ms)`);
console.log(`  rg -n 'Queue\\(|enqueue\\(|…'   ${rg.ms.toFixed(0)} ms`);
console.log(`  ratio (node + scan) / rg      ${(scanProcess.ms / rg.ms).toFixed(1)}x  (target: within 10x)`);
if (cliWorks) {
  console.log(`  receipts-doctor static --format json  ${cli.ms.toFixed(0)} ms   ratio ${(cli.ms / rg.ms).toFixed(1)}x`);
} else {
  const reason = (cli.result.stderr || '').trim().split('\n')[0];
  console.log(`  receipts-doctor static: not measured (exit ${cli.result.status}: ${reason})`);
}
if (args.includes('--clean')) rmSync(dir, { recursive: true, force: true });
