/**
 * Fuzzing the static stage's parsers through the built CLI (docs/CONTRACT.md §2, §8): compose YAML, `.env`,
 * Python and TypeScript sources, the project tree. Every run must end with exit 0, 1 or 2 within its
 * deadline, print no stack trace and no "internal error"; a 0/1 run with --format json prints a report.
 *
 * Inputs are deterministic (fixed seeds, see corpus.ts): a failure names the seed and the mutant's index.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  aliasBomb,
  binary,
  composeSeeds,
  deepBrackets,
  deepYaml,
  dotenvSeeds,
  hugeCompose,
  hugeLine,
  hugePython,
  mutants,
  nonUtf8,
  pythonSeeds,
  scriptSeeds,
  utf16,
} from './corpus.js';
import { expectRobust, runBounded, type BoundedRun } from './harness.js';
import { mapLimit, mutatedProject, removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const MiB = 1024 * 1024;
const WORKER_COMPOSE = 'services:\n  api:\n    image: app\n  worker:\n    image: app\n    command: rq worker high default\n';
const PRODUCER = "from rq import Queue\nfrom redis import Redis\nQueue('default', connection=Redis()).enqueue('tasks.sync')\n";

/** Runs `static <dir> --format json` and checks the guarantees plus a parseable report on 0/1. */
async function fuzzStatic(dir: string, label: string, extra: string[] = [], timeoutMs = 30_000): Promise<BoundedRun> {
  const run = await runBounded(['static', dir, '--format', 'json', ...extra], { timeoutMs });
  expectRobust(run, label);
  if (run.exitCode === 0 || run.exitCode === 1) {
    expect(() => JSON.parse(run.stdout), `${label}: exit ${run.exitCode} without a JSON report`).not.toThrow();
  } else {
    expect(run.stdout, `${label}: exit 2 must not print a report`).toBe('');
  }
  return run;
}

/** A project dir from `files`; `docker-compose.yml` defaults to a small valid worker setup. */
function project(files: Record<string, string | Buffer>): string {
  return writeTree(tempDir(), { 'docker-compose.yml': WORKER_COMPOSE, 'app.py': PRODUCER, ...files });
}

describe('mutated real files (byte flips, truncations, duplicated/removed/swapped lines, indentation, splices)', () => {
  // Process-level: a few of each kind prove the CLI's guarantees end to end; fuzz-inprocess.test.ts runs
  // hundreds more against the parsers directly. Seeds are fixed.
  const cases = [
    ...mutants(composeSeeds(), 16, 7001),
    ...mutants(dotenvSeeds(), 4, 7002),
    ...mutants(pythonSeeds(), 8, 7003),
    ...mutants(scriptSeeds(), 4, 7004),
  ];

  it(`${cases.length} mutants end in exit 0/1/2, bounded, without a stack trace`, async () => {
    const failures: string[] = [];
    await mapLimit(cases, 3, async (mutant) => {
      const dir = mutatedProject(mutant.name, mutant.bytes);
      try {
        await fuzzStatic(dir, mutant.label);
      } catch (error) {
        failures.push((error as Error).message.split('\n').slice(0, 6).join('\n'));
      }
    });
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 240_000);
});

describe.concurrent('pathological compose files', () => {
  const cases: [string, () => Record<string, string | Buffer>][] = [
    ['random binary (64 KiB)', () => ({ 'docker-compose.yml': binary(64 * 1024, 1) })],
    ['binary with a NUL-free printable prefix', () => ({ 'docker-compose.yml': Buffer.concat([Buffer.from('services:\n  w:\n'), binary(4096, 2)]) })],
    ['non-UTF-8 bytes around a valid file', () => ({ 'docker-compose.yml': nonUtf8(WORKER_COMPOSE) })],
    ['UTF-16 with a BOM', () => ({ 'docker-compose.yml': utf16(WORKER_COMPOSE) })],
    ['UTF-8 BOM then a valid file', () => ({ 'docker-compose.yml': `\ufeff${WORKER_COMPOSE}` })],
    ['empty file', () => ({ 'docker-compose.yml': '' })],
    ['only a document marker', () => ({ 'docker-compose.yml': '---\n' })],
    ['a YAML null', () => ({ 'docker-compose.yml': '~\n' })],
    ['a scalar', () => ({ 'docker-compose.yml': 'just a string\n' })],
    ['a top-level list', () => ({ 'docker-compose.yml': '- services\n- worker\n' })],
    ['two documents', () => ({ 'docker-compose.yml': `${WORKER_COMPOSE}---\n${WORKER_COMPOSE}` })],
    ['services is a list', () => ({ 'docker-compose.yml': 'services:\n  - worker\n' })],
    ['a service is a number', () => ({ 'docker-compose.yml': 'services:\n  worker: 42\n' })],
    ['command is a mapping', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    command: {rq: worker}\n' })],
    ['environment is a number', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    environment: 7\n' })],
    ['environment list of mappings', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    environment:\n      - {RQ_QUEUES: default}\n' })],
    ['RQ_QUEUES is a list', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    environment:\n      RQ_QUEUES: [a, b]\n' })],
    ['deploy.replicas is a string', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    command: rq worker\n    deploy: {replicas: many}\n' })],
    ['profiles is a string', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    command: rq worker\n    profiles: workers\n' })],
    ['env_file is a mapping without path', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    env_file: {required: false}\n' })],
    ['env_file points at a directory', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    env_file: sub\n', 'sub/x': 'x' })],
    ['env_file points outside the project', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    env_file: ../../../../../../etc/hostname\n' })],
    ['extends itself', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    extends: worker\n    image: a\n' })],
    ['extends a file that is a directory', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    extends: {file: sub, service: w}\n', 'sub/x': '' })],
    ['include of itself', () => ({ 'docker-compose.yml': `include:\n  - docker-compose.yml\n${WORKER_COMPOSE}` })],
    ['include cycle through two files', () => ({ 'docker-compose.yml': `include:\n  - b.yml\n${WORKER_COMPOSE}`, 'b.yml': 'include:\n  - docker-compose.yml\nservices: {}\n' })],
    ['interpolation: unterminated ${', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n    environment:\n      RQ_QUEUES: ${QUEUES:-default\n' })],
    ['interpolation: 200 nested defaults', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    environment:\n      RQ_QUEUES: "${'${A:-'.repeat(200)}default${'}'.repeat(200)}"\n` })],
    ['interpolation: 50k dollars', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    command: "rq worker ${'$$'.repeat(25_000)}"\n` })],
    ['interpolation: required variable with a huge message', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    environment:\n      RQ_QUEUES: \${Q:?${'m'.repeat(100_000)}}\n` })],
    ['!reset and !override on odd nodes', () => ({ 'docker-compose.yml': '!reset\nservices: !override\n  worker: !reset {image: a}\n' })],
    ['unknown tags', () => ({ 'docker-compose.yml': 'services: !!python/object:os.system\n  worker: !custom {image: a}\n' })],
    ['a 100k-entry environment', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    environment:\n${Array.from({ length: 100_000 }, (_, i) => `      V${i}: ${i}\n`).join('')}` })],
    ['a 20k-word command', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    command: rq worker ${Array.from({ length: 20_000 }, (_, i) => `q${i}`).join(' ')}\n` })],
    ['a command with unbalanced quotes', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    command: sh -c "rq worker 'high default\n` })],
    ['sh -c nested 500 times', () => ({ 'docker-compose.yml': `services:\n  worker:\n    image: a\n    command: ${'sh -c "'.repeat(1)}${'sh -c '.repeat(500)}rq worker high"\n` })],
    ['duplicate keys', () => ({ 'docker-compose.yml': 'services:\n  worker:\n    image: a\n  worker:\n    image: b\n' })],
    ['a key that is a sequence', () => ({ 'docker-compose.yml': 'services:\n  ? [a, b]\n  : image: a\n' })],
    ['a 1 MiB key', () => ({ 'docker-compose.yml': `services:\n  ${'k'.repeat(MiB)}:\n    image: a\n` })],
  ];
  for (const [name, files] of cases) {
    it(name, async () => {
      await fuzzStatic(project(files()), name);
    });
  }
});

describe.concurrent('deep nesting (10k levels)', () => {
  for (const style of ['flow-seq', 'flow-map', 'block-map', 'block-seq'] as const) {
    it(`compose YAML, ${style}`, async () => {
      await fuzzStatic(project({ 'docker-compose.yml': deepYaml(10_000, style) }), `deep YAML ${style}`);
    });
  }
  it('Python brackets', async () => {
    await fuzzStatic(project({ 'deep.py': deepBrackets(10_000, 'python') }), 'deep Python brackets');
  });
  it('TypeScript brackets', async () => {
    await fuzzStatic(project({ 'deep.ts': deepBrackets(10_000, 'ts') }), 'deep TS brackets');
  });
  it('Python defs nested 1,300 deep with the queue call at the bottom, within 10 s (each def walking its body to it took 20 s)', async () => {
    // 1.7 MB: under the 2 MiB a source file may have to be analyzed.
    let deep = 'from rq import Queue\n';
    for (let level = 0; level < 1_300; level++) deep += `${'\t'.repeat(level)}def f${level}():\n${'\t'.repeat(level + 1)}x = ${level}\n`;
    deep += `${'\t'.repeat(1_300)}Queue('deep').enqueue(print)\n`;
    const run = await fuzzStatic(project({ 'deep_defs.py': deep }), 'deep Python defs', [], 10_000);
    const report = JSON.parse(run.stdout) as { static: { producers: { queue: string }[] } };
    expect(report.static.producers.map((producer) => producer.queue)).toContain('deep');
  });
  it("50,000 `os.getenv('RQ_QUEUES') or` in a worker script and in a producer's argument, within the deadline", async () => {
    // Each read's `or` default is one operand (languages/python/evaluate.ts): no read walks the rest of the chain
    // (one that did, reading to the expression's end, was quadratic), and the producer's chain no longer recurses
    // once per `or` (which overflowed the stack: the file was skipped as nested too deeply).
    const chain = "os.getenv('RQ_QUEUES') or ".repeat(50_000);
    const run = await fuzzStatic(
      project({
        'docker-compose.yml': 'services:\n  api:\n    image: app\n  worker:\n    image: app\n    command: python worker.py\n',
        'worker.py': `import os\nfrom rq import Worker\nWorker((${chain}'high').split(',')).work()\n`,
        'chain.py': `import os\nfrom rq import Queue\nQueue(${chain}'high').enqueue(print)\n`,
      }),
      'getenv or-chains',
    );
    const report = JSON.parse(run.stdout) as { static: { consumers: { service: string; variable?: string }[]; producers: { location: { file: string } }[] } };
    expect(report.static.consumers.find((consumer) => consumer.service === 'worker')?.variable).toBe('RQ_QUEUES');
    expect(report.static.producers.map((producer) => producer.location.file)).toContain('chain.py');
  });
  it('a project tree 300 directories deep', async () => {
    const segments = Array.from({ length: 300 }, (_, i) => `d${i}`).join('/');
    await fuzzStatic(project({ [`${segments}/tasks.py`]: PRODUCER }), 'deep tree');
  });
});

describe.concurrent('alias bombs', () => {
  for (const where of ['extension', 'environment', 'command', 'merge-key'] as const) {
    it(`9^9 nodes via ${where} → exit 2 in bounded time`, async () => {
      const run = await fuzzStatic(project({ 'docker-compose.yml': aliasBomb(9, 9, where) }), `alias bomb (${where})`);
      expect(run.exitCode).toBe(2);
    });
  }
  it('an alias bomb in an extends target file', async () => {
    const run = await fuzzStatic(
      project({
        'docker-compose.yml': 'services:\n  worker:\n    extends: {file: base.yml, service: worker}\n',
        'base.yml': aliasBomb(9, 9, 'command'),
      }),
      'alias bomb via extends',
    );
    expect(run.exitCode).toBe(2);
  });
});

// Sequential: five multi-MiB runs at once on two shared cores measure the machine, not the tool.
describe('huge files', () => {
  it('a 6 MiB compose file of many services ends in bounded time', async () => {
    await fuzzStatic(project({ 'docker-compose.yml': hugeCompose(6 * MiB) }), '6 MiB compose');
  }, 60_000);
  it('a 20 MiB compose file (over the size cap) → exit 2', async () => {
    const run = await fuzzStatic(project({ 'docker-compose.yml': hugeCompose(20 * MiB) }), '20 MiB compose');
    expect(run.exitCode).toBe(2);
  }, 60_000);
  it('a 12 MiB single-line compose file → exit 2', async () => {
    const run = await fuzzStatic(project({ 'docker-compose.yml': hugeLine(12 * MiB, 'services: ') }), '12 MiB line');
    expect(run.exitCode).toBe(2);
  }, 60_000);
  it('a 5 MiB .env file', async () => {
    const env = Array.from({ length: 5 * 1024 * 8 }, (_, i) => `VAR_${i}=${'v'.repeat(110)}`).join('\n');
    await fuzzStatic(project({ '.env': env }), '5 MiB .env');
  }, 60_000);
  it('an 8 MiB Python module with 50k enqueue sites', async () => {
    await fuzzStatic(project({ 'big.py': hugePython(8 * MiB) }), '8 MiB Python');
  }, 60_000);
  it('a 16 MiB minified-style TypeScript line', async () => {
    await fuzzStatic(project({ 'bundle.ts': `import { Queue } from 'bullmq';${hugeLine(16 * MiB, "new Queue('q');")}` }), '16 MiB TS line');
  }, 60_000);
  it('a 5 MiB .gitignore', async () => {
    const ignore = Array.from({ length: 5 * 1024 * 16 }, (_, i) => `**/dir${i}/**/*.py[co]\n`).join('');
    await fuzzStatic(project({ '.gitignore': ignore }), '5 MiB .gitignore');
  }, 60_000);
});

describe.concurrent('odd encodings and bytes in sources and env files', () => {
  const cases: [string, Record<string, string | Buffer>][] = [
    ['non-UTF-8 .env', { '.env': nonUtf8('RQ_QUEUES=high,default\n') }],
    ['binary .env', { '.env': binary(32 * 1024, 3) }],
    ['.env with NULs and CRs', { '.env': 'A=1\0\r\nB="unterminated\r\nC=${A:-${B}}\r' }],
    ['.env with a 1 MiB quoted value', { '.env': `Q="${'q'.repeat(MiB)}` }],
    ['non-UTF-8 Python', { 'tasks.py': nonUtf8(PRODUCER) }],
    ['binary .py', { 'blob.py': binary(128 * 1024, 4) }],
    ['binary .ts', { 'blob.ts': binary(128 * 1024, 5) }],
    ['UTF-16 Python', { 'tasks.py': utf16(PRODUCER) }],
    ['Python with an unterminated triple quote', { 'tasks.py': `${PRODUCER}x = """\n${'Queue("a")\n'.repeat(1000)}` }],
    ['TS with an unterminated template literal', { 'q.ts': "import { Queue } from 'bullmq';\nconst s = `${new Queue('a')\n" }],
    ['TS with an unterminated regex and comment', { 'q.ts': "const r = /[/;\n/* new Queue('a')\n" }],
    ['Python import cycle between constants', { 'a.py': 'from b import Q\nA = Q\n', 'b.py': "from a import A\nQ = A\nfrom rq import Queue\nQueue(Q).enqueue('x')\n" }],
    ['TS import cycle between constants', { 'a.ts': "import { B } from './b';\nexport const A = B;\n", 'b.ts': "import { A } from './a';\nimport { Queue } from 'bullmq';\nexport const B = A;\nnew Queue(B);\n" }],
    ['a constant defined in terms of itself', { 'c.py': "from rq import Queue\nQ = Q + 'x'\nQueue(Q).enqueue('x')\n" }],
    ['binary .gitignore', { '.gitignore': binary(8 * 1024, 6) }],
    ['.gitignore with pathological globs', { '.gitignore': `${'**/'.repeat(500)}x\n[\n\\\n!${'*'.repeat(10_000)}\n` }],
    ['a file named with newlines and non-UTF-8', { 'we\nird\u00ff name.py': PRODUCER }],
  ];
  for (const [name, files] of cases) {
    it(name, async () => {
      await fuzzStatic(project(files), name);
    });
  }
});

describe.concurrent('odd project trees', () => {
  it('symlink loops (a dir linking to its parent, a link to itself) end in bounded time', async () => {
    const dir = project({});
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(join(dir, 'pkg', 'jobs.py'), PRODUCER);
    symlinkSync('..', join(dir, 'pkg', 'up'));
    symlinkSync('.', join(dir, 'pkg', 'here'));
    symlinkSync('self', join(dir, 'self'));
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    await fuzzStatic(dir, 'symlink loops');
  });

  it('a dangling symlink named like a compose override and a source file', async () => {
    const dir = project({});
    symlinkSync('nowhere.yml', join(dir, 'docker-compose.override.yml'));
    symlinkSync('missing.py', join(dir, 'tasks.py'));
    await fuzzStatic(dir, 'dangling symlinks');
  });

  it('a compose file that is a symlink loop', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'app.py'), PRODUCER);
    symlinkSync('docker-compose.yml', join(dir, 'docker-compose.yml'));
    const run = await fuzzStatic(dir, 'compose symlink loop');
    expect(run.exitCode).toBe(2);
  });

  it('a directory named like a compose file (alone) → exit 2', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docker-compose.yml'));
    const run = await fuzzStatic(dir, 'compose dir alone');
    expect(run.exitCode).toBe(2);
  });

  it('a directory named like an overlay next to a real base file', async () => {
    const dir = project({});
    mkdirSync(join(dir, 'docker-compose.prod.yml'));
    mkdirSync(join(dir, 'compose.override.yaml'));
    await fuzzStatic(dir, 'overlay dirs');
  });

  it('a directory named like a Python source and a .env directory', async () => {
    const dir = project({ 'tasks.py/inner.py': PRODUCER });
    mkdirSync(join(dir, '.env'));
    await fuzzStatic(dir, 'source-named dirs');
  });

  it('a project dir that is a file, and one that does not exist → exit 2', async () => {
    const dir = project({});
    for (const target of [join(dir, 'app.py'), join(dir, 'missing')]) {
      const run = await fuzzStatic(target, `project dir ${target}`);
      expect(run.exitCode).toBe(2);
    }
  });

  it('5,000 small source files in 100 packages', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) files[`pkg${i % 100}/mod${i}.py`] = i % 50 === 0 ? PRODUCER : `X${i} = ${i}\n`;
    await fuzzStatic(project(files), '5k files');
  }, 60_000);

  it('explicit --env files that are binary, missing, a directory, or the same file twice', async () => {
    const dir = project({ 'bin.yml': binary(2048, 8) });
    mkdirSync(join(dir, 'adir.yml'));
    const specs = ['x=bin.yml', 'x=missing.yml', 'x=adir.yml', 'x=docker-compose.yml,docker-compose.yml', 'x=', '=docker-compose.yml', 'noequals'];
    await mapLimit(specs, 3, (spec) => fuzzStatic(dir, `--env ${spec}`, ['--env', spec]));
  });
});
