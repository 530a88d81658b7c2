import { describe, expect, it } from 'vitest';
import { memoryFileSystem } from '../../src/fs.js';
import type { DeploymentService } from '../../src/model.js';
import { detectWorker, type WorkerContext } from '../../src/workers/index.js';

/** A service of the source-neutral model running `argv`, its environment set at docker-compose.yml:9. */
function service(argv: string[], environment: Record<string, string> = {}): DeploymentService {
  const file = 'docker-compose.yml';
  return {
    name: 'worker',
    location: { file, line: 3, column: 3 },
    command: { argv, location: { file, line: 5, column: 14 } },
    environment: Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, { value, location: { file, line: 9, column: 7 }, unsetVariables: [] }])),
    profiles: [],
    code: { roots: [''] },
  };
}

const context = (files: Record<string, string> = {}): WorkerContext => ({
  fs: memoryFileSystem(Object.fromEntries(Object.entries(files).map(([name, text]) => [`/p/${name}`, text]))),
  root: '/p',
  queueVariables: ['RQ_QUEUES'],
  sourceFiles: Object.keys(files),
});
const shell = (line: string) => ['sh', '-c', line];

const SIDEKIQ_YML = { 'config/sidekiq.yml': ':queues:\n  - default\nproduction:\n  :queues:\n    - default\n    - mailers\nstaging:\n  :queues:\n    - staging_only\n' };
const PRODUCTION = ['default', 'mailers'];
const DEVELOPMENT = ['default'];

describe('a command’s own assignments reach its program (POSIX: for that command only)', () => {
  it.each([
    ['RAILS_ENV=production bundle exec sidekiq', {}, PRODUCTION],
    ['RACK_ENV=production bundle exec sidekiq', {}, PRODUCTION],
    ['RAILS_ENV=$DEPLOY_ENV bundle exec sidekiq', { DEPLOY_ENV: 'production' }, PRODUCTION],
    ['RAILS_ENV="${DEPLOY_ENV:-production}" exec bundle exec sidekiq', {}, PRODUCTION],
    ['RAILS_ENV=production bundle exec sidekiq', { RAILS_ENV: 'staging' }, PRODUCTION],
    ['env RAILS_ENV=production bundle exec sidekiq', {}, PRODUCTION],
    ['exec env -i PATH=/usr/bin RAILS_ENV=production bundle exec sidekiq', { RAILS_ENV: 'staging' }, PRODUCTION],
    ['env -u RAILS_ENV bundle exec sidekiq', { RAILS_ENV: 'staging' }, DEVELOPMENT],
    ['env -uRAILS_ENV bundle exec sidekiq', { RAILS_ENV: 'staging' }, DEVELOPMENT],
    ['env --unset=RAILS_ENV bundle exec sidekiq', { RAILS_ENV: 'staging' }, DEVELOPMENT],
    ['env -i bundle exec sidekiq', { RAILS_ENV: 'staging' }, DEVELOPMENT],
    ['env - bundle exec sidekiq', { RAILS_ENV: 'staging' }, DEVELOPMENT],
    ['env -iu X RAILS_ENV=production bundle exec sidekiq', { RAILS_ENV: 'staging' }, PRODUCTION],
    ['env -C /app RAILS_ENV=production bundle exec sidekiq', {}, PRODUCTION],
    // An earlier command's assignment is the shell's variable, not the program's environment; an export is both.
    ['RAILS_ENV=production; bundle exec sidekiq', {}, DEVELOPMENT],
    ['export RAILS_ENV=production; exec bundle exec sidekiq', {}, PRODUCTION],
    // The assignment applies to its own command only.
    ['RAILS_ENV=production true && bundle exec sidekiq', {}, DEVELOPMENT],
    // Nested: the inner shell sees what the outer command gave it.
    ["env RAILS_ENV=production sh -c 'exec bundle exec sidekiq'", {}, PRODUCTION],
    ["RAILS_ENV=staging sh -c 'RAILS_ENV=production exec bundle exec sidekiq'", {}, PRODUCTION],
    ["RAILS_ENV=production sh -c 'env -u RAILS_ENV bundle exec sidekiq'", {}, DEVELOPMENT],
  ])('%s (service env %j)', (line, environment, queues) => {
    expect(detectWorker(service(shell(line), environment), context(SIDEKIQ_YML))?.queues).toEqual(queues);
  });

  it('the words of the same command still expand against the variables before the assignment (POSIX order)', () => {
    // `Q=high rq worker $Q`: the shell expands `$Q` before Q is set for rq.
    expect(detectWorker(service(shell('Q=high rq worker $Q'), { Q: 'low' }), context())?.queues).toEqual(['low']);
  });

  it('a Python worker script reads the queue variable its command sets, located at the command', () => {
    const files = { 'worker.py': "import os\nfrom rq import Worker\nqueues = os.environ.get('RQ_QUEUES', 'default').split(',')\nWorker(queues).work()\n" };
    const detected = detectWorker(service(shell('RQ_QUEUES=mail,reports python worker.py')), context(files));
    expect(detected).toMatchObject({ queues: ['mail', 'reports'], queueSource: 'environment', variable: 'RQ_QUEUES', location: { file: 'docker-compose.yml', line: 5, column: 14 } });
    expect(detectWorker(service(shell('python worker.py')), context(files))).toMatchObject({ queues: ['default'], queueSource: 'code-default' });
  });

  it('an assigned value naming a variable the service does not set is unknown (queue-var-unset), not a queue', () => {
    const files = { 'worker.py': "import os\nfrom rq import Worker\nWorker(os.environ['RQ_QUEUES'].split(',')).work()\n" };
    expect(detectWorker(service(shell('RQ_QUEUES=$QUEUES python worker.py')), context(files))).toMatchObject({ variable: 'RQ_QUEUES', unsetVariables: ['QUEUES'] });
  });

  it('a Sidekiq ERB read sees the command’s assignment', () => {
    const files = { 'config/sidekiq.yml': ":queues:\n  - <%= ENV.fetch('SIDEKIQ_QUEUE', 'default') %>\n" };
    expect(detectWorker(service(shell('SIDEKIQ_QUEUE=mailers bundle exec sidekiq')), context(files))?.queues).toEqual(['mailers']);
  });

  it('without a shell (compose, Kubernetes, systemd, supervisord, fly.toml exec forms) `A=1` is the program: nothing the doctor can read runs', () => {
    expect(detectWorker(service(['RAILS_ENV=production', 'bundle', 'exec', 'sidekiq']), context(SIDEKIQ_YML))).toBeNull();
    expect(detectWorker(service(['nohup', 'RQ_QUEUES=high', 'rq', 'worker']), context())).toBeNull();
    // `env` is a program: it works in every exec form.
    expect(detectWorker(service(['env', 'RAILS_ENV=production', 'bundle', 'exec', 'sidekiq']), context(SIDEKIQ_YML))?.queues).toEqual(PRODUCTION);
  });

  it('env -S (one word split into a new command line) is not followed', () => {
    expect(detectWorker(service(['env', '-S', 'rq worker high']), context())).toBeNull();
  });
});
