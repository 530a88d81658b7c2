import { describe, expect, it } from 'vitest';
import { resolveLive } from '../../src/cli/stages.js';
import { parseProjectConfig } from '../../src/config/index.js';
import { InputError } from '../../src/errors.js';
import { BACKENDS, FRAMEWORKS, LIVE_FRAMEWORKS } from '../../src/frameworks/index.js';
import { LANGUAGES } from '../../src/languages/index.js';
import { PROGRAMS } from '../../src/workers/programs/index.js';
import { findConsumers, queueSyntaxOf } from '../../src/workers/index.js';
import { memoryFileSystem } from '../../src/fs.js';
import type { DeploymentEnvironment } from '../../src/model.js';

describe('the queue framework registry', () => {
  it('holds each framework once, in a known language', () => {
    const ids = FRAMEWORKS.map((framework) => framework.id);
    expect(ids).toEqual(['rq', 'django-rq', 'rq-scheduler', 'bullmq', 'celery', 'sidekiq', 'activejob']);
    const languages = LANGUAGES.map((language) => language.id as string);
    for (const framework of FRAMEWORKS) expect(languages).toContain(framework.language);
  });

  it('the live backends are the frameworks with their own key layout, in registry order', () => {
    expect(BACKENDS).toEqual(['rq', 'bullmq', 'celery', 'sidekiq']);
    expect(LIVE_FRAMEWORKS.map((framework) => framework.id)).toEqual(BACKENDS);
    // A Cluster refuses RQ, Celery and Sidekiq (multi-slot pipelines, BRPOP over many lists), not BullMQ (hash-tagged keys).
    expect(LIVE_FRAMEWORKS.filter((framework) => framework.live.clusterRefusal).map((framework) => framework.id)).toEqual(['rq', 'celery', 'sidekiq']);
  });

  it("the live stage's registry (frameworks/live.ts) is the frameworks' own live parts, in FRAMEWORKS' order", () => {
    const withLive = FRAMEWORKS.flatMap((framework) => ('live' in framework ? [{ id: framework.id, live: framework.live }] : []));
    expect(LIVE_FRAMEWORKS.map((framework) => framework.id)).toEqual(withLive.map((framework) => framework.id));
    LIVE_FRAMEWORKS.forEach((framework, index) => expect(framework.live).toBe(withLive[index]!.live));
  });

  it("every framework's worker programs are in PROGRAMS, before the languages' script runners", () => {
    const own = FRAMEWORKS.flatMap((framework) => ('workerPrograms' in framework ? framework.workerPrograms : []));
    expect(own.map((program) => program.executables.join('|'))).toEqual(['rq', 'manage.py', 'celery', 'sidekiq']);
    expect(PROGRAMS.slice(0, own.length)).toEqual(own);
    expect(PROGRAMS.length).toBeGreaterThan(own.length);
  });

  it('each worker program declares how its command lists queues, and a detected consumer carries it to fix', async () => {
    const own = FRAMEWORKS.flatMap((framework) => ('workerPrograms' in framework ? framework.workerPrograms : []));
    expect(own.map((program) => `${program.executables.join('|')}:${program.queueSyntax}`)).toEqual(['rq:words', 'manage.py:words', 'celery:commas', 'sidekiq:flags']);
    const service = (argv: string[]) => ({ name: 'w', environment: {}, command: { argv, location: { file: 'Procfile', line: 1 } } });
    const environments = [
      { name: 'default', source: 'procfile', files: ['Procfile'], services: [service(['python', '-m', 'celery', '-A', 'app', 'worker', '-Q', 'a']), service(['bundle', 'exec', 'sidekiq', '-q', 'a']), service(['rq', 'worker', 'a'])] },
    ] as unknown as DeploymentEnvironment[];
    const consumers = findConsumers(environments, { fs: memoryFileSystem({}), root: '/p', queueVariables: [] });
    expect(consumers.map((consumer) => queueSyntaxOf(consumer))).toEqual(['commas', 'flags', 'words']);
    // A copy is not the detected consumer: fix never guesses a syntax from the report's labels.
    expect(queueSyntaxOf({ ...consumers[0]! })).toBe('words');
  });

  it('--backend and the config file accept each live backend and auto, and refuse others naming the list', () => {
    for (const backend of [...BACKENDS, 'auto']) {
      expect(resolveLive({ redis: ['redis://127.0.0.1:1'], backend }, {})?.backend).toBe(backend);
      expect(parseProjectConfig(`live:\n  backend: ${backend}\n`, 'c.yml').live?.backend).toBe(backend);
    }
    expect(() => resolveLive({ redis: ['redis://127.0.0.1:1'], backend: 'django-rq' }, {})).toThrow(InputError);
    expect(() => resolveLive({ redis: ['redis://127.0.0.1:1'], backend: 'kombu' }, {})).toThrow('--backend expects rq, bullmq, celery, sidekiq or auto, got `kombu`.');
    expect(() => parseProjectConfig('live:\n  backend: rq-scheduler\n', 'c.yml')).toThrow(/live\.backend/);
  });
});
