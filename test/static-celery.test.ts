import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { mutatedProject, removeTempDirs } from './hardening/projects.js';
import { fixture, runJson } from './helpers/cli.js';
import { onlyFinding, scenarioReport } from './helpers/report.js';

const PYTHON = '/usr/bin/python3';

afterAll(removeTempDirs);

/** A temp copy of a scenario with `from` (which must be there) replaced by `to` in one file (`<scenario>/<path>`). */
function editedScenario(file: string, from: string, to: string): string {
  const text = readFileSync(fixture('scenarios', file), 'utf8');
  expect(text).toContain(from);
  return mutatedProject(`scenarios/${file}`, Buffer.from(text.replace(from, () => to)));
}

/** Where real Celery (Debian's python3-celery) routes each task name, with the app the fixture configures. */
function celeryRoutes(project: string, setup: string, names: string[]): Record<string, string> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-celery`);
  const script = `import json\n${setup}\nr = app.amqp.router\nprint(json.dumps({n: r.route({}, n)['queue'].name for n in ${JSON.stringify(names)}}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { cwd: fixture('scenarios', project), encoding: 'utf8' })) as Record<string, string>;
}

describe('Celery in a Django project (namespace CELERY)', () => {
  it('routes tasks as real Celery does: globs, plain-string routes, and the default queue the ignored setting leaves', async () => {
    const report = await scenarioReport('celery-django');
    const routed = report.static!.producers.filter((producer) => producer.routedBy);
    expect(routed.map((producer) => producer.task)).toEqual(['orders.tasks.send_receipt', 'orders.tasks.recalculate', 'orders.tasks.report_sales']);
    // django.conf:settings is the settings module's names; real Celery reads the same module with the namespace.
    const expected = celeryRoutes(
      'celery-django',
      "from celery import Celery\napp = Celery('shop')\napp.config_from_object('shop.settings', namespace='CELERY')",
      routed.map((producer) => producer.task!),
    );
    expect(Object.fromEntries(routed.map((producer) => [producer.task, producer.queue]))).toEqual(expected);
    expect(expected['orders.tasks.recalculate']).toBe('celery');
  });

  it('flags the pre-4.0 name with the one Celery reads', async () => {
    const report = await scenarioReport('celery-django');
    const ignored = onlyFinding(report, 'celery-setting-ignored');
    expect(ignored.severity).toBe('warning');
    expect(ignored.location).toEqual({ file: 'shop/settings.py', line: 8, column: 1 });
    expect(ignored.message).toBe(
      'Celery ignores `CELERY_DEFAULT_QUEUE`: the app reads its settings with namespace `CELERY`, where this setting is `CELERY_TASK_DEFAULT_QUEUE`.',
    );
    expect(ignored.hint).toBe('Rename `CELERY_DEFAULT_QUEUE` to `CELERY_TASK_DEFAULT_QUEUE`.');
  });

  it('the prod overlay drops `celery`: queue-without-worker at the send, with the worker command to change', async () => {
    const report = await scenarioReport('celery-django');
    const prod = onlyFinding(report, 'queue-without-worker', 'prod');
    expect(prod.queue).toBe('celery');
    expect(prod.location).toEqual({ file: 'orders/views.py', line: 7, column: 5 });
    expect(prod.related![0]).toMatchObject({ file: 'docker-compose.prod.yml', line: 3, change: prod.hint });
    expect(prod.related).toContainEqual({ message: 'The queue object is built here.', file: 'orders/tasks.py', line: 29 });
    const worker = report.static!.consumers.find((consumer) => consumer.environment === 'prod' && consumer.service === 'worker')!;
    expect(worker.queues).toEqual(['mail', 'reports', 'images', 'maintenance', 'reports-slow']);
  });

  it('reads the queue of each kind of send: decorator, apply_async, a signature, beat options', async () => {
    const report = await scenarioReport('celery-django');
    const byLine = Object.fromEntries(report.static!.producers.map((p) => [`${p.location.file}:${p.location.line}`, [p.kind, p.queue, p.via]]));
    expect(byLine).toEqual({
      'orders/views.py:5': ['celery-task', 'mail', 'delay'],
      'orders/views.py:6': ['celery-task', 'images', 'apply_async'],
      'orders/views.py:7': ['celery-task', 'celery', 'delay'],
      'orders/views.py:12': ['celery-task', 'reports', 's'],
      'orders/views.py:13': ['celery-task', 'reports-slow', 'apply_async'],
      'shop/settings.py:14': ['celery-beat', 'maintenance', 'beat_schedule'],
    });
  });
});

describe('Celery in a Flask app (app.conf.update, task_queues, a list of routers)', () => {
  it('a worker without -Q consumes task_queues; -X removes one', async () => {
    const report = await scenarioReport('celery-flask');
    const workers = report.static!.consumers.filter((consumer) => consumer.service === 'worker');
    expect(workers.map((worker) => [worker.environment, worker.queues, worker.queueSource])).toEqual([
      ['default', ['default', 'emails'], 'code-default'],
      ['prod', ['emails'], 'code-default'],
    ]);
    expect(workers[0]!.location).toEqual({ file: 'app/worker.py', line: 9, column: 17 });
    const media = report.static!.consumers.find((consumer) => consumer.service === 'media')!;
    expect(media.queues).toEqual(['thumbnails', 'billing']);
  });

  it('routes as real Celery does; send_task and options={"queue"} name their own queue', async () => {
    const report = await scenarioReport('celery-flask');
    const routed = report.static!.producers.filter((producer) => producer.routedBy);
    const expected = celeryRoutes('celery-flask', 'import app.tasks\nfrom app.worker import celery as app', routed.map((p) => p.task!));
    expect(Object.fromEntries(routed.map((producer) => [producer.task, producer.queue]))).toEqual(expected);
    expect(Object.keys(expected)).toEqual(['app.tasks.send_welcome', 'app.tasks.crunch']);
    const sendTask = report.static!.producers.find((producer) => producer.kind === 'celery-send-task')!;
    expect(sendTask).toMatchObject({ queue: 'billing', task: 'billing.charge', location: { file: 'app/views.py', line: 9 } });
    expect(onlyFinding(report, 'queue-without-worker', 'prod').location).toEqual({ file: 'app/views.py', line: 7, column: 5 });
  });
});

describe('a misspelt setting under the namespace', () => {
  it('is flagged with the name it most likely means, as real Celery ignores it', async () => {
    const dir = editedScenario('celery-django/shop/settings.py', "CELERY_DEFAULT_QUEUE = 'default'", "CELERY_TASK_DEFALT_QUEUE = 'default'");
    const { report, stderr } = await runJson(['static', dir]);
    expect(stderr).toBe('');
    const ignored = onlyFinding(report!, 'celery-setting-ignored');
    expect(ignored.message).toBe(
      'Celery ignores `CELERY_TASK_DEFALT_QUEUE`: it is no setting Celery knows under namespace `CELERY`; it is most likely `CELERY_TASK_DEFAULT_QUEUE`.',
    );
    expect(ignored.hint).toBe('Rename `CELERY_TASK_DEFALT_QUEUE` to `CELERY_TASK_DEFAULT_QUEUE`.');
    expect(ignored.location).toMatchObject({ file: 'shop/settings.py', line: 8 });
    // Real Celery reads the same settings and keeps its own default queue: the typo is ignored.
    const queue = execFileSync(
      PYTHON,
      ['-c', "from celery import Celery\napp = Celery('shop')\napp.config_from_object('shop.settings', namespace='CELERY')\nprint(app.conf.task_default_queue)"],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    ).trim();
    expect(queue).toBe('celery');
  });

  it('knows every setting of the installed Celery, so no real name is taken for a typo', async () => {
    const { KNOWN_SETTING_NAMES, likelySettingName } = await import('../src/frameworks/celery/python-settings.js');
    const names = JSON.parse(
      execFileSync(PYTHON, ['-c', 'import json\nfrom celery.app.defaults import flatten, NAMESPACES\nprint(json.dumps(sorted({k for k, v in flatten(NAMESPACES)})))'], { encoding: 'utf8' }),
    ) as string[];
    expect(names.length).toBeGreaterThan(150);
    for (const name of names) expect(KNOWN_SETTING_NAMES.has(name), name).toBe(true);
    for (const name of KNOWN_SETTING_NAMES) expect(likelySettingName(name), name).toBeUndefined();
    expect(likelySettingName('task_default_queu')).toBe('task_default_queue');
    expect(likelySettingName('task_routs')).toBe('task_routes');
    expect(likelySettingName('worker_concurency')).toBe('worker_concurrency');
    expect(likelySettingName('my_own_setting')).toBeUndefined();
  });
});

/** Per app (as `celery -A <target>` finds it): where real Celery routes each task name, and what a worker without -Q consumes. */
function celeryApps(project: string, targets: Record<string, string>, names: Record<string, string[]>) {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-celery`);
  const script = [
    'import json, sys',
    'from celery.app.utils import find_app',
    'targets, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])',
    'out = {}',
    'for label, target in targets.items():',
    '    app = find_app(target)',
    "    out[label] = {'main': app.main, 'queues': sorted(app.amqp.queues), 'routes': {n: app.amqp.router.route({}, n)['queue'].name for n in names.get(label, [])}}",
    'print(json.dumps(out))',
  ].join('\n');
  const output = execFileSync(PYTHON, ['-c', script, JSON.stringify(targets), JSON.stringify(names)], {
    cwd: fixture('scenarios', project),
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return JSON.parse(output) as Record<string, { main: string; queues: string[]; routes: Record<string, string> }>;
}

describe('several Celery apps in one project (billing and reports)', () => {
  it('each worker consumes what real Celery gives the app its -A loads; each send is routed by its own app', async () => {
    const report = await scenarioReport('celery-two-apps');
    const routed = report.static!.producers.filter((producer) => producer.routedBy);
    const names: Record<string, string[]> = {};
    for (const producer of routed) (names[producer.celeryApp!] ??= []).push(producer.task!);
    expect(Object.keys(names).sort()).toEqual(['billing', 'reports']);
    const workers = report.static!.consumers.filter((consumer) => consumer.environment === 'default');
    // The -A value each worker service is started with, as Celery's find_app is given it.
    const targets = { billing: 'billing', reports: 'reports.celery:app' };
    const real = celeryApps('celery-two-apps', targets, names);
    expect(real.billing!.main).toBe('billing');
    expect(real.reports!.main).toBe('reports');
    for (const producer of routed) expect([producer.task, producer.queue]).toEqual([producer.task, real[producer.celeryApp!]!.routes[producer.task!]]);
    const byService = Object.fromEntries(workers.map((worker) => [worker.service, [worker.celeryApp, [...worker.queues].sort()]]));
    expect(byService).toEqual({
      'billing-worker': ['billing', real.billing!.queues],
      'payments-worker': ['billing', ['payments']],
      'reports-worker': ['reports', real.reports!.queues],
    });
    // The apps differ: one merged configuration could not give both answers.
    expect(real.billing!.queues).toEqual(['billing']);
    expect(real.reports!.queues).toEqual(['reports', 'reports-slow']);
  });

  it('a @shared_task is routed through every app (each may be the current one), one producer per queue', async () => {
    const report = await scenarioReport('celery-two-apps');
    const notify = report.static!.producers.filter((producer) => producer.task === 'shared.notify.notify');
    expect(notify.map((producer) => [producer.celeryApp, producer.queue, producer.location.line])).toEqual([
      ['billing', 'billing', 10],
      ['reports', 'reports', 10],
    ]);
    const real = celeryApps('celery-two-apps', { billing: 'billing', reports: 'reports.celery:app' }, { billing: ['shared.notify.notify'], reports: ['shared.notify.notify'] });
    expect([real.billing!.routes['shared.notify.notify'], real.reports!.routes['shared.notify.notify']]).toEqual(['billing', 'reports']);
    // The beat of `billing` sends through billing; send_task through the app it is called on.
    const beat = report.static!.producers.find((producer) => producer.kind === 'celery-beat')!;
    expect([beat.celeryApp, beat.queue]).toEqual(['billing', 'billing']);
    const sendTask = report.static!.producers.find((producer) => producer.kind === 'celery-send-task')!;
    expect([sendTask.celeryApp, sendTask.queue]).toEqual(['reports', 'reports']);
  });

  it('the prod overlay excludes reports-slow: one finding, pointing at the reports worker and the reports app route', async () => {
    const report = await scenarioReport('celery-two-apps');
    const found = report.findings.filter((finding) => finding.rule === 'queue-without-worker');
    expect(found.map((finding) => [finding.queue, finding.environment])).toEqual([['reports-slow', 'prod']]);
    const prod = found[0]!;
    expect(prod.location).toEqual({ file: 'web/views.py', line: 15, column: 5 });
    expect(prod.related![0]).toMatchObject({ message: 'Service `reports-worker` in environment `prod` listens to `reports`.' });
    expect(prod.related).toContainEqual({
      message: 'Celery app `reports` sends `reports.tasks.daily_sales` to `reports-slow` (its task_routes).',
      file: 'reports/celery.py',
      line: 11,
    });
  });
});

describe('regex route keys through the whole scan', () => {
  const withRoute = async (route: string) => {
    const key = "re.compile(r'reports\\.tasks\\.(daily|weekly)_\\w+', re.IGNORECASE)";
    const dir = editedScenario('celery-two-apps/reports/celery.py', key, route);
    const { report, stderr } = await runJson(['static', dir]);
    expect(stderr).toBe('');
    const queue = execFileSync(
      PYTHON,
      ['-c', "from celery.app.utils import find_app\nprint(find_app('reports.celery:app').amqp.router.route({}, 'reports.tasks.daily_sales')['queue'].name)"],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    ).trim();
    return { report: report!, queue };
  };

  it('flags joined with | are read as Celery reads them', async () => {
    const { report, queue } = await withRoute("re.compile(r'REPORTS\\.tasks\\.DAILY_\\w+$', re.I | re.A)");
    const daily = report.static!.producers.find((producer) => producer.task === 'reports.tasks.daily_sales')!;
    expect([daily.queue, queue]).toEqual(['reports-slow', 'reports-slow']);
  });

  it('a pattern the matcher does not support is producer-unresolved with the pattern, never a guess', async () => {
    const { report, queue } = await withRoute("re.compile(r'reports\\.tasks\\.(?!export)\\w+')");
    expect(queue).toBe('reports-slow');
    const daily = report.static!.producers.find((producer) => producer.task === 'reports.tasks.daily_sales')!;
    expect(daily.queue).toBeNull();
    expect(daily.expression).toBe("task_routes (task_routes): re.compile(r'reports\\.tasks\\.(?!export)\\w+') is not supported");
    const unresolved = report.findings.filter((finding) => finding.rule === 'producer-unresolved' && finding.location?.line === 15);
    expect(unresolved).toHaveLength(1);
  });
});
