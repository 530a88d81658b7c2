import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../src/fs.js';
import { UnreadableFiles } from '../src/model.js';
import { scanSources } from '../src/scan/index.js';
import { fixture, runCli, runJson } from './helpers/cli.js';

/**
 * Files the static stage cannot read are counted and named, never dropped silently. Real unreadable files (the
 * tests run as root, so no chmod): a dangling symlink named like a source file, a source file over the 2 MiB cap,
 * and a directory where a worker service's tsconfig.json belongs.
 */
let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'receipts-doctor-unreadable-'));
  writeFileSync(
    path.join(root, 'docker-compose.yml'),
    'services:\n  worker:\n    image: app\n    command: rq worker default\n  mailer:\n    build: ./mailer\n    command: node dist/worker.js\n',
  );
  mkdirSync(path.join(root, 'app'));
  writeFileSync(path.join(root, 'app', 'tasks.py'), "from rq import Queue\nfrom redis import Redis\n\nQueue('default', connection=Redis()).enqueue('app.jobs.sync')\n");
  symlinkSync('gone.py', path.join(root, 'app', 'broken.py'));
  writeFileSync(path.join(root, 'generated.py'), `# Queue\n${'x = 1\n'.repeat(400_000)}`);
  mkdirSync(path.join(root, 'mailer', 'src'), { recursive: true });
  mkdirSync(path.join(root, 'mailer', 'tsconfig.json'));
  writeFileSync(path.join(root, 'mailer', 'src', 'worker.ts'), "import { Worker } from 'bullmq';\nnew Worker('mail', async () => 1);\n");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const expectedFiles = [
  { file: 'app/broken.py', reason: 'cannot be read (ENOENT)' },
  { file: 'generated.py', reason: 'larger than 2 MiB' },
  { file: 'mailer/tsconfig.json', reason: 'cannot be read (EISDIR)' },
];

describe('unreadable inputs', () => {
  it('the scanner records a dangling source symlink and an over-cap file instead of skipping them silently', () => {
    const unreadable = new UnreadableFiles();
    const scan = scanSources({ fs: nodeFileSystem, root, unreadable });
    expect(scan.producers.map((producer) => producer.queue)).toEqual(['default']);
    expect(unreadable.list()).toEqual(expectedFiles.slice(0, 2));
  });

  it('json: the static section counts and names every unreadable file; the verdict is unchanged', async () => {
    const { exitCode, report } = await runJson(['static', root]);
    expect(exitCode).toBe(0);
    expect(report!.static!.unreadable).toEqual({ count: 3, files: expectedFiles });
    // The readable code is still analyzed: both workers found, the queue served.
    expect(report!.static!.consumers.map((consumer) => [consumer.service, consumer.queues])).toEqual([
      ['worker', ['default']],
      ['mailer', ['mail']],
    ]);
    expect(report!.findings.map((finding) => finding.rule)).toEqual(['worker-queue-unused']);
  });

  it('table: the count without --verbose, each file and reason with it', async () => {
    const plain = await runCli(['static', root]);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain('3 files could not be read and were skipped (--verbose lists them)');
    expect(plain.stdout).not.toContain('app/broken.py');
    const verbose = await runCli(['static', root, '--verbose']);
    expect(verbose.exitCode).toBe(0);
    expect(verbose.stdout).toContain('3 files could not be read and were skipped:');
    for (const { file, reason } of expectedFiles) expect(verbose.stdout).toContain(`${file}: ${reason}`);
  });

  it('a project whose files all read has no unreadable entry and no such line', async () => {
    const { report } = await runJson(['static', fixture('prosaas')]);
    expect(report!.static).toBeDefined();
    expect(report!.static!.unreadable).toBeUndefined();
    const table = await runCli(['static', fixture('prosaas'), '--verbose']);
    expect(table.stdout).not.toContain('could not be read');
  });
});
