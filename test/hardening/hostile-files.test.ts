/**
 * Hostile files (issue 18, items 1, 2, 6, 7, 8, 14): device files, FIFOs (directly and behind symlinks), files far
 * over the caps, quadratic and deeply nested source shapes, non-UTF-8 names and symlinks out of the project. Each
 * run is bounded by the harness (a hard deadline and a hard memory bound): before the fix, /dev/zero grew past
 * 10 GB, a FIFO hung forever and `Queue(` × 316k ran for minutes.
 *
 * Only regular files are read: a config input that is not one is exit 2 with one clear line; a source file that
 * is not one is a counted skip in `static.unreadable`, and the verdict is otherwise unchanged.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { expectRobust, runBounded, type BoundedRun } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const COMPOSE = 'services:\n  worker:\n    image: app\n    command: rq worker default high\n';
const TASKS = "from redis import Redis\nfrom rq import Queue\n\nredis = Redis()\nQueue('default', connection=redis).enqueue('app.jobs.a')\nQueue('high', connection=redis).enqueue('app.jobs.b')\n";

/** A healthy project: one RQ worker on default and high, and code that enqueues to both (verdict OK). */
function project(extra: Record<string, string | Buffer> = {}): string {
  return writeTree(tempDir('rd-hostile-'), { 'docker-compose.yml': COMPOSE, 'app/tasks.py': TASKS, ...extra });
}

function mkfifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

interface Json {
  ok: boolean;
  findings: { rule: string; message: string }[];
  static?: { unreadable?: { count: number; files: { file: string; reason: string }[] } };
}

function json(run: BoundedRun, label: string): Json {
  expectRobust(run, label);
  try {
    return JSON.parse(run.stdout) as Json;
  } catch {
    throw new Error(`${label}: no JSON report (exit ${run.exitCode}): ${run.stderr.slice(0, 400)}`);
  }
}

/** exit 2, one line (the harness checks both), naming the file and the reason. */
async function expectInputError(args: string[], label: string, ...expected: RegExp[]): Promise<void> {
  const run = await runBounded(args, { timeoutMs: 15_000, maxRssMiB: 300 });
  expectRobust(run, label);
  expect(run.exitCode, `${label}: ${run.stderr}`).toBe(2);
  for (const pattern of expected) expect(run.stderr, label).toMatch(pattern);
}

/** A symlink to a device leaves the project: since issue 26 it is refused as outside before it is even opened. */
const OUTSIDE = /is outside the project \(symlinks resolved; not read\)/;

describe.concurrent('config inputs that are not regular files: exit 2, one line, no hang, bounded memory', () => {
  it('/dev/zero as docker-compose.yml', async () => {
    const dir = tempDir('rd-hostile-');
    symlinkSync('/dev/zero', join(dir, 'docker-compose.yml'));
    await expectInputError(['static', dir], 'zero compose', /docker-compose\.yml/, OUTSIDE);
  });

  it('/dev/zero as .env, as an env_file, as an extends file', async () => {
    const dotenv = project();
    symlinkSync('/dev/zero', join(dotenv, '.env'));
    await expectInputError(['static', dotenv], 'zero .env', /\.env/, OUTSIDE);

    const envFile = project({ 'docker-compose.yml': `${COMPOSE}    env_file: ./worker.env\n` });
    symlinkSync('/dev/zero', join(envFile, 'worker.env'));
    await expectInputError(['static', envFile], 'zero env_file', /worker\.env/, OUTSIDE);

    const extendsFile = project({
      'docker-compose.yml': 'services:\n  worker:\n    extends:\n      file: base.yml\n      service: worker\n',
    });
    symlinkSync('/dev/urandom', join(extendsFile, 'base.yml'));
    await expectInputError(['static', extendsFile], 'urandom extends', /base\.yml/, OUTSIDE);
  });

  it('/dev/zero as the config file, --env-file, --baseline and --token-file', async () => {
    const config = project();
    symlinkSync('/dev/zero', join(config, 'receipts-doctor.config.json'));
    await expectInputError(['static', config], 'zero config', /receipts-doctor\.config\.json/, OUTSIDE);

    const dir = project();
    await expectInputError(['static', dir, '--env-file', '/dev/zero'], 'zero --env-file', /dev\/zero/, /not a regular file/);
    // Through the bin's shebang, as a user runs it: node itself must not read `--env-file` (nodejs/node#54232).
    const direct = await execa(BIN, ['static', dir, '--env-file', '/dev/zero'], { reject: false, timeout: 15_000, killSignal: 'SIGKILL' });
    expect(direct.timedOut, 'the bin hung on --env-file /dev/zero').toBe(false);
    expect(direct.exitCode).toBe(2);
    expect(String(direct.stderr)).toMatch(/env file .*dev\/zero is not a regular file/);
    await expectInputError(['static', dir, '--baseline', '/dev/zero'], 'zero --baseline', /--baseline/, /not a regular file/);
    await expectInputError(
      ['smoke', '--url', 'http://127.0.0.1:9', '--token-file', '/dev/zero'],
      'zero --token-file',
      /--token-file/,
      /not a regular file/,
    );
  });

  it('a FIFO behind a symlink named docker-compose.yml or .env, and a FIFO as env_file (no writer: it would block)', async () => {
    const compose = tempDir('rd-hostile-');
    mkfifo(join(compose, 'pipe'));
    symlinkSync('pipe', join(compose, 'docker-compose.yml'));
    await expectInputError(['static', compose], 'fifo compose', /docker-compose\.yml/, /not a regular file/);

    const dotenv = project();
    mkfifo(join(dotenv, 'pipe'));
    symlinkSync('pipe', join(dotenv, '.env'));
    await expectInputError(['static', dotenv], 'fifo .env', /\.env/, /not a regular file/);

    const envFile = project({ 'docker-compose.yml': `${COMPOSE}    env_file: ./worker.env\n` });
    mkfifo(join(envFile, 'worker.env'));
    await expectInputError(['static', envFile], 'fifo env_file', /worker\.env/, /not a regular file/);
  });
});

describe.concurrent('source files that are not regular files: a counted, reported skip', () => {
  it('a FIFO behind a symlink (server/pipe.py) and a FIFO named like a source file are skipped, the rest read', async () => {
    const dir = project();
    mkdirSync(join(dir, 'server'));
    mkfifo(join(dir, 'server', 'fifo-target'));
    symlinkSync('fifo-target', join(dir, 'server', 'pipe.py'));
    mkfifo(join(dir, 'server', 'direct.py'));
    const report = json(await runBounded(['static', dir, '--format', 'json']), 'fifo sources');
    expect(report.ok).toBe(true);
    expect(report.static?.unreadable?.files).toEqual([
      { file: 'server/direct.py', reason: 'not a regular file' },
      { file: 'server/pipe.py', reason: 'not a regular file' },
    ]);
  });

  it('/dev/zero and /dev/urandom linked as source files are skipped without reading them', async () => {
    const dir = project();
    mkdirSync(join(dir, 'server'));
    symlinkSync('/dev/zero', join(dir, 'server', 'zero.py'));
    symlinkSync('/dev/urandom', join(dir, 'server', 'random.js'));
    const run = await runBounded(['static', dir, '--format', 'json'], { maxRssMiB: 300 });
    const report = json(run, 'device sources');
    expect(report.ok).toBe(true);
    expect(report.static?.unreadable?.count).toBe(2);
    expect(report.static?.unreadable?.files.map((entry) => entry.file)).toEqual(['server/random.js', 'server/zero.py']);
  });
});

describe.concurrent('huge files are skipped before they are read, and every skip is reported (item 7)', () => {
  it('a 1.1 GB sparse aaa/vendor.js is a reported skip; the files after it are still read', async () => {
    const dir = project();
    mkdirSync(join(dir, 'aaa'));
    // Sparse: no disk blocks are written, the size is what a stat (and a naive reader) sees.
    execFileSync('truncate', ['-s', '1100M', join(dir, 'aaa', 'vendor.js')]);
    const report = json(await runBounded(['static', dir, '--format', 'json'], { maxRssMiB: 300 }), 'sparse vendor.js');
    expect(report.findings.map((finding) => finding.rule)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.static?.unreadable?.files).toEqual([{ file: 'aaa/vendor.js', reason: 'larger than 2 MiB' }]);
  });
});

describe.concurrent('quadratic and deeply nested source shapes (items 2 and 6)', () => {
  it('Queue( × 316,000 in one Python file (and unclosed calls in JS/TS) ends well within the deadline', async () => {
    const dir = project({
      // Consumer-side (inside a Worker): exercises bracket matching, argument splitting and the worker-parent chain
      // at the full 316k without 316k findings.
      'app/hostile.py': `from rq import Queue, Worker\nWorker(${'Queue('.repeat(316_000)}`,
      'web/hostile.js': `import { Queue } from 'bullmq';\n${'new Queue('.repeat(8_000)}`,
      'web/calls.ts': `${'f(a, '.repeat(200_000)}`,
    });
    const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 30_000, maxRssMiB: 1024 });
    const report = json(run, 'unclosed calls');
    expect(report.static?.unreadable).toBeUndefined();
    const unresolved = report.findings.filter((finding) => finding.rule === 'producer-unresolved');
    expect(unresolved.length).toBe(8_000);
    // An unclosed call's expression runs to the end of the file: the report shows a short excerpt of it.
    expect(Math.max(...unresolved.map((finding) => finding.message.length))).toBeLessThan(400);
  });

  it("the issue's shape: Queue( × 64,000 unresolved producers in one Python file", async () => {
    const dir = project({ 'app/producers.py': `from rq import Queue\n${'Queue('.repeat(64_000)}` });
    // --quiet: the 64k info findings are counted, not printed (the JSON would be 60 MB).
    const run = await runBounded(['static', dir, '--quiet'], { timeoutMs: 30_000, maxRssMiB: 1024 });
    expectRobust(run, '64k producers');
    expect(run.exitCode).toBe(0);
    // The last `Queue(` has no argument at all: it is the default queue, resolved.
    expect(run.stdout).toMatch(/63,?999 info/);
  });

  it('10,000 nested f-strings or template literals: that file is a reported skip, the others still count', async () => {
    const dir = project({
      'app/fstrings.py': `from rq import Queue\nx = ${'f"{'.repeat(10_000)}1${'}"'.repeat(10_000)}\nQueue(x).enqueue('y')\n`,
      'web/templates.js': `import { Queue } from 'bullmq';\nconst x = ${'`${'.repeat(10_000)}1${'}`'.repeat(10_000)};\nnew Queue(x);\n`,
    });
    const report = json(await runBounded(['static', dir, '--format', 'json']), 'nested strings');
    // app/tasks.py still enqueues to both queues: nothing is "not enqueued".
    expect(report.findings.map((finding) => finding.rule)).toEqual([]);
    expect(report.static?.unreadable?.files).toEqual([
      { file: 'app/fstrings.py', reason: 'nested too deeply to analyze' },
      { file: 'web/templates.js', reason: 'nested too deeply to analyze' },
    ]);
  });
});

describe.concurrent('a hostile tsconfig.json (JSON with comments and trailing commas)', () => {
  it('200,000 trailing commas in a 1 MB tsconfig.json: read within the deadline, its outDir/rootDir still used', async () => {
    // Dropping each trailing comma once copied everything parsed so far: this file took a minute.
    const dir = writeTree(tempDir('rd-hostile-'), {
      'docker-compose.yml': 'services:\n  worker:\n    image: app\n    command: node dist/worker.js\n',
      'src/worker.ts': "import { Worker } from 'bullmq';\nnew Worker('mail', async () => {});\n",
      'web/queues.ts': "import { Queue } from 'bullmq';\nexport const mail = new Queue('mail');\nexport const send = () => mail.add('x', {});\n",
      'tsconfig.json': `{"compilerOptions": {"outDir": "dist", "rootDir": "src",}, /* c */ "x": [${'[1,],'.repeat(200_000)}1]}`,
    });
    const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 15_000 });
    const report = json(run, 'trailing commas') as Json & { static?: { consumers?: { script?: string; queues: string[] }[] } };
    expect(report.findings.map((finding) => finding.rule)).toEqual([]);
    expect(report.static?.consumers?.map(({ script, queues }) => ({ script, queues }))).toEqual([{ script: 'src/worker.ts', queues: ['mail'] }]);
  });
});

describe.concurrent('non-UTF-8 file names are reported, never dropped (item 8)', () => {
  it('a Latin-1 named .py is listed as unreadable', async () => {
    const dir = project();
    writeFileSync(Buffer.from(`${dir}/app/caf\xe9.py`, 'latin1'), "from rq import Queue\nQueue('lost').enqueue('x')\n");
    const report = json(await runBounded(['static', dir, '--format', 'json']), 'latin-1 source');
    expect(report.static?.unreadable?.files).toEqual([{ file: 'app/caf\\xe9.py', reason: 'file name is not valid UTF-8' }]);
  });

  it('an overlay docker-compose.st\\xe9ging.yml is exit 2 naming it, not a silently missing environment', async () => {
    const dir = project();
    writeFileSync(Buffer.from(`${dir}/docker-compose.st\xe9ging.yml`, 'latin1'), 'services: {}\n');
    await expectInputError(['static', dir], 'latin-1 overlay', /docker-compose\.st\\xe9ging\.yml/, /not valid UTF-8/);
  });
});

describe.concurrent('symlinks: sources and compose inputs stay inside the project (item 14; issue 26)', () => {
  it('a symlinked source file that leaves the project is not read (its queue is not in the report)', async () => {
    const outside = writeTree(tempDir('rd-outside-'), { 'secret_tasks.py': "from rq import Queue\nQueue('outside-queue').enqueue('x')\n" });
    const dir = project({ 'app/inside.py': "from rq import Queue\nQueue('high').enqueue('app.jobs.c')\n" });
    symlinkSync(join(outside, 'secret_tasks.py'), join(dir, 'app', 'linked.py'));
    symlinkSync('inside.py', join(dir, 'app', 'alias.py'));
    const run = await runBounded(['static', dir, '--format', 'json']);
    const report = json(run, 'outside symlink');
    expect(run.stdout).not.toContain('outside-queue');
    expect(report.ok).toBe(true);
    expect(report.static?.unreadable?.files).toEqual([{ file: 'app/linked.py', reason: 'symlink to a file outside the project (not followed)' }]);
  });

  it('a compose extends file outside the project is refused (exit 2), never read (issue 26)', async () => {
    const outside = writeTree(tempDir('rd-outside-'), { 'base.yml': 'services:\n  base:\n    image: app\n    command: rq worker outside-only-queue\n' });
    const dir = project({
      'docker-compose.yml': `services:\n  worker:\n    extends:\n      file: ${join(outside, 'base.yml')}\n      service: base\n`,
    });
    const run = await runBounded(['static', dir, '--format', 'json']);
    expectRobust(run, 'outside extends');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/docker-compose\.yml:\d+:\d+: compose file \S+base\.yml is outside the project \(symlinks resolved; not read\)$/m);
    expect(run.stderr).not.toContain('outside-only-queue');
  });
});
