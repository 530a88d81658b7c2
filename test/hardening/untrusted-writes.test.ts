/**
 * Untrusted repositories, items 5 and 6 (issue 26): what the doctor writes.
 *
 * `fix` used to come back with a Latin-1 file's every non-ASCII byte replaced by U+FFFD (unrelated lines included),
 * edited a value another service shares through a YAML alias, and left the edited file owned by root. Now a file
 * that is not UTF-8 and an aliased value are refused with the reason (the file untouched, byte for byte), and an
 * edited file keeps its owner and mode.
 *
 * `--output` used to replace a device or a symlink's target, follow a symlink planted at its fixed temp name and
 * leave temp files next to a directory target. Now a symlink, directory or device target is exit 2 in every format,
 * before any work, and a regular file is replaced through an exclusively created temp file that never stays behind.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FORMAT_NAMES } from '../../src/report/index.js';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const TASKS = "from rq import Queue\nQueue('default').enqueue('app.jobs.a')\nQueue('high').enqueue('app.jobs.b')\n";
/** A worker by its RQ_QUEUES only (no command), which `fix` edits to add `default`. */
const COMPOSE_ENV_FILE = 'services:\n  worker:\n    image: app\n    env_file: worker.env\n';

describe.concurrent('fix changes nothing beyond its edit (issue 26, item 5)', () => {
  it('a Latin-1 env file is refused, not rewritten with U+FFFD', async () => {
    const latin1 = Buffer.from('# caf\xe9 \xe0 la cr\xe8me\nRQ_QUEUES=high\n', 'latin1');
    const dir = writeTree(tempDir('rd-fix-'), { 'docker-compose.yml': COMPOSE_ENV_FILE, 'worker.env': latin1, 'app/tasks.py': TASKS });
    const run = await runBounded(['fix', dir, '--write']);
    expectRobust(run, 'latin1 fix');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('worker.env is not valid UTF-8. Decide whether to convert it to UTF-8');
    expect(readFileSync(join(dir, 'worker.env'))).toEqual(latin1);
  });

  it('a value shared through a YAML alias is refused with the reason; the file is untouched', async () => {
    const compose = 'services:\n  worker:\n    image: app\n    environment:\n      RQ_QUEUES: &q high\n  web:\n    image: app\n    environment:\n      ALLOWED_HOSTS: *q\n';
    const dir = writeTree(tempDir('rd-fix-'), { 'docker-compose.yml': compose, 'app/tasks.py': TASKS });
    const run = await runBounded(['fix', dir, '--write', '--format', 'json']);
    expectRobust(run, 'alias fix');
    const result = JSON.parse(run.stdout) as { fixes: unknown[]; skipped: { queue: string; reason: string }[] };
    expect(result.fixes).toEqual([]);
    expect(result.skipped.map((skip) => [skip.queue, skip.reason])).toEqual([
      ['default', 'RQ_QUEUES in docker-compose.yml:5: the value is anchored as &q and repeated through *q elsewhere, so editing it would change that place too'],
    ]);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(compose);
  });

  it('an edited file keeps its owner and mode', async () => {
    const dir = writeTree(tempDir('rd-fix-'), { 'docker-compose.yml': COMPOSE_ENV_FILE, 'worker.env': '# café\nRQ_QUEUES=high\n', 'app/tasks.py': TASKS });
    const envFile = join(dir, 'worker.env');
    chmodSync(envFile, 0o640);
    // Root runs the suite in CI containers: a file owned by someone else must stay theirs.
    const owner = process.getuid?.() === 0 ? { uid: 4242, gid: 4343 } : { uid: statSync(envFile).uid, gid: statSync(envFile).gid };
    chownSync(envFile, owner.uid, owner.gid);
    const run = await runBounded(['fix', dir, '--write']);
    expectRobust(run, 'owner fix');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toBe('# café\nRQ_QUEUES=high,default\n');
    const after = statSync(envFile);
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([owner.uid, owner.gid, 0o640]);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
  });
});

describe.concurrent('--output writes a regular file only (issue 26, item 6)', () => {
  const project = () => writeTree(tempDir('rd-out-'), { 'docker-compose.yml': 'services:\n  worker:\n    image: app\n    command: rq worker default high\n', 'app/tasks.py': TASKS });

  it(`a symlink target is refused in every format (${FORMAT_NAMES.join(', ')}); its target is untouched`, async () => {
    const dir = project();
    const outside = writeTree(tempDir('rd-out-target-'), { 'precious.txt': 'keep me\n' });
    const link = join(dir, 'report.out');
    symlinkSync(join(outside, 'precious.txt'), link);
    for (const format of FORMAT_NAMES) {
      const run = await runBounded(['static', dir, '--format', format, '--output', link]);
      expectRobust(run, `symlink --output (${format})`);
      expect(run.exitCode, `${format}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toBe(`receipts-doctor: --output ${link} is a symlink (only a regular file is written); refused.`);
    }
    expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('keep me\n');
  });

  it('a directory or a device target is refused; nothing is left in the directory', async () => {
    const dir = project();
    const target = join(dir, 'out');
    mkdirSync(target);
    for (const format of ['json', 'openmetrics']) {
      const run = await runBounded(['static', dir, '--format', format, '--output', target]);
      expectRobust(run, `directory --output (${format})`);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/--output \S+ is a directory; refused\.$/);
      const device = await runBounded(['static', dir, '--format', format, '--output', '/dev/null']);
      expectRobust(device, `device --output (${format})`);
      expect(device.exitCode).toBe(2);
      expect(device.stderr).toBe('receipts-doctor: --output /dev/null is not a regular file (a device, FIFO or socket); refused.');
    }
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['app', 'docker-compose.yml', 'out']);
  });

  it('a regular file is replaced (mode kept) through a temp file that does not stay; a planted old-style temp name is not followed', async () => {
    const dir = project();
    const outside = writeTree(tempDir('rd-out-target-'), { 'precious.txt': 'keep me\n' });
    const output = join(dir, 'metrics.prom');
    writeFileSync(output, 'old\n');
    chmodSync(output, 0o640);
    // The temp name the old writer used: a symlink there was followed to its target.
    for (const pid of Array.from({ length: 64 }, (_, i) => i + 1)) symlinkSync(join(outside, 'precious.txt'), `${output}.tmp-${pid}`);
    for (const format of ['openmetrics', 'json']) {
      const run = await runBounded(['static', dir, '--format', format, '--output', output]);
      expectRobust(run, `regular --output (${format})`);
      expect(run.exitCode).toBe(0);
      expect(statSync(output).isFile()).toBe(true);
      expect(statSync(output).mode & 0o7777).toBe(0o640);
      expect(readFileSync(output, 'utf8')).toContain(format === 'json' ? '"tool": "receipts-doctor"' : 'receipts_doctor_');
    }
    expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir).filter((name) => name.includes('receipts-doctor'))).toEqual([]);
  });
});
