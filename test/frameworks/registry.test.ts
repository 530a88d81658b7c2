import { describe, expect, it } from 'vitest';
import { resolveLive } from '../../src/cli/stages.js';
import { parseProjectConfig } from '../../src/config/index.js';
import { InputError } from '../../src/errors.js';
import { BACKENDS, FRAMEWORKS, LIVE_FRAMEWORKS } from '../../src/frameworks/index.js';
import { LANGUAGES } from '../../src/languages/index.js';
import { PROGRAMS } from '../../src/workers/programs/index.js';

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

  it("every framework's worker programs are in PROGRAMS, before the languages' script runners", () => {
    const own = FRAMEWORKS.flatMap((framework) => ('workerPrograms' in framework ? framework.workerPrograms : []));
    expect(own.map((program) => program.executables.join('|'))).toEqual(['rq', 'manage.py', 'celery', 'sidekiq']);
    expect(PROGRAMS.slice(0, own.length)).toEqual(own);
    expect(PROGRAMS.length).toBeGreaterThan(own.length);
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
