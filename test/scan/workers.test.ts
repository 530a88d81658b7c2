import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeService } from '../../src/sources/compose/adapter.js';
import type { EnvEntry, ServiceModel } from '../../src/sources/compose/model.js';
import type { DeploymentService } from '../../src/model.js';
import { memoryFileSystem, nodeFileSystem, type FileSystem } from '../../src/fs.js';
import { splitShellWords } from '../../src/shell-words.js';
import { detectWorker, type WorkerContext } from '../../src/workers/index.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const compose = 'docker-compose.yml';

function env(values: Record<string, string | null>, unset: Record<string, string[]> = {}): Record<string, EnvEntry> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value], index) => [
      key,
      { value, location: { file: compose, line: 10 + index, column: 7 }, source: 'environment', unsetVariables: unset[key] ?? [] },
    ]),
  );
}

/** A compose service as the loader builds it, in the source-neutral shape worker detection reads. */
function service(fields: Partial<Omit<ServiceModel, 'command' | 'entrypoint'>> & { command?: string | string[]; entrypoint?: string | string[] }): DeploymentService {
  const { command, entrypoint, ...rest } = fields;
  return composeService({
    name: 'worker',
    location: { file: compose, line: 3, column: 3 },
    environment: {},
    profiles: [],
    ...rest,
    ...(command !== undefined ? { command: { value: command, location: { file: compose, line: 5, column: 14 } } } : {}),
    ...(entrypoint !== undefined ? { entrypoint: { value: entrypoint, location: { file: compose, line: 4, column: 17 } } } : {}),
  }, []);
}

const context = (fs: FileSystem = memoryFileSystem({}), root = '/p', extra: string[] = []): WorkerContext => ({
  fs,
  root,
  queueVariables: ['RQ_QUEUES', ...extra],
});

describe('detectWorker: rq worker command lines', () => {
  it('takes queues from the arguments, skipping options exactly as RQ defines them', () => {
    const result = detectWorker(
      service({ command: 'rq worker -u redis://r:6379 --burst -n w1 --with-scheduler --max-jobs=5 -P /app -bv high default low' }),
      context(),
    );
    expect(result).toMatchObject({ queues: ['high', 'default', 'low'], queueSource: 'command', detectedBy: 'rq worker' });
    expect(result!.location).toEqual({ file: compose, line: 5, column: 14 });
  });
  it('defaults to `default` without queues', () => {
    expect(detectWorker(service({ command: ['rq', 'worker', '--url', 'redis://r'] }), context())).toMatchObject({
      queues: ['default'],
      queueSource: 'program-default',
    });
  });
  it('unwraps sh -c, exec, env prefixes, python -m rq.cli, poetry run and /usr/local/bin paths', () => {
    const cases: (string | string[])[] = [
      ['sh', '-c', 'cd /app && exec rq worker high'],
      ['/bin/bash', '-ec', 'FOO=1 /usr/local/bin/rq worker high; echo done'],
      'python -m rq.cli worker high',
      'poetry run python3 -u -m rq.cli worker high',
      'uv run rq worker-pool -n 4 high',
      'env PYTHONUNBUFFERED=1 rq worker high',
    ];
    for (const command of cases) expect(detectWorker(service({ command }), context())?.queues).toEqual(['high']);
  });
  it('splits entrypoint + command', () => {
    expect(detectWorker(service({ entrypoint: ['rq'], command: ['worker', 'a', 'b'] }), context())?.queues).toEqual(['a', 'b']);
  });
  it('resolves $VAR in sh -c scripts from the service environment', () => {
    const result = detectWorker(
      service({ command: ['sh', '-c', 'rq worker $RQ_QUEUES'], environment: env({ RQ_QUEUES: 'high default' }) }),
      context(),
    );
    expect(result).toMatchObject({ queues: ['high', 'default'], queueSource: 'environment', variable: 'RQ_QUEUES' });
    expect(result!.location!.line).toBe(10);
  });
  it('falls back to rq default when the variable is set to nothing', () => {
    expect(detectWorker(service({ command: ['sh', '-c', 'rq worker ${EXTRA_QUEUES}'], environment: env({ EXTRA_QUEUES: '' }) }), context())).toMatchObject({
      queues: ['default'],
      queueSource: 'program-default',
    });
  });
  it('takes a queue list in a variable the service does not set as unknown (queue-var-unset), not as the default', () => {
    expect(detectWorker(service({ command: ['sh', '-c', 'rq worker ${EXTRA_QUEUES}'] }), context())).toMatchObject({
      queues: [],
      queueSource: 'command',
      unsetVariables: ['EXTRA_QUEUES'],
    });
    expect(detectWorker(service({ command: ['sh', '-c', 'rq worker high $EXTRA_QUEUES low'] }), context())).toMatchObject({
      queues: ['high', 'low'],
      unsetVariables: ['EXTRA_QUEUES'],
    });
  });
  it('recognises django-rq rqworker and celery workers', () => {
    expect(detectWorker(service({ command: 'python manage.py rqworker --worker-class x.W high low' }), context())?.queues).toEqual(['high', 'low']);
    expect(detectWorker(service({ command: './manage.py rqworker' }), context())).toMatchObject({ queues: ['default'], queueSource: 'program-default' });
    expect(detectWorker(service({ command: 'celery -A proj worker -l info -Q mail,reports' }), context())?.queues).toEqual(['mail', 'reports']);
    expect(detectWorker(service({ command: 'celery -A worker worker --queues=a,b' }), context())?.queues).toEqual(['a', 'b']);
    expect(detectWorker(service({ command: 'celery -A proj worker' }), context())?.queues).toEqual(['celery']);
  });
  it('is not a worker for other programs', () => {
    expect(detectWorker(service({ command: 'gunicorn app:app' }), context())).toBeNull();
    expect(detectWorker(service({ command: 'rq info' }), context())).toBeNull();
    expect(detectWorker(service({ image: 'redis:7' }), context())).toBeNull();
  });
});

describe('detectWorker: queue variables', () => {
  it('a service setting RQ_QUEUES is a worker even with an unknown command', () => {
    const result = detectWorker(
      service({ command: './start.sh', environment: env({ RQ_QUEUES: ' high, default ,,low  receipts ' }) }),
      context(),
    );
    expect(result).toEqual({
      queues: ['high', 'default', 'low', 'receipts'],
      queueSource: 'environment',
      variable: 'RQ_QUEUES',
      location: { file: compose, line: 10, column: 7 },
      detectedBy: 'RQ_QUEUES',
    });
  });
  it('an empty variable gives no queues; unset interpolations are passed on', () => {
    expect(detectWorker(service({ environment: env({ RQ_QUEUES: '' }) }), context())?.queues).toEqual([]);
    const result = detectWorker(service({ environment: env({ RQ_QUEUES: 'high,' }, { RQ_QUEUES: ['EXTRA'] }) }), context());
    expect(result).toMatchObject({ queues: ['high'], unsetVariables: ['EXTRA'] });
  });
  it('honours extra queue variables in order', () => {
    const result = detectWorker(service({ environment: env({ QUEUES: 'a', OTHER: 'x' }) }), context(undefined, '/p', ['QUEUES']));
    expect(result).toMatchObject({ queues: ['a'], variable: 'QUEUES' });
  });
});

describe('detectWorker: worker scripts', () => {
  const prosaas = context(nodeFileSystem, path.join(fixtures, 'prosaas'));

  it('python -m server.worker with RQ_QUEUES set: the environment wins', () => {
    const result = detectWorker(
      service({ command: 'python -m server.worker', buildContext: '.', environment: env({ RQ_QUEUES: 'high,default' }) }),
      prosaas,
    );
    expect(result).toMatchObject({ queues: ['high', 'default'], queueSource: 'environment', detectedBy: 'python -m server.worker' });
  });
  it('python -m server.worker with RQ_QUEUES unset: the code default, located in the script', () => {
    const result = detectWorker(service({ command: 'python -m server.worker', buildContext: '.' }), prosaas);
    expect(result).toEqual({
      queues: ['high', 'default', 'low'],
      queueSource: 'code-default',
      variable: 'RQ_QUEUES',
      location: { file: 'server/worker.py', line: 14, column: 34 },
      detectedBy: 'python -m server.worker',
      script: 'server/worker.py',
    });
  });
  it('maps absolute container paths through working_dir and the build context', () => {
    const fs = memoryFileSystem({
      '/p/backend/app/worker.py': 'import os\nNAME = "RQ_QUEUES"\nqueues = os.environ.get(NAME, "a b")\n',
    });
    const result = detectWorker(
      service({ command: ['python', '/srv/app/worker.py'], buildContext: 'backend', workingDir: '/srv' }),
      context(fs),
    );
    expect(result).toMatchObject({ queues: ['a', 'b'], queueSource: 'code-default', location: { file: 'backend/app/worker.py', line: 3 } });
  });
  it('a script with os.environ[...] and no default, unset: no queues and the variable reported unset', () => {
    const fs = memoryFileSystem({ '/p/worker.py': 'import os\nqueues = os.environ["RQ_QUEUES"].split(",")\n' });
    expect(detectWorker(service({ command: 'python worker.py' }), context(fs))).toMatchObject({
      queues: [],
      queueSource: 'code-default',
      unsetVariables: ['RQ_QUEUES'],
    });
  });
  it('a script that hardcodes its queues', () => {
    const fs = memoryFileSystem({
      '/p/jobs/run.py': "from rq import Queue, Worker\nfrom redis import Redis\nc = Redis()\nWorker([Queue('high', connection=c), 'low'], connection=c).work()\n",
    });
    expect(detectWorker(service({ command: 'python -m jobs.run' }), context(fs))).toMatchObject({
      queues: ['high', 'low'],
      queueSource: 'code-default',
      location: { file: 'jobs/run.py', line: 4 },
    });
  });
  it('node dist/worker.js → the TypeScript source via tsconfig', () => {
    const fs = memoryFileSystem({
      '/p/api/tsconfig.json': '{ "compilerOptions": { "rootDir": "./lib", "outDir": "./out" } }',
      '/p/api/lib/worker.ts': "const queues = (process.env.RQ_QUEUES ?? 'email,renders').split(',');\n",
    });
    const result = detectWorker(service({ command: 'node out/worker.js', buildContext: 'api' }), context(fs));
    expect(result).toMatchObject({ queues: ['email', 'renders'], queueSource: 'code-default', location: { file: 'api/lib/worker.ts', line: 1 } });
  });
  it('node dist/worker.js with new Worker(...) hardcoded, in the default src/ layout', () => {
    const fs = memoryFileSystem({
      '/p/src/worker.ts': "import { Worker } from 'bullmq';\nconst Q = 'mail';\nnew Worker(Q, async () => 1);\nnew Worker('sms', async () => 1);\n",
    });
    expect(detectWorker(service({ command: ['node', 'dist/worker.js'] }), context(fs))?.queues).toEqual(['mail', 'sms']);
  });
  it('a TS worker script resolves queue names imported from another module, like the producers do', () => {
    const fs = memoryFileSystem({
      '/p/src/queues.ts': "export const MAIL_QUEUE = 'mail';\nexport const QUEUE_VAR = 'QUEUES';\n",
      '/p/src/worker.ts':
        "import { Worker } from 'bullmq';\nimport { MAIL_QUEUE } from './queues';\nnew Worker(MAIL_QUEUE, async () => 1);\n",
      '/p/src/env-worker.ts':
        "import { QUEUE_VAR } from './queues.js';\nconst queues = (process.env[QUEUE_VAR] ?? 'a,b').split(',');\n",
    });
    expect(detectWorker(service({ command: ['node', 'dist/worker.js'] }), context(fs))).toMatchObject({
      queues: ['mail'],
      queueSource: 'code-default',
      location: { file: 'src/worker.ts', line: 3 },
    });
    expect(detectWorker(service({ command: ['node', 'dist/env-worker.js'] }), context(fs, '/p', ['QUEUES']))).toMatchObject({
      queues: ['a', 'b'],
      variable: 'QUEUES',
      location: { file: 'src/env-worker.ts', line: 2 },
    });
  });
  it('reads tsconfig.json as JSON with comments and trailing commas', () => {
    const fs = memoryFileSystem({
      '/p/tsconfig.json': '{\n  // was: "outDir": "old", "rootDir": "old"\n  "compilerOptions": {\n    /* sources */ "rootDir": "./code",\n    "outDir": "./built/", // "outDir": "wrong"\n  },\n}\n',
      '/p/code/jobs/worker.ts': "import { Worker } from 'bullmq';\nnew Worker('reports', async () => 1);\n",
    });
    expect(detectWorker(service({ command: 'node built/jobs/worker.js' }), context(fs))).toMatchObject({
      queues: ['reports'],
      location: { file: 'code/jobs/worker.ts', line: 2 },
    });
  });
  it('a Worker is BullMQ\'s by the same rule as a Queue: imported from bullmq or a namespace of it, not worker_threads\' Worker', () => {
    const fs = memoryFileSystem({
      '/p/src/namespaced.ts': "import * as bullmq from 'bullmq';\nnew bullmq.Worker('mail', async () => 1);\n",
      '/p/src/threads.ts': "import { Worker } from 'node:worker_threads';\nnew Worker('./resize.js', { workerData: 1 });\n",
      '/p/src/required.js': "const { Worker } = require('worker_threads');\nconst { Queue } = require('bullmq');\nnew Worker('./resize.js', {});\n",
    });
    expect(detectWorker(service({ command: ['node', 'dist/namespaced.js'] }), context(fs))).toMatchObject({ queues: ['mail'], location: { file: 'src/namespaced.ts', line: 2 } });
    expect(detectWorker(service({ command: ['node', 'dist/threads.js'] }), context(fs))).toBeNull();
    expect(detectWorker(service({ command: ['node', 'src/required.js'] }), context(fs))).toBeNull();
  });
  it('a queue variable\'s default is the evaluator\'s value of the whole fallback: none when it is computed', () => {
    const fs = memoryFileSystem({
      '/p/src/computed.ts': "const suffix = process.env.SUFFIX;\nconst queues = (process.env.RQ_QUEUES ?? 'mail' + suffix).split(',');\n",
      '/p/src/constant.ts': "const DEFAULT_QUEUES = 'mail,sms';\nconst queues = (process.env?.RQ_QUEUES ?? DEFAULT_QUEUES).split(',');\n",
    });
    // Was `mail` (the first token after `??`): the default is not known, so the unset variable is what is reported.
    expect(detectWorker(service({ command: ['node', 'dist/computed.js'] }), context(fs))).toMatchObject({
      variable: 'RQ_QUEUES',
      queues: [],
      unsetVariables: ['RQ_QUEUES'],
    });
    expect(detectWorker(service({ command: ['node', 'dist/constant.js'] }), context(fs))).toMatchObject({
      variable: 'RQ_QUEUES',
      queues: ['mail', 'sms'],
      queueSource: 'code-default',
      location: { file: 'src/constant.ts', line: 2 },
    });
  });
  it('a script that is not a worker and no queue variable: not a worker', () => {
    const fs = memoryFileSystem({ '/p/app.py': 'print("hello")\n' });
    expect(detectWorker(service({ command: 'python app.py' }), context(fs))).toBeNull();
  });
});

describe('splitShellWords', () => {
  it('follows shell quoting rules', () => {
    expect(splitShellWords(`a 'b c' "d \\"e\\"" f\\ g ""`)).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});
