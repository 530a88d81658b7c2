import { describe, expect, it } from 'vitest';
import { composeService } from '../../src/sources/compose/adapter.js';
import type { EnvEntry } from '../../src/sources/compose/model.js';
import type { DeploymentService } from '../../src/model.js';
import { memoryFileSystem } from '../../src/fs.js';
import { readSidekiqYaml } from '../../src/frameworks/sidekiq/worker-program.js';
import { detectWorker, type WorkerContext } from '../../src/workers/index.js';

const compose = 'docker-compose.yml';

function service(command: string, environment: Record<string, string> = {}): DeploymentService {
  const env: Record<string, EnvEntry> = Object.fromEntries(
    Object.entries(environment).map(([key, value], index) => [key, { value, location: { file: compose, line: 10 + index, column: 7 }, source: 'environment', unsetVariables: [] }]),
  );
  return composeService({ name: 'sidekiq', location: { file: compose, line: 3, column: 3 }, environment: env, profiles: [], command: { value: command, location: { file: compose, line: 5, column: 14 } } }, []);
}

const context = (files: Record<string, string> = {}): WorkerContext => ({
  fs: memoryFileSystem(Object.fromEntries(Object.entries(files).map(([file, text]) => [`/p/${file}`, text]))),
  root: '/p',
  queueVariables: ['RQ_QUEUES'],
  sourceFiles: [],
});

const YAML = `:concurrency: 5
:queues:
  - default
production:
  :queues:
    - [critical, 3]
    - [default, 1]
    - :mailers
staging:
  queues:
    - staging_only
`;

describe('sidekiq command lines (Sidekiq::CLI#option_parser, 6.4)', () => {
  it('takes `-q name[,weight]` (repeated, every spelling) in order, each name once, over the config file', () => {
    const result = detectWorker(service('bundle exec sidekiq -c 5 -q critical,4 --queue default,2 -qlow --queue=mailers -e production'), context({ 'config/sidekiq.yml': YAML }));
    expect(result).toMatchObject({ queues: ['critical', 'default', 'low', 'mailers'], queueSource: 'command', detectedBy: 'sidekiq' });
  });
  it('a queue given twice: Sidekiq refuses to start, so it consumes nothing', () => {
    expect(detectWorker(service('sidekiq -q a -q a'), context())?.queues).toEqual([]);
  });
  it('without -q or a config file: `default`', () => {
    expect(detectWorker(service('bundle exec sidekiq -e production'), context())).toMatchObject({ queues: ['default'], queueSource: 'program-default' });
  });
  it('reads config/sidekiq.yml by default, the section of `-e`, else APP_ENV/RAILS_ENV/RACK_ENV, else development', () => {
    const files = { 'config/sidekiq.yml': YAML };
    expect(detectWorker(service('bundle exec sidekiq -e production'), context(files))).toMatchObject({
      queues: ['critical', 'default', 'mailers'],
      queueSource: 'code-default',
      location: { file: 'config/sidekiq.yml', line: 5 },
      detectedBy: 'sidekiq (config/sidekiq.yml, production section)',
    });
    expect(detectWorker(service('sidekiq', { RAILS_ENV: 'staging' }), context(files))?.queues).toEqual(['staging_only']);
    expect(detectWorker(service('sidekiq', { APP_ENV: 'production', RAILS_ENV: 'staging' }), context(files))?.queues).toEqual(['critical', 'default', 'mailers']);
    // No section for development: the top level's queues.
    expect(detectWorker(service('sidekiq'), context(files))).toMatchObject({ queues: ['default'], location: { file: 'config/sidekiq.yml', line: 2 } });
  });
  it('-C names the file (a container path maps onto the project); -r dir looks in dir/config', () => {
    const files = { 'config/sidekiq_critical.yml': ':queues:\n  - critical\n', 'engine/config/sidekiq.yml': ':queues: [engine]\n' };
    expect(detectWorker(service('bundle exec sidekiq -C /app/config/sidekiq_critical.yml'), context(files))?.queues).toEqual(['critical']);
    expect(detectWorker(service('bundle exec sidekiq -r ./engine'), context(files))?.queues).toEqual(['engine']);
  });
  it('-C naming a file the project does not have: Sidekiq exits ("No such file"), nothing is consumed', () => {
    expect(detectWorker(service('sidekiq -C config/missing.yml'), context())?.queues).toEqual([]);
  });
  it('ERB reads the service environment; an unset variable without default makes the queue unknown, not absent', () => {
    const files = { 'config/sidekiq.yml': ":queues:\n  - <%= ENV['PRIMARY_QUEUE'] %>\n  - <%= ENV.fetch(\"SECONDARY_QUEUE\", \"low\") %>\n  - <%= ENV['MISSING'] %>\n" };
    expect(detectWorker(service('sidekiq', { PRIMARY_QUEUE: 'imports' }), context(files))).toMatchObject({ queues: ['imports', 'low'], unsetVariables: ['MISSING'] });
  });
});

describe('readSidekiqYaml', () => {
  it('a section replaces the top level only for the keys it has (Sidekiq::CLI#parse_config merges it over)', () => {
    const read = readSidekiqYaml(':concurrency: 5\n:queues: [a]\nproduction:\n  :concurrency: 10\n', () => undefined, 'production')!;
    expect(read).toMatchObject({ queues: ['a'], concurrency: 10 });
    expect(read.section).toBeUndefined();
  });
  it('not YAML, or not a mapping: undefined (then Sidekiq default)', () => {
    expect(readSidekiqYaml(':queues: [a\n', () => undefined, 'production')).toBeUndefined();
    expect(readSidekiqYaml('- a\n', () => undefined, 'production')).toBeUndefined();
  });
});
