import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryFileSystem, nodeFileSystem } from '../../src/fs.js';
import { analyzeJs } from '../../src/languages/javascript/analyzer.js';
import { scanSources, type ScanResult } from '../../src/scan/index.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const scan = (dir: string, includeTests = false) =>
  scanSources({ fs: nodeFileSystem, root: path.join(fixtures, dir), includeTests });
const summary = (result: ScanResult) =>
  result.producers.map((p) => `${p.kind} ${p.queue} ${p.location.file}:${p.location.line} ${p.scope ?? '-'}`);

describe('scanSources on the prosaas replica', () => {
  const result = scan('prosaas');
  it('finds the two enqueue sites and nothing consumer-side', () => {
    expect(summary(result)).toEqual([
      'rq-queue high server/notifications.py:14 notify_receipt_ready',
      'rq-queue default server/routes_receipts.py:52 start_sync',
    ]);
    // located at the enqueue (`queue.enqueue(...)`), with the construction as related
    expect(result.producers[1]!.construction).toEqual({ file: 'server/routes_receipts.py', line: 51, column: 13 });
    expect(result.producers[1]!.via).toBe('enqueue');
  });
  it('finds the availability check in the same scope, not its definition', () => {
    expect(result.checks).toEqual([
      {
        queue: 'default',
        callee: '_has_worker_for_queue',
        scope: 'start_sync',
        location: { file: 'server/routes_receipts.py', line: 48, column: 41 },
      },
    ]);
  });
});

describe('scanSources on a Python RQ project', () => {
  const result = scan('scan/python-rq');
  const queues = (file: string) => result.producers.filter((p) => p.location.file === file).map((p) => p.queue);

  it('resolves constants in the module, across modules, relative imports and aliases', () => {
    expect(queues('app/tasks.py')).toEqual(['high', 'emails', 'default', 'reports', 'high', null, null, 'mailbox', 'nested']);
  });
  it('reports multi-line constructions at the enqueue, and unresolvable names with their expression', () => {
    const report = result.producers.find((p) => p.scope === 'report')!;
    expect(report.location).toEqual({ file: 'app/tasks.py', line: 33, column: 12 });
    expect(report.construction).toEqual({ file: 'app/tasks.py', line: 29, column: 13 });
    const unresolved = result.producers.filter((p) => p.queue === null).map((p) => p.expression);
    expect(unresolved).toEqual(['f"tenant-{tenant_id}"', 'name']);
  });
  it('gives dotted scopes for methods and nested functions', () => {
    expect(result.producers.filter((p) => p.scope?.startsWith('Mailer')).map((p) => p.scope)).toEqual([
      'Mailer.deliver',
      'Mailer.later.inner',
    ]);
  });
  it('recognises @job decorators', () => {
    expect(result.producers.filter((p) => p.kind === 'rq-job-decorator').map((p) => p.queue)).toEqual(['low', 'bulk']);
  });
  it('ignores comments, docstrings, strings and the standard library Queue', () => {
    expect(queues('app/comments.py')).toEqual([]);
  });
  it('treats Queues handed to a Worker as consumer-side', () => {
    expect(queues('app/worker.py')).toEqual([]);
  });
  it('honours .gitignore (dir, glob, negation, anchored), virtualenvs, node_modules and tests', () => {
    const files = new Set(result.producers.map((p) => p.location.file));
    expect(files.has('app/keep.gen.py')).toBe(true);
    for (const excluded of ['generated/gen.py', 'app/skip.gen.py', 'local_only.py', 'env311/lib/site.py', 'app/test_helpers.py', 'tests/test_tasks.py']) {
      expect(files.has(excluded)).toBe(false);
    }
    expect(result.producers.some((p) => p.location.file.startsWith('node_modules'))).toBe(false);
  });
  it('includes tests on request', () => {
    const files = scan('scan/python-rq', true).producers.map((p) => p.location.file);
    expect(files).toContain('tests/test_tasks.py');
    expect(files).toContain('app/test_helpers.py');
  });
  it('finds checks: keyword through a constant, Worker.count with a Queue, a positional string', () => {
    expect(result.checks.map((c) => `${c.callee} ${c.queue} ${c.scope}`)).toEqual([
      '_has_worker_for_queue default sync',
      'Worker.count reports counted',
      'is_worker_online low positional',
    ]);
    // the Queue inside Worker.count(queue=Queue(...)) is not an enqueue site
    expect(result.producers.filter((p) => p.scope === 'counted').map((p) => p.location.line)).toEqual([21]);
  });
});

describe('scanSources on a django-rq project', () => {
  it('recognises django_rq.enqueue, get_queue with and without a name, bare and called @job', () => {
    expect(summary(scan('scan/django-rq'))).toEqual([
      'django-rq-get-queue default shop/views.py:6 checkout',
      'django-rq-get-queue high shop/views.py:7 checkout',
      'django-rq-get-queue default shop/views.py:8 checkout',
      'django-rq-get-queue emails shop/views.py:9 checkout',
      'rq-job-decorator default shop/views.py:12 -',
      'rq-job-decorator low shop/views.py:17 -',
    ]);
  });
});

describe('scanSources on a BullMQ TypeScript project', () => {
  const result = scan('scan/bullmq-ts');
  it('finds new Queue and FlowProducer children, resolving imports through index files and re-exports', () => {
    expect(result.producers.map((p) => `${p.kind} ${p.queue} ${p.location.file}:${p.location.line}`)).toEqual([
      'bullmq-queue email src/producer.ts:12',
      'bullmq-flow renders src/producer.ts:18',
      'bullmq-flow steps src/producer.ts:20',
      'bullmq-flow null src/producer.ts:21',
      // `this.queue.add(...)` in Mailer.send, the field `queue = new Queue('mail')` (line 27) as its construction
      'bullmq-queue mail src/producer.ts:30',
      'bullmq-queue from-jsx src/view.tsx:3',
    ]);
    expect(result.producers.find((p) => p.queue === null)!.expression).toBe('`tenant-${tenant}`');
  });
  it('does not treat new Worker as a producer, nor comments, regexes and templates', () => {
    expect(result.producers.some((p) => p.location.file === 'src/worker.ts')).toBe(false);
  });
  it('finds a JS availability check with its method scope', () => {
    expect(result.checks).toEqual([
      { queue: 'mail', callee: 'hasWorkerFor', scope: 'Mailer.send', location: { file: 'src/producer.ts', line: 31, column: 17 } },
    ]);
  });
});

describe('scanSources prefilter and robustness', () => {
  it('does not tokenize files that cannot contain queue code', () => {
    const fs = memoryFileSystem({
      '/p/a.py': 'def f():\n    return 1\n',
      '/p/b.py': 'from rq import Queue\nQueue("x")\n',
      '/p/c.ts': 'export const a = 1;\n',
    });
    const result = scanSources({ fs, root: '/p' });
    expect(result.filesScanned).toBe(3);
    expect(result.filesParsed).toBe(1);
  });
  it('never throws on unterminated or binary-looking input', () => {
    const fs = memoryFileSystem({
      '/p/a.py': 'from rq import Queue\nQueue("unterminated\nQueue(f"{x["a"]}")\n"""never closed',
      '/p/b.ts': "import { Queue } from 'bullmq';\nnew Queue(`open ${ {a: '}'} ",
      '/p/c.js': 'const worker = \u0000\u0001 /[/ queue',
    });
    expect(() => scanSources({ fs, root: '/p' })).not.toThrow();
  });
  it('applies extra ignore globs', () => {
    const fs = memoryFileSystem({ '/p/legacy/a.py': 'from rq import Queue\nQueue("x")\n', '/p/b.py': 'from rq import Queue\nQueue("y")\n' });
    const result = scanSources({ fs, root: '/p', ignore: ['legacy/'] });
    expect(result.producers.map((p) => p.queue)).toEqual(['y']);
  });
  it('reads nested .gitignore files relative to their directory', () => {
    const fs = memoryFileSystem({
      '/p/svc/.gitignore': 'out/\n/top.py\n',
      '/p/svc/out/a.py': 'from rq import Queue\nQueue("a")\n',
      '/p/svc/top.py': 'from rq import Queue\nQueue("b")\n',
      '/p/svc/deep/top.py': 'from rq import Queue\nQueue("c")\n',
      '/p/out/d.py': 'from rq import Queue\nQueue("d")\n',
    });
    expect(scanSources({ fs, root: '/p' }).producers.map((p) => p.queue).sort()).toEqual(['c', 'd']);
  });
});

describe('scanSources on disk: symlinks', () => {
  it('does not follow a symlinked directory that loops back to the root', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(path.join(tmpdir(), 'scan-symlink-'));
    try {
      mkdirSync(path.join(root, 'app'));
      writeFileSync(path.join(root, 'app/a.py'), 'from rq import Queue\nQueue("x")\n');
      symlinkSync(root, path.join(root, 'app/loop'));
      const result = scanSources({ fs: nodeFileSystem, root });
      expect(result.producers.map((p) => p.location.file)).toEqual(['app/a.py']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('scanSources: CommonJS BullMQ and module constants', () => {
  it('resolves require() destructuring and exported constants', () => {
    const fs = memoryFileSystem({
      '/p/lib/names.js': "exports.x = 1;\nconst MAIL = 'mail';\nmodule.exports = { MAIL };\n",
      '/p/lib/send.js': "const { Queue } = require('bullmq');\nconst LOCAL = 'local';\nconst q1 = new Queue(LOCAL);\nconst q2 = new Queue(process.env.QUEUE_NAME);\n",
      '/p/lib/other.js': "class Queue {}\nnew Queue('local-class');\n",
      '/p/lib/mixed.js': "// uses bullmq elsewhere\nclass Queue {}\nnew Queue('shadowed');\n",
    });
    const result = scanSources({ fs, root: '/p' });
    expect(result.producers.map((p) => [p.location.file, p.queue, p.expression])).toEqual([
      ['lib/send.js', 'local', undefined],
      ['lib/send.js', null, 'process.env.QUEUE_NAME'],
    ]);
  });
});

describe('scanSources: one JS value evaluator for producers and worker scripts', () => {
  it('reads `process.env?.X ?? default` in a producer as it reads `process.env.X ?? default` (the worker-script reader always did)', () => {
    const fs = memoryFileSystem({
      '/p/src/queues.ts':
        "import { Queue } from 'bullmq';\nexport const a = new Queue(process.env?.RECEIPTS_QUEUE ?? 'receipts');\nexport const b = new Queue(process.env?.['MAIL_QUEUE'] || 'mail');\n",
    });
    const result = scanSources({ fs, root: '/p' });
    expect(result.producers.map((p) => [p.queue, p.env])).toEqual([
      ['receipts', { variable: 'RECEIPTS_QUEUE', default: 'receipts' }],
      ['mail', { variable: 'MAIL_QUEUE', default: 'mail' }],
    ]);
  });
});

describe('analyzeJs: workers are BullMQ\'s by the Queue rule', () => {
  it('records the connection of a BullMQ Worker only, not of a worker_threads Worker (its prefix would read as `bull`)', () => {
    expect(analyzeJs("import { Worker } from 'bullmq';\nnew Worker('mail', run, { connection, prefix: 'app' });\n").workers).toEqual([{ prefix: { kind: 'literal', value: 'app' } }]);
    expect(analyzeJs("import { Worker } from 'node:worker_threads';\nnew Worker('./resize.js', { workerData });\n").workers).toBeUndefined();
  });
});

describe('analyzeJs: `import.meta` and `import()` are not import declarations', () => {
  it('a module-level `import.meta.url` (ESM) no longer swallows the declarations after it up to the next string', () => {
    const facts = analyzeJs(
      "import { Queue } from 'bullmq';\nimport { fileURLToPath } from 'node:url';\nconst here = fileURLToPath(import.meta.url);\n" +
        "export const reports = new Queue('reports');\nconst plugin = await import('./plugin.js');\nexport const mail = new Queue('mail');\n",
    );
    expect(facts.queues.map((queue) => queue.queue)).toEqual([{ kind: 'literal', value: 'reports' }, { kind: 'literal', value: 'mail' }]);
    expect([...facts.bindings.keys()].sort()).toEqual(['Queue', 'fileURLToPath', 'here', 'mail', 'plugin', 'reports']);
    expect(facts.bindings.get('reports')).toEqual({ kind: 'queue', object: 0, factory: false });
  });
});
