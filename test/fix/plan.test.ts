import { describe, expect, it } from 'vitest';
import { applyEdits, unifiedDiff } from '../../src/fix/diff.js';
import { expectOnlyEditedSpan, planIn, producer } from './helpers.js';

const worker = (environment: string) => `services:\n  worker:\n    image: app\n    command: python -m worker\n    environment:\n${environment}`;

describe('fix plans the smallest edit where the value is decided', () => {
  it.each([
    ['map, plain', '      RQ_QUEUES: high,low\n', '      RQ_QUEUES: high,low,default\n'],
    ['map, double quotes', '      RQ_QUEUES: "high, low"  # keep\n', '      RQ_QUEUES: "high, low, default"  # keep\n'],
    ['map, single quotes', "      RQ_QUEUES: 'high low'\n", "      RQ_QUEUES: 'high low default'\n"],
    ['list, plain', '      - RQ_QUEUES=high\n', '      - RQ_QUEUES=high,default\n'],
    ['list, quoted', '      - "RQ_QUEUES=high"\n', '      - "RQ_QUEUES=high,default"\n'],
    ['map, empty', '      RQ_QUEUES: ""\n', '      RQ_QUEUES: "default"\n'],
    ['flow map', '      {REDIS_URL: "redis://r", RQ_QUEUES: "high"}\n', '      {REDIS_URL: "redis://r", RQ_QUEUES: "high,default"}\n'],
  ])('%s', async (_label, entry, fixed) => {
    const compose = worker(entry);
    const result = await planIn({ 'docker-compose.yml': compose, 'app.py': producer('default') });
    expect(result.skipped).toEqual([]);
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]!.updated).toBe(worker(fixed));
    expect(result.remaining).toEqual([]);
  });

  it('keeps CRLF line endings, comments, anchors and key order byte for byte', async () => {
    const compose = [
      '# top comment',
      'x-env: &env',
      '  REDIS_URL: redis://redis:6379/0   # url',
      'services:',
      '  worker:',
      '    image: app',
      '    command: python -m worker',
      '    environment:',
      '      <<: *env',
      "      RQ_QUEUES: 'high'   # the queues",
      '',
    ].join('\r\n');
    const result = await planIn({ 'docker-compose.yml': compose, 'app.py': producer('default') });
    const change = result.changes[0]!;
    expect(change.updated).toBe(compose.replace("'high'", "'high,default'"));
    expectOnlyEditedSpan(change.original, change.updated, result.fixes[0]!.edits);
    expect(change.diff).toContain("-      RQ_QUEUES: 'high'   # the queues\r\n+      RQ_QUEUES: 'high,default'   # the queues\r\n");
  });

  it('adds the queue to the .env line an interpolated value comes from', async () => {
    const result = await planIn({
      'docker-compose.yml': worker('      RQ_QUEUES: ${QUEUES}\n'),
      '.env': 'export QUEUES="high" # comment\n',
      'app.py': producer('default'),
    });
    expect(result.changes.map((change) => [change.file, change.updated])).toEqual([['.env', 'export QUEUES="high,default" # comment\n']]);
  });

  it('edits the default written in the file when the variable is unset', async () => {
    const result = await planIn({ 'docker-compose.yml': worker('      RQ_QUEUES: ${QUEUES:-high}\n'), 'app.py': producer('default') });
    expect(result.changes[0]!.updated).toBe(worker('      RQ_QUEUES: ${QUEUES:-high,default}\n'));
  });

  it('leaves a value from --var or the shell alone and says why', async () => {
    const files = { 'docker-compose.yml': worker('      RQ_QUEUES: ${QUEUES}\n'), 'app.py': producer('default') };
    const fromVar = await planIn(files, { vars: { QUEUES: 'high' } });
    expect(fromVar.changes).toEqual([]);
    expect(fromVar.skipped[0]!.reason).toContain('`QUEUES` is set with --var');
    const fromShell = await planIn(files, { shellEnv: { QUEUES: 'high' } });
    expect(fromShell.skipped[0]!.reason).toContain('`QUEUES` comes from the shell environment');
  });

  it('leaves a .env variable that another service also uses alone', async () => {
    const compose = `${worker('      RQ_QUEUES: ${QUEUES}\n')}  api:\n    image: app\n    command: gunicorn app\n    environment:\n      LISTED: $QUEUES\n`;
    const result = await planIn({ 'docker-compose.yml': compose, '.env': 'QUEUES=high\n', 'app.py': producer('default') });
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toBe('`QUEUES` is also used at docker-compose.yml:11');
  });

  it('leaves a value that an anchor shares between two workers alone', async () => {
    const compose = [
      'x-env: &env',
      '  RQ_QUEUES: high',
      'services:',
      '  worker:',
      '    image: app',
      '    command: python -m worker',
      '    environment: *env',
      '  worker-2:',
      '    image: app',
      '    profiles: [later]',
      '    command: python -m worker',
      '    environment: *env',
      '',
    ].join('\n');
    const result = await planIn({ 'docker-compose.yml': compose, 'app.py': producer('default') });
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toBe(
      'RQ_QUEUES in docker-compose.yml:2 also sets the queues of service `worker-2` in environment `default`, which does not need `default` there',
    );
  });

  it('leaves a base file line alone when another environment it configures does not need the queue', async () => {
    const base = 'services:\n  worker:\n    image: app\n    command: python -m worker\n    environment:\n      RQ_QUEUES: high\n';
    const prod = 'services:\n  other:\n    image: app\n    command: rq worker default\n    deploy:\n      replicas: 1\n';
    const result = await planIn({ 'docker-compose.yml': base, 'docker-compose.prod.yml': prod, 'app.py': producer('default') });
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toContain('also sets the queues of service `worker` in environment `prod`');
  });

  it.each([
    ['string', 'rq worker high --with-scheduler', 'rq worker high default --with-scheduler'],
    ['sh -c', 'sh -c "exec rq worker high"', 'sh -c "exec rq worker high default"'],
    ['flow list', '["rq", "worker", "high"]', '["rq", "worker", "high", "default"]'],
    ['celery -Q', 'celery -A app worker -Q high,low -c 2', 'celery -A app worker -Q high,low,default -c 2'],
    ['celery list', "['celery', 'worker', '-Q', 'high']", "['celery', 'worker', '-Q', 'high,default']"],
    // The syntax is the program's (its WorkerProgram entry), not guessed from how the report labels the command.
    ['python -m celery', 'python -m celery -A app worker -Q high', 'python -m celery -A app worker -Q high,default'],
  ])('command: %s', async (_label, command, fixed) => {
    const compose = (value: string) => `services:\n  worker:\n    image: app\n    command: ${value}\n`;
    const result = await planIn({ 'docker-compose.yml': compose(command), 'app.py': producer('default') });
    expect(result.skipped).toEqual([]);
    expect(result.changes[0]!.updated).toBe(compose(fixed));
  });

  it('command: a block list gets a new item line in the same style', async () => {
    const compose = 'services:\n  worker:\n    image: app\n    command:\n      - rq\n      - worker\n      - "high"  # first\n    restart: always\n';
    const result = await planIn({ 'docker-compose.yml': compose, 'app.py': producer('default') });
    expect(result.changes[0]!.updated).toBe(compose.replace('  # first\n', '  # first\n      - "default"\n'));
  });

  it('a second run changes nothing (idempotent)', async () => {
    const compose = worker('      RQ_QUEUES: high\n');
    const first = await planIn({ 'docker-compose.yml': compose, 'app.py': producer('default') });
    const second = await planIn({ 'docker-compose.yml': first.changes[0]!.updated, 'app.py': producer('default') });
    expect(second.fixes).toEqual([]);
    expect(second.changes).toEqual([]);
    expect(second.skipped).toEqual([]);
  });
});

describe('unified diff', () => {
  it('marks a last line without a newline', () => {
    const text = 'a\nb\nc';
    const edits = [{ file: 'f', start: 5, end: 5, text: 'd' }];
    expect(applyEdits(text, edits)).toBe('a\nb\ncd');
    expect(unifiedDiff('f', text, edits)).toBe('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+cd\n\\ No newline at end of file\n');
  });

  it('shows control characters of a hostile file escaped', () => {
    const text = 'K: v\x1b[2J\n';
    expect(unifiedDiff('f', text, [{ file: 'f', start: 4, end: 4, text: ',x' }])).toContain('+K: v,x\\x1b[2J\n');
  });
});
