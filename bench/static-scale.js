#!/usr/bin/env node
// Static stage at scale (docs/CONTRACT.md §8), on three repository shapes generated into the OS temp dir:
//  - sparse: a 12,000-module (~1.9M line) Python monorepo with big ignored dirs, few modules mention a queue;
//  - dense: the same size, but every module has `from rq import Queue` and one in fifty builds or uses a queue
//    (Flask and Django monoliths import rq widely);
//  - ts: an 8,000-module TypeScript monorepo in which every module imports from 'bullmq' and one in fifty uses it
//    (one in ten calls `.add(` on a Set, which the prefilter cannot tell from a queue's `.add(`).
// Times, in the same run: the scanner in-process (scanSources via dist/), `node` + scanSources as a process,
// `receipts-doctor static <dir> --format json` end to end (with its shebang's Node options, as installed), and
// ripgrep finding the same calls; then where the scanner's time goes (walk, read, prefilter, tokenize, analyze),
// measured here with the scanner's own exported parts.
// Also timed: bench/floor/static-read.js, Node's start plus the walk and a read of every file and nothing else: the
// floor of any Node implementation on this machine, and what is left of the 5× budget above it.
// Run after `npm run build`:  node bench/static-scale.js [--runs N] [--shape sparse|dense|ts] [--baseline DIR] [--clean]
// --baseline DIR: another built checkout (main's, in a temp clone) whose `static` runs interleaved with this one's —
// before/after on a shared machine, where only the same run compares — and whose JSON must be this one's, durations aside.
// Trees are generated once and reused; --clean removes them at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { binArgs, STATIC_SCALE_TREES } from './lib.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const MODULES = 12_000;
const PRODUCER_MODULES = 300;
const IGNORED_FILES = 20_000;
const DENSE_EVERY = 50;
const TS_MODULES = 8_000;
/** docs/CONTRACT.md §8: `static` within 2× of its floor program and within 5× of ripgrep, in the same run. */
const FLOOR_TARGET = 2;
const RG_TARGET = 5;
const onlyShape = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : undefined;
const baseline = args.includes('--baseline') ? path.resolve(args[args.indexOf('--baseline') + 1]) : undefined;
if (baseline && !existsSync(path.join(baseline, 'bin/receipts-doctor.js'))) {
  console.error(`--baseline ${baseline}: no bin/receipts-doctor.js there (a built checkout of this repository)`);
  process.exit(2);
}

const { scanSources, listSourceFiles } = await import(path.join(repo, 'dist/scan/index.js'));
const { nodeFileSystem } = await import(path.join(repo, 'dist/fs.js'));
const { tokenizePython } = await import(path.join(repo, 'dist/languages/python/tokenizer.js'));
const { bodyNeedles } = await import(path.join(repo, 'dist/languages/python/body-needles.js'));
/** Python is tokenized as its analyzer does it: finding the body needles, then leaving quiet def bodies out. */
const tokenizeAsAnalyzed = (text) => tokenizePython(text, { needleAt: bodyNeedles(text) });
const { tokenizeJs } = await import(path.join(repo, 'dist/languages/javascript/tokenizer.js'));

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

function moduleText(index, kind, dense = false) {
  let text = `"""Module ${index} of the monorepo: ${pick(WORDS)} handling."""\nimport json\nimport logging\nimport os\n${dense ? 'from rq import Queue\n' : ''}\nlogger = logging.getLogger(__name__)\nLIMIT = ${index % 100}\n`;
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

function tsModuleText(index, producer) {
  const a = pick(WORDS);
  let text = `import { Queue${index % 3 === 0 ? ', type Job' : ''} } from 'bullmq';\nimport { logger } from '@acme/common';\n\nconst LIMIT = ${index % 100};\n`;
  if (producer) text += `const ${a}Queue = new Queue('${index % 2 ? 'high' : 'reports'}', { connection: { host: process.env.REDIS_HOST } });\n`;
  let lines = text.split('\n').length;
  let n = 0;
  while (lines < 150 + (index % 17)) {
    const b = pick(WORDS);
    const chunk = `
export interface ${a[0].toUpperCase()}${a.slice(1)}${n}Options {
  ${b}Id: string;
  limit?: number;
}

/** Computes the ${a} totals for a ${b}; throws for an unknown ${b}. */
export function ${a}${b[0].toUpperCase()}${b.slice(1)}${index}x${n}(items: Array<{ key: string; value: number }>, options: { limit?: number } = {}): Record<string, number> {
  const totals: Record<string, number> = {};
  const seen = new Set<string>();
  for (const { key, value } of items.slice(0, options.limit ?? LIMIT)) {
    if (typeof value !== 'number') throw new TypeError(\`bad \${key}: \${value}\`);
    ${index % 10 === 0 && n === 0 ? 'seen.add(key);' : 'if (seen.has(key)) continue;'}
    totals[key] = (totals[key] ?? 0) + value * ${(index % 7) + 1};
  }
  logger.debug('${a}-' + String(${index}), { count: seen.size });
  return totals;
}
`;
    text += chunk;
    lines += chunk.split('\n').length - 1;
    n++;
  }
  if (producer) {
    const a2 = text.match(/const (\w+Queue) = new Queue/)[1];
    text += `
export async function enqueue${index}(payload: Record<string, unknown>): Promise<void> {
  await ${a2}.add('${a}', payload, { attempts: 3 });
}
`;
  }
  return text;
}

const SHAPES = {
  sparse: { label: `${MODULES} Python modules, few mention a queue (+${IGNORED_FILES} ignored files)`, dir: STATIC_SCALE_TREES.sparse },
  dense: { label: `${MODULES} Python modules, every one imports rq.Queue, 1 in ${DENSE_EVERY} uses it`, dir: STATIC_SCALE_TREES.dense },
  ts: { label: `${TS_MODULES} TypeScript modules, every one imports bullmq, 1 in ${DENSE_EVERY} uses it`, dir: STATIC_SCALE_TREES.ts },
};

let dir;
function generate(shape) {
  dir = SHAPES[shape].dir;
  seed = 42;
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
  if (shape === 'ts') {
    write('package.json', '{ "private": true, "workspaces": ["packages/*"] }\n');
    for (let index = 0; index < TS_MODULES; index++) {
      const text = tsModuleText(index, index % DENSE_EVERY === 0);
      totalLines += text.split('\n').length - 1;
      write(`packages/pkg${Math.floor(index / 200)}/src/area${Math.floor(index / 20) % 10}/module${index}.ts`, text);
    }
  }
  const producerEvery = shape === 'dense' ? DENSE_EVERY : Math.floor(MODULES / PRODUCER_MODULES);
  for (let index = 0; shape !== 'ts' && index < MODULES; index++) {
    const kind = index % producerEvery === 0 ? 'producer' : index % 9 === 0 ? 'job' : 'plain';
    const text = moduleText(index, kind, shape === 'dense');
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
  console.error(`generated ${shape}: ${totalLines} lines`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Times several commands, interleaved (one run of each in turn, `runs` times): on a shared machine the load moves
 * during a benchmark, and consecutive runs of one command would give it a quieter or busier stretch than the others.
 */
function timeProcesses(commands) {
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  const last = {};
  for (let run = 0; run < runs; run++) {
    for (const [name, [command, commandArgs]] of Object.entries(commands)) {
      const started = performance.now();
      last[name] = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 28 });
      times[name].push(performance.now() - started);
    }
  }
  return Object.fromEntries(Object.keys(commands).map((name) => [name, { ms: median(times[name]), result: last[name] }]));
}

function measure(shape) {
  generate(shape);
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
  // (3) ripgrep finding the same calls with its default ignore handling; (4) receipts-doctor static end to end;
  // (5) the floor: a bare Node process walking and reading the same files. All interleaved, in the same run.
  const timed = timeProcesses({
    scanProcess: [process.execPath, ['--input-type=module', '-e', scanScript]],
    rg: ['rg', ['-n', 'Queue\\(|enqueue\\(|@job\\(|get_queue\\(|\\.addBulk\\(|\\.add\\(', dir]],
    cli: [process.execPath, [...binArgs(path.join(repo, 'bin/receipts-doctor.js')), 'static', dir, '--format', 'json']],
    nodeBare: [process.execPath, ['-e', '0']],
    floor: [process.execPath, [path.join(repo, 'bench/floor/static-read.js'), dir]],
    ...(baseline ? { baselineCli: [process.execPath, [...binArgs(path.join(baseline, 'bin/receipts-doctor.js')), 'static', dir, '--format', 'json']] } : {}),
  });
  const { scanProcess, rg, cli, nodeBare, floor, baselineCli } = timed;
  const rgLines = rg.result.stdout ? rg.result.stdout.trim().split('\n').length : 0;
  const cliWorks = cli.result.status === 0 || cli.result.status === 1;

  console.log(`\n-- ${shape}: ${SHAPES[shape].label}\ntree: ${dir}`);
  console.log(`scanner: ${scan.filesScanned} files walked, ${scan.filesParsed} tokenized, ${scan.producers.length} producers, ${scan.checks.length} checks`);
  console.log(`ripgrep: ${rgLines} matching lines`);
  console.log(`median of ${runs} runs:`);
  console.log(`  scanSources in-process        ${scanMs.toFixed(0)} ms`);
  console.log(`  node + scanSources (process)  ${scanProcess.ms.toFixed(0)} ms   (bare node -e 0: ${nodeBare.ms.toFixed(0)} ms)`);
  console.log(`  rg -n 'Queue\\(|enqueue\\(|…'   ${rg.ms.toFixed(0)} ms`);
  console.log(`  ratio (node + scan) / rg      ${(scanProcess.ms / rg.ms).toFixed(1)}x  (target: within 5x)`);
  console.log(
    `  floor: node + walk + read only (bench/floor/static-read.js, ${floor.result.stdout.trim().split(' ')[0]} files)  ${floor.ms.toFixed(0)} ms   ratio ${(floor.ms / rg.ms).toFixed(1)}x  (left of the 5x budget: ${(5 * rg.ms - floor.ms).toFixed(0)} ms)`,
  );
  if (cliWorks) {
    console.log(
      `  receipts-doctor static --format json  ${cli.ms.toFixed(0)} ms   ${(cli.ms / floor.ms).toFixed(2)}x the floor (target: within ${FLOOR_TARGET}x), ${(cli.ms / rg.ms).toFixed(1)}x ripgrep (target: within ${RG_TARGET}x)`,
    );
    if (baselineCli) {
      const verdicts = (result) => result.stdout.replace(/"durationMs":\s*\d+/g, '');
      const same = verdicts(baselineCli.result) === verdicts(cli.result);
      console.log(
        `  baseline ${baseline}: ${baselineCli.ms.toFixed(0)} ms   ${(baselineCli.ms / floor.ms).toFixed(2)}x the floor; this build ${(cli.ms / baselineCli.ms).toFixed(2)}x its time; JSON ${same ? 'identical' : 'DIFFERENT'} (durations aside)`,
      );
    }
  } else {
    const reason = (cli.result.stderr || '').trim().split('\n')[0];
    console.log(`  receipts-doctor static: not measured (exit ${cli.result.status}: ${reason})`);
  }

  // Where the time goes: the walk, reading every file's bytes, the prefilter, tokenizing and analyzing what passes
  // (analyze = the language's analyzer minus its own tokenizing). One pass per run, median per part.
  const parts = { walk: [], read: [], prefilter: [], tokenize: [], analyze: [] };
  for (let run = 0; run < runs; run++) {
    let t = performance.now();
    const files = listSourceFiles({ fs: nodeFileSystem, root: dir });
    parts.walk.push(performance.now() - t);
    t = performance.now();
    const bytes = files.map((file) => readFileSync(path.join(dir, file.relative)));
    parts.read.push(performance.now() - t);
    t = performance.now();
    const passed = [];
    files.forEach((file, i) => {
      if (file.language.prefilterBytes(bytes[i])) passed.push([file.language, bytes[i].toString('utf8')]);
    });
    parts.prefilter.push(performance.now() - t);
    t = performance.now();
    for (const [language, text] of passed) (language.id === 'python' ? tokenizeAsAnalyzed : tokenizeJs)(text);
    const tokenizeMs = performance.now() - t;
    parts.tokenize.push(tokenizeMs);
    t = performance.now();
    for (const [language, text] of passed) language.analyze(text);
    parts.analyze.push(performance.now() - t - tokenizeMs);
    if (run === 0) console.log(`  split: ${files.length} files, ${passed.length} pass the prefilter`);
  }
  console.log(`  split (median ms): ${Object.entries(parts).map(([name, times]) => `${name} ${median(times).toFixed(0)}`).join(', ')}`);
  return cliWorks ? { floor: cli.ms / floor.ms, ripgrep: cli.ms / rg.ms } : { floor: NaN, ripgrep: NaN };
}

const ratios = {};
for (const shape of Object.keys(SHAPES)) if (!onlyShape || onlyShape === shape) ratios[shape] = measure(shape);
if (args.includes('--clean')) for (const shape of Object.keys(SHAPES)) rmSync(SHAPES[shape].dir, { recursive: true, force: true });

// The summary line (`npm run bench`): `receipts-doctor static` against both of its bounds, per tree, from this run.
const worst = (bound) => Math.max(...Object.values(ratios).map((ratio) => ratio[bound]));
const met = (bound, target) => (worst(bound) <= target ? 'met' : 'NOT met');
const perShape = (bound, digits) => Object.entries(ratios).map(([shape, ratio]) => `${shape} ${ratio[bound].toFixed(digits)}x`).join(', ');
console.log(
  `\nstatic: ${perShape('floor', 2)} the floor (within ${FLOOR_TARGET}x: ${met('floor', FLOOR_TARGET)}); ${perShape('ripgrep', 1)} ripgrep (within ${RG_TARGET}x: ${met('ripgrep', RG_TARGET)}); load average ${os.loadavg()[0].toFixed(1)}`,
);
// For bench/run.js's summary: one entry per tree and bound, `{ name, against, ratio, target }`.
export default Object.entries(ratios).flatMap(([shape, ratio]) => [
  { name: `static ${shape}`, against: 'floor (bench/floor/static-read.js)', ratio: ratio.floor, target: FLOOR_TARGET },
  { name: `static ${shape}`, against: 'ripgrep', ratio: ratio.ripgrep, target: RG_TARGET },
]);
