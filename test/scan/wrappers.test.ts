import { describe, expect, it } from 'vitest';
import { memoryFileSystem } from '../../src/fs.js';
import type { DeploymentService } from '../../src/model.js';
import { parseShell } from '../../src/shell-words.js';
import { detectWorker, unreadWorkers, type WorkerContext } from '../../src/workers/index.js';

/** A service of the source-neutral model (as a Procfile or compose gives it), running `argv`. */
function service(argv: string[], options: { name?: string; environment?: Record<string, string>; roots?: string[] } = {}): DeploymentService {
  const file = 'docker-compose.yml';
  return {
    name: options.name ?? 'worker',
    location: { file, line: 3, column: 3 },
    command: { argv, location: { file, line: 5, column: 14 } },
    environment: Object.fromEntries(
      Object.entries(options.environment ?? {}).map(([key, value]) => [key, { value, location: { file, line: 9, column: 7 }, unsetVariables: [] }]),
    ),
    profiles: [],
    code: { roots: options.roots ?? [''] },
  };
}

const context = (files: Record<string, string> = {}): WorkerContext => ({ fs: memoryFileSystem(Object.fromEntries(Object.entries(files).map(([name, text]) => [`/p/${name}`, text]))), root: '/p', queueVariables: ['RQ_QUEUES'] });
const shell = (line: string) => ['sh', '-c', line];

describe('process wrappers before a worker program', () => {
  it.each([
    ['newrelic-admin run-program celery --app=proj worker -Q default,pushlog', ['default', 'pushlog']],
    ['ddtrace-run celery -A proj worker -Q mail', ['mail']],
    ['opentelemetry-instrument --traces_exporter otlp --service_name=shop rq worker high low', ['high', 'low']],
    ['gosu app rq worker high', ['high']],
    ['su-exec app:app rq worker high', ['high']],
    ['chpst -u app -n 5 rq worker high', ['high']],
    ['setpriv --reuid=app --regid=app --init-groups rq worker high', ['high']],
    ['s6-setuidgid app rq worker high', ['high']],
    ['nice -n 10 rq worker high', ['high']],
    ['nice -10 rq worker high', ['high']],
    ['ionice -c 2 -n 7 rq worker high', ['high']],
    ['timeout --signal=TERM -k 30s 1h rq worker high', ['high']],
    ['timeout 3600 celery -A proj worker -Q reports', ['reports']],
    ['watchmedo auto-restart --directory=./ --pattern=*.py --recursive -- celery -A proj worker -Q dev', ['dev']],
    ['bundle exec rq worker high', ['high']],
    ['exec tini -- gosu app nice -n 5 rq worker high', ['high']],
  ])('%s', (line, queues) => {
    const detected = detectWorker(service(shell(line)), context());
    expect(detected?.queues).toEqual(queues);
    expect(detected?.detectedBy).not.toContain('does not know');
  });

  it('finds a known worker program after a word it does not know, and says so', () => {
    const detected = detectWorker(service(shell('with-ssm-secrets --path /prod/reports celery -A proj worker -Q reports')), context());
    expect(detected).toMatchObject({ queues: ['reports'], detectedBy: 'celery worker (after `with-ssm-secrets`, a command the doctor does not know)' });
  });

  it('a wrapper word alone, or an unknown program with no worker after it, is no worker', () => {
    expect(detectWorker(service(shell('gosu app')), context())).toBeNull();
    expect(detectWorker(service(shell('my-runner --queues high')), context())).toBeNull();
  });
});

describe('variables the file does not set', () => {
  it('stay one word, never empty: the words after them keep their places', () => {
    const [words] = parseShell('rq worker --url $REDIS_URL high default', { operators: true, expand: () => undefined });
    expect(words!.map((word) => word.value)).toEqual(['rq', 'worker', '--url', '$REDIS_URL', 'high', 'default']);
    expect(words![3]).toMatchObject({ unknown: ['REDIS_URL'] });
    const [braced] = parseShell('celery worker -Q "${QUEUES}" -l info', { operators: true, expand: () => undefined });
    expect(braced!.map((word) => word.value)).toEqual(['celery', 'worker', '-Q', '${QUEUES}', '-l', 'info']);
  });

  it('a default given in the text still applies, and a set variable still splits', () => {
    const [words] = parseShell('rq worker ${Q:-high low} $SET', { operators: true, expand: (name) => (name === 'SET' ? 'a b' : undefined) });
    expect(words!.map((word) => word.value)).toEqual(['rq', 'worker', 'high', 'low', 'a', 'b']);
    expect(words!.some((word) => word.unknown)).toBe(false);
  });

  it('a Procfile line with the platform\'s $REDIS_URL listens to the queues after it', () => {
    expect(detectWorker(service(shell('rq worker --url $REDIS_URL high default')), context())).toMatchObject({ queues: ['high', 'default'], queueSource: 'command' });
  });
});

describe('project shell scripts a service runs', () => {
  const script = ['#!/bin/sh', 'set -e', '# wait for the database', 'python manage.py wait_for_db', 'QUEUES="high default"', 'exec rq worker --url "$REDIS_URL" $QUEUES', ''].join('\n');

  it('are followed, with their own assignments, and the consumer points at the line', () => {
    const detected = detectWorker(service(['./bin/start-worker.sh']), context({ 'bin/start-worker.sh': script }));
    expect(detected).toMatchObject({
      queues: ['high', 'default'],
      detectedBy: 'rq worker (in bin/start-worker.sh)',
      location: { file: 'bin/start-worker.sh', line: 6 },
    });
  });

  it('under `sh script.sh`, an absolute path in the container, and a script calling a script', () => {
    const files = { 'scripts/worker.sh': script, 'bin/entry': '#!/usr/bin/env bash\nexec /app/scripts/worker.sh\n' };
    expect(detectWorker(service(['sh', 'scripts/worker.sh']), context(files))?.queues).toEqual(['high', 'default']);
    expect(detectWorker(service(['/app/bin/entry']), context(files))?.queues).toEqual(['high', 'default']);
  });

  it('the service environment applies inside the script', () => {
    const files = { 'run.sh': 'exec celery -A proj worker -Q "$WORKER_QUEUES"\n' };
    expect(detectWorker(service(['./run.sh'], { environment: { WORKER_QUEUES: 'mail,reports' } }), context(files))?.queues).toEqual(['mail', 'reports']);
  });

  it('a file that is no shell script is not followed, and scripts calling themselves stop', () => {
    expect(detectWorker(service(['./bin/worker']), context({ 'bin/worker': 'rq worker high\n' }))).toBeNull();
    const loop = { 'a.sh': 'exec ./b.sh\n', 'b.sh': 'exec ./a.sh\n' };
    expect(detectWorker(service(['./a.sh']), context(loop))).toBeNull();
  });

  it('a worker still unread is named, by its name or its script, with its command', () => {
    const services = [
      service(['./bin/start-worker.sh'], { name: 'jobs' }),
      service(['./bin/start-web.sh'], { name: 'web' }),
      service(shell('exec /opt/runner --queues mail'), { name: 'mail-worker' }),
    ];
    expect(unreadWorkers([{ name: 'default', services }], [])).toEqual([
      { environment: 'default', service: 'jobs', command: './bin/start-worker.sh', location: { file: 'docker-compose.yml', line: 5, column: 14 } },
      { environment: 'default', service: 'mail-worker', command: 'exec /opt/runner --queues mail', location: { file: 'docker-compose.yml', line: 5, column: 14 } },
    ]);
  });
});
