/**
 * Untrusted repositories, item 3 (issue 26): globs from project text match in linear time. supervisord `[include]`
 * globs and Celery `task_routes` glob keys used to become backtracking RegExps (`'******Z'` against a 120-character
 * task name: 13 s; `conf.d/******x.conf` against a long file name: over 30 s); each run below has a deadline that
 * the old matcher misses by far. The matcher is checked against Python's own `fnmatch.fnmatchcase`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globMatcher } from '../../src/glob.js';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const PYTHON = '/usr/bin/python3';
const STARS = '*'.repeat(10);

describe('globMatcher is fnmatch', () => {
  it('agrees with Python fnmatch.fnmatchcase on stars, ?, sets, negated sets, ranges and unclosed brackets', () => {
    const globs = ['*', '*.conf', 'a?c', '[abc]x', '[!abc]x', '[a-c]*', '[]]', '[!]]', '[', 'a[', '[z-a]', 'x*y*z', `${STARS}Z`, 'tasks.*', '*.*.send', '**a**', '[a-]', 'é*'];
    const names = ['', 'a', 'abc', 'ax', 'dx', 'b.conf', ']', '[', 'a[', 'z', 'xayaz', 'xyz', `${'a'.repeat(40)}Z`, 'tasks.email', 'app.mail.send', '-', 'éa', 'x\ny\nz'];
    const pairs = globs.flatMap((glob) => names.map((name) => [glob, name]));
    const python = execFileSync(PYTHON, ['-c', 'import fnmatch, json, sys\nprint(json.dumps([fnmatch.fnmatchcase(n, g) for g, n in json.load(sys.stdin)]))'], {
      input: JSON.stringify(pairs),
      encoding: 'utf8',
    });
    const expected = JSON.parse(python) as boolean[];
    expect(pairs.map(([glob, name]) => globMatcher(glob!)(name!))).toEqual(expected);
  });
});

describe.concurrent('project globs match in linear time (issue 26, item 3)', () => {
  it(`Celery task_routes key '${STARS}Z' against 120-character task names: routed as Celery routes them`, async () => {
    const dir = writeTree(tempDir('rd-glob-'), {
      'app.py': [
        'from celery import Celery',
        '',
        "app = Celery('app', broker='redis://redis:6379/0')",
        `app.conf.task_routes = {'${STARS}Z': {'queue': 'zed'}, 'b*[!x]?.[a-c]*': {'queue': 'bee'}}`,
        '',
        `app.send_task('${'a'.repeat(120)}')`,
        `app.send_task('${'a'.repeat(119)}Z')`,
        "app.send_task('bob.c1')",
        '',
      ].join('\n'),
      'docker-compose.yml': 'services:\n  worker:\n    build: .\n    command: celery -A app worker -Q zed,celery,bee\n',
    });
    const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 15_000 });
    expectRobust(run, 'celery glob route');
    const report = JSON.parse(run.stdout) as { findings: unknown[]; static: { producers: { task?: string; queue: string | null }[] } };
    expect(report.static.producers.map((producer) => [producer.task?.slice(-3), producer.queue])).toEqual([
      ['aaa', 'celery'],
      ['aaZ', 'zed'],
      ['.c1', 'bee'],
    ]);
    expect(report.findings).toEqual([]);
  });

  it(`supervisord [include] files = programs/${STARS}x.conf against a long file name`, async () => {
    const dir = writeTree(tempDir('rd-glob-'), {
      'supervisord.conf': `[supervisord]\n\n[program:web]\ncommand=gunicorn app:wsgi\n\n[include]\nfiles = programs/${STARS}x.conf\n`,
      'programs/workers-x.conf': '[program:worker]\ncommand=rq worker default\n',
      'app/tasks.py': "from rq import Queue\nQueue('default').enqueue('app.jobs.a')\n",
    });
    writeFileSync(join(dir, 'programs', `${'w'.repeat(200)}.conf`), '[program:other]\ncommand=rq worker never-included\n');
    const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 15_000 });
    expectRobust(run, 'supervisord include glob');
    const report = JSON.parse(run.stdout) as { ok: boolean; static: { environments: { files: string[] }[] } };
    expect(report.static.environments.map((environment) => environment.files)).toEqual([['supervisord.conf', 'programs/workers-x.conf']]);
    expect(run.stdout).not.toContain('never-included');
    expect(report.ok).toBe(true);
  });
});
