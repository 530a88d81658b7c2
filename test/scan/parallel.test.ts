import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runJson } from '../helpers/cli.js';

// The parallel read runs the built worker module (dist/scan/worker.js, built by the global setup): the scanner is
// imported from dist/ here, so the worker threads and this file share one build.
const dist = (file: string) => path.join(REPO_ROOT, 'dist', file);
const { scanSources } = (await import(dist('scan/index.js'))) as typeof import('../../src/scan/index.js');
const { parallelModuleReader, lastParallelRead, PARALLEL_MIN_FILES } = (await import(dist('scan/parallel.js'))) as typeof import('../../src/scan/parallel.js');
const { nodeFileSystem } = (await import(dist('fs.js'))) as typeof import('../../src/fs.js');
const { UnreadableFiles } = (await import(dist('model.js'))) as typeof import('../../src/model.js');

const MODULES = 1_500;
const root = mkdtempSync(path.join(os.tmpdir(), 'rd-parallel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The incident's shapes, many times: a queue object built from a setting in one module, used in another's function. */
function writeTree(): void {
  const write = (relative: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  };
  write('app/__init__.py', '');
  write('compose.yaml', 'services:\n  worker:\n    image: app\n    command: rq worker receipts bulk\n');
  write('app/settings.py', "import os\nRECEIPTS_QUEUE = os.environ.get('RECEIPTS_QUEUE', 'receipts')\n");
  write('app/queues.py', 'from redis import Redis\nfrom rq import Queue\nfrom app.settings import RECEIPTS_QUEUE\n\nreceipts = Queue(RECEIPTS_QUEUE, connection=Redis())\n');
  for (let index = 0; index < MODULES; index++) {
    const group = `app/domain${index % 30}`;
    if (index < 30) write(`${group}/__init__.py`, '');
    // Every module passes the prefilter and is analyzed, so the worker threads surely get files to take.
    write(
      `${group}/module_${index}.py`,
      index % 3 === 0
        ? `from app.queues import receipts\n\n\ndef sync_${index}(user_id):\n    return receipts.enqueue('app.jobs.sync', user_id, job_timeout=${index})\n`
        : index % 3 === 1
          ? `from rq import Queue\nfrom redis import Redis\n\n\ndef notify_${index}(user):\n    Queue('notify-${index % 7}', connection=Redis()).enqueue(print, user)\n`
          : `import os\nfrom rq import Queue\nfrom redis import Redis\n\nQUEUE = os.environ.get('Q_${index % 5}', 'bulk')\n\n\ndef export_${index}(rows):\n    q = Queue(QUEUE, connection=Redis())\n    q.enqueue(len, rows)\n`,
    );
  }
  write('web/queues.ts', "import { Queue } from 'bullmq';\nexport const mail = new Queue(process.env.MAIL_QUEUE ?? 'mail');\n");
  write('web/send.ts', "import { mail } from './queues';\nexport async function send(to: string) {\n  await mail.add('send', { to });\n}\n");
  // What a worker thread must record, not drop: over the size cap, nested too deep to analyze, a link outside.
  write('app/huge.py', `from rq import Queue\n${'x = 1\n'.repeat(400_000)}`);
  write('app/deep.py', `from rq import Queue\nx = ${'f"{'.repeat(10_000)}1${'}"'.repeat(10_000)}\nQueue(x).enqueue('y')\n`);
  symlinkSync('/etc/hostname', path.join(root, 'app/outside.py'));
  execFileSync('mkfifo', [path.join(root, 'app/pipe.py')]);
}
writeTree();

const scan = (parallel: boolean) => {
  const unreadable = new UnreadableFiles();
  // The worker threads take every file (this thread none), so their results are what is compared.
  const readModules = parallelModuleReader({ mainThreadTakes: false });
  const result = scanSources({ fs: nodeFileSystem, root, unreadable, ...(parallel ? { readModules } : {}) });
  const { producers, checks, filesScanned, files, filesParsed, celery } = result;
  return { producers, checks, filesScanned, files, filesParsed, celery, unreadable: unreadable.list() };
};

describe('the scan on several threads', () => {
  it('finds exactly what the one-thread scan finds, in the same order, with the same unreadable files', () => {
    expect(MODULES).toBeGreaterThan(PARALLEL_MIN_FILES);
    const one = scan(false);
    const several = scan(true);
    // Worker threads really took files (the machine has 2 cores; CI's too).
    expect(lastParallelRead.workers).toBeGreaterThanOrEqual(1);
    expect(lastParallelRead.takenByWorkers).toBe(one.filesScanned);
    expect(several).toEqual(one);
    expect(one.producers.length).toBeGreaterThan(MODULES);
    expect(one.producers.filter((producer) => producer.env?.variable === 'RECEIPTS_QUEUE')).toHaveLength(MODULES / 3);
    expect(one.unreadable.map(({ file }) => file)).toEqual(['app/deep.py', 'app/huge.py', 'app/outside.py', 'app/pipe.py']);
  });

  it('is what `static` runs on a large project, with the same report', async () => {
    const { report, stderr } = await runJson(['static', root]);
    expect(report, stderr).toBeDefined();
    const sequential = scan(false);
    const where = (producers: { location: { file: string; line: number } }[]) => producers.map(({ location }) => `${location.file}:${location.line}`);
    const section = report!.static as unknown as { producers: { location: { file: string; line: number } }[]; unreadable?: unknown };
    expect(where(section.producers)).toEqual(where(sequential.producers));
    expect(section.unreadable).toEqual({ count: 4, files: sequential.unreadable });
  });
});
