import { afterAll, describe, expect, it } from 'vitest';
import { mutatedProject, removeTempDirs, writeTree } from './hardening/projects.js';
import { fixture, runCli, runJson } from './helpers/cli.js';

afterAll(removeTempDirs);

/**
 * Shapes real projects have (fixtures/scenarios/real-*): each was a wrong verdict or a misleading finding before.
 * static-scenarios.test.ts checks their verdicts; these check what the findings and consumers say.
 */
const report = async (project: string, args: string[] = []) => {
  const result = await runJson(['static', fixture('scenarios', project), ...args]);
  expect(result.stderr).toBe('');
  return { ...result, report: result.report! };
};
const consumers = (r: Awaited<ReturnType<typeof report>>['report']) => r.static!.consumers.map((c) => [c.environment, c.service, c.queues, c.detectedBy]);

describe('real project shapes (static)', () => {
  it('every docker-compose.<name>.yml is an environment, dots included', async () => {
    const { report: r } = await report('real-compose-dotted-overlay');
    expect(r.static!.environments.map((e) => [e.name, e.files])).toEqual([
      ['default', ['docker-compose.yml']],
      ['prod.aws', ['docker-compose.yml', 'docker-compose.prod.aws.yml']],
      ['staging.eu-west', ['docker-compose.yml', 'docker-compose.staging.eu-west.yml']],
    ]);
    const table = await runCli(['static', fixture('scenarios', 'real-compose-dotted-overlay')]);
    expect(table.stdout).toContain('Queue `high` is enqueued to but no worker in environment `prod.aws` consumes it.');
    const markdown = await runCli(['static', fixture('scenarios', 'real-compose-dotted-overlay'), '--format', 'markdown']);
    expect(markdown.stdout).toContain('no worker in environment `prod.aws` consumes it');
  });

  it('an image-only redis service with the local .env runs none of the code: no connection-mismatch', async () => {
    const { report: r, exitCode } = await report('real-image-only-redis');
    expect(r.findings).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('a Procfile with the platform\'s $REDIS_URL: the queues after it are read, and fix appends only the missing one', async () => {
    const { report: r } = await report('real-flask-procfile');
    expect(consumers(r)).toEqual([['default', 'worker', ['high', 'default'], 'rq worker']]);
    expect(r.findings.map((f) => [f.rule, f.queue])).toEqual([['queue-without-worker', 'low']]);
    const fix = await runCli(['fix', fixture('scenarios', 'real-flask-procfile')]);
    expect(fix.stdout.split('\n').filter((line) => /^[-+][^-+]/.test(line))).toEqual([
      '-worker: rq worker --url $REDIS_URL high default',
      '+worker: rq worker --url $REDIS_URL high default low',
    ]);
  });

  it('newrelic-admin and an unknown wrapper before celery: both workers recognised', async () => {
    const { report: r } = await report('real-procfile-newrelic-celery');
    expect(consumers(r)).toEqual([
      ['default', 'worker', ['default', 'pushlog', 'notifications'], 'celery worker'],
      ['default', 'reports', ['reports'], 'celery worker (after `with-ssm-secrets`, a command the doctor does not know)'],
    ]);
  });

  it('a worker behind ./bin/start-worker.sh is read from the script, pointing at its line', async () => {
    const { report: r } = await report('real-compose-script-worker');
    const worker = r.static!.consumers.find((c) => c.service === 'worker')!;
    expect(worker).toMatchObject({ queues: ['high', 'default'], detectedBy: 'rq worker (in bin/start-worker.sh)', location: { file: 'bin/start-worker.sh', line: 6 } });
    const mail = r.findings.find((f) => f.rule === 'queue-without-worker')!;
    expect(mail.hint).toBe('Add `mail` to the queues in the command of service `worker` in bin/start-worker.sh:6.');
  });

  it('a worker the doctor cannot read is named with its command; no hint says to add a worker service', async () => {
    const { report: r } = await report('real-compose-unread-worker');
    const [finding] = r.findings;
    expect(finding!.hint).toContain('If service `worker` consumes `default`, make its queues readable at docker-compose.yml:9');
    expect(finding!.hint).toContain('--queue-var NAME');
    expect(finding!.related![0]).toMatchObject({
      message: 'Service `worker` runs `./bin/start-worker.sh`, which the doctor cannot read as a worker (no worker program with its queues found in it).',
      file: 'docker-compose.yml',
      line: 9,
    });
    expect(JSON.stringify(r.findings)).not.toMatch(/add a worker service/i);
    const fix = await runJson(['fix', fixture('scenarios', 'real-compose-unread-worker')]);
    const plan = JSON.parse(fix.stdout) as { skipped: { reason: string; decide: string }[] };
    expect(plan.skipped[0]!.reason).toBe('service `worker` runs `./bin/start-worker.sh`, whose queues the doctor cannot read');
    expect(plan.skipped[0]!.decide).not.toMatch(/add a worker service/i);
  });

  it('Django split settings: settings.CELERY_ROUTES and CELERY_TASK_ROUTES behind a star import are the routes', async () => {
    for (const project of ['real-django-split-settings', 'real-django-split-settings-namespace']) {
      const { report: r } = await report(project);
      expect(r.findings.map((f) => [f.rule, f.queue, f.location?.file, f.location?.line]), project).toEqual([['queue-without-worker', 'exports', 'shop/views.py', 10]]);
      expect(r.static!.producers.map((p) => p.queue).sort(), project).toEqual(['default', 'emails', 'exports']);
      expect(r.static!.producers.map((p) => [p.task, p.routedBy]), project).toEqual([
        ['shop.tasks.send_invoice', 'route'],
        ['shop.tasks.recalculate_stock', 'default'],
        ['shop.tasks.export_orders', 'route'],
      ]);
    }
  });

  it('DJANGO_SETTINGS_MODULE set by the deployment wins over the entry points', async () => {
    // The services run settings.production, which routes the exports to `default` (star-importing common).
    const compose = [
      'services:',
      '  web:',
      '    build: .',
      '    command: gunicorn config.wsgi:application',
      '    environment:',
      '      DJANGO_SETTINGS_MODULE: settings.production',
      '  worker:',
      '    build: .',
      '    command: celery -A config worker -Q default,emails',
      '    environment:',
      '      DJANGO_SETTINGS_MODULE: settings.production',
      '',
    ].join('\n');
    const dir = mutatedProject('scenarios/real-django-split-settings/docker-compose.yml', Buffer.from(compose));
    writeTree(dir, { 'settings/production.py': 'from settings.common import *\n\nCELERY_ROUTES = {"shop.tasks.send_invoice": {"queue": "emails"}}\n' });
    const result = await runJson(['static', dir]);
    expect(result.report!.findings).toEqual([]);
    const entryPoints = await runJson(['static', fixture('scenarios', 'real-django-split-settings')]);
    expect(entryPoints.report!.findings.map((f) => f.queue)).toEqual(['exports']);
  });

  it('django-rq get_scheduler(...).enqueue_at/enqueue_in/cron enqueue; a queue only used for fetch_job is not the location', async () => {
    const { report: r } = await report('real-django-rq-scheduler');
    const sites = r.static!.producers.map((p) => [p.queue, p.location.file, p.via ?? null]);
    expect(sites).toEqual(
      expect.arrayContaining([
        ['default', 'billing/tasks.py', 'enqueue_in'],
        ['reports', 'reports/schedule.py', 'enqueue_at'],
        ['reports', 'reports/schedule.py', 'cron'],
      ]),
    );
    const [finding] = r.findings;
    expect(finding!.location).toEqual({ file: 'reports/schedule.py', line: 10, column: 5 });
  });

  it('a deployment repository with workers and no code: static-no-producers (warning), not OK', async () => {
    const { report: r, exitCode } = await report('real-deploy-repo-no-code');
    expect(exitCode).toBe(0);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: 'static-no-producers', severity: 'warning', location: { file: 'docker-compose.yml', line: 6 } });
    expect(r.findings[0]!.message).toBe(
      'Worker service `worker` found, but the project dir holds no Python or TypeScript/JavaScript source file (tests and ignored files are not scanned), so no queue could be checked.',
    );
    expect(r.findings[0]!.hint).toContain('--queue');
    const failing = await runCli(['static', fixture('scenarios', 'real-deploy-repo-no-code'), '--fail-on', 'warning']);
    expect(failing.exitCode).toBe(1);
    // Declared queues are something to judge: the warning gives way to the queues' own findings.
    const declared = await report('real-deploy-repo-no-code', ['--queue', 'high', '--queue', 'default']);
    expect(declared.report.findings).toEqual([]);
  });

  it('a hint names the place fix changes: the .env line a compose ${VAR} interpolates', async () => {
    const { report: r } = await report('interpolation-dotenv');
    const finding = r.findings.find((f) => f.rule === 'queue-without-worker')!;
    const fix = await runJson(['fix', fixture('scenarios', 'interpolation-dotenv')]);
    const plan = JSON.parse(fix.stdout) as { fixes: { description: string }[] };
    expect(finding.hint).toMatch(/^Add `default` to `WORKER_QUEUES` in \.env:2 /);
    expect(plan.fixes[0]!.description).toContain('`WORKER_QUEUES` in .env:2');
  });
});
