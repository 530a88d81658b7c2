import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FRAMEWORK_QUEUE_VARIABLES, sendsOn, sentOnly } from '../../src/frameworks/index.js';
import { memoryFileSystem, nodeFileSystem } from '../../src/fs.js';
import type { DeploymentService } from '../../src/model.js';
import { scanSources } from '../../src/scan/index.js';
import { detectWorker } from '../../src/workers/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scenario = (name: string) => path.join(repo, 'fixtures/scenarios', name);

/** A compose service running `argv` (the source-neutral model). */
function service(argv: string[]): DeploymentService {
  const file = 'docker-compose.yml';
  return { name: 'worker', location: { file, line: 3, column: 3 }, command: { argv, location: { file, line: 5, column: 14 } }, environment: {}, profiles: [], code: { roots: [''] } };
}

/** The `from '…'` specifiers of a TypeScript file's imports and re-exports. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((match) => match[1]!);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the frameworks reach the scan, the workers and the analysis through the registry', () => {
  it('scan/, workers/, the static stage and its analysis import no framework file but the registry and its interface', () => {
    const files = [...tsFiles(path.join(repo, 'src/scan')), ...tsFiles(path.join(repo, 'src/workers')), path.join(repo, 'src/analysis/static.ts'), path.join(repo, 'src/static.ts')];
    const internal = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => /(?:^|\/)frameworks\//.test(specifier) && !/(?:^|\/)frameworks\/(?:index|framework)\.js$/.test(specifier))
        .map((specifier) => `${path.relative(repo, file)} → ${specifier}`),
    );
    expect(files.length).toBeGreaterThan(5);
    expect(internal).toEqual([]);
  });

  it("a task is sent only by its framework's methods, and those no other framework shares send nothing else", () => {
    expect(sentOnly('celery-task')).toBe(true);
    expect(sentOnly('rq-queue')).toBe(false);
    expect(sentOnly('rq-job-decorator')).toBe(false);
    for (const method of ['delay', 'apply_async', 's', 'si', 'signature']) expect(sendsOn('celery-task', method)).toBe(true);
    for (const method of ['enqueue', 'add', 'schedule', undefined]) expect(sendsOn('celery-task', method)).toBe(false);
    // `delay` is RQ's too (a `@job` function); `apply_async` and the signatures are Celery's alone.
    for (const method of ['delay', 'enqueue', 'enqueue_at', 'schedule', undefined]) expect(sendsOn('rq-queue', method)).toBe(true);
    for (const method of ['apply_async', 's', 'si', 'signature']) expect([method, sendsOn('rq-queue', method)]).toEqual([method, false]);
    expect(sendsOn('bullmq-queue', 'add')).toBe(true);
  });

  it("RQ_QUEUES is the rq framework's queue variable", () => {
    expect(FRAMEWORK_QUEUE_VARIABLES).toEqual(['RQ_QUEUES']);
  });

  it("the scan keeps Celery's project data under its id and its configuration's findings, for nothing else to read", () => {
    const celery = scanSources({ fs: nodeFileSystem, root: scenario('celery-django') });
    expect(Object.keys(celery.frameworkData)).toEqual(['celery']);
    const ignored = celery.configurationFindings.map((found) => [found.rule, found.location?.file]);
    expect(ignored).toEqual([['celery-setting-ignored', 'shop/settings.py']]);

    const rqOnly = scanSources({ fs: memoryFileSystem({ '/p/app.py': "from rq import Queue\nQueue('high').enqueue(f)\n" }), root: '/p' });
    expect(rqOnly.producers.map((producer) => producer.queue)).toEqual(['high']);
    expect(rqOnly.configurationFindings).toEqual([]);
  });

  it("a worker program's app is read by its framework from the project data the scan handed on", () => {
    const root = scenario('celery-two-apps');
    const scan = scanSources({ fs: nodeFileSystem, root });
    const context = { fs: nodeFileSystem, root, queueVariables: [...FRAMEWORK_QUEUE_VARIABLES], modules: scan.modules, sourceFiles: scan.files };
    const argv = ['celery', '--app', 'reports.celery:app', 'worker', '-l', 'info'];
    const reports = detectWorker(service(argv), { ...context, frameworkData: scan.frameworkData });
    expect(reports).toMatchObject({ app: 'reports', queues: ['reports', 'reports-slow'], queueSource: 'code-default' });
    expect(reports?.detectedBy).toContain("the app `reports`'s task_queues");
    const billing = detectWorker(service(['celery', '-A', 'billing', 'worker']), { ...context, frameworkData: scan.frameworkData });
    expect(billing?.app).toBe('billing');
    // Without the scan's data the program knows no app: Celery's own default queue.
    const alone = detectWorker(service(argv), context);
    expect(alone).toMatchObject({ queues: ['celery'], queueSource: 'program-default' });
    expect(alone?.app).toBeUndefined();
  });
});
