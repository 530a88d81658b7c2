import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, REPO_ROOT, runJson } from './helpers/cli.js';
import type { Producer } from '../src/types.js';

/** What the real Rails (Debian's railties/activejob/actionmailer 6.1, sidekiq 6.4) computes for a fixture. */
interface RailsAnswer {
  adapter: string;
  /** `file:line` of each job class's definition → its queue. */
  jobs: Record<string, string>;
  mailer: string;
}

/** The Rails environment each fixture's deployment runs (its services' RAILS_ENV; production when they set none). */
const RAILS_ENVIRONMENTS: Record<string, string> = { 'rails-activejob-staging': 'staging', 'rails-activejob-staging-trap': 'staging' };

function railsAnswer(project: string): RailsAnswer {
  // No ruby (or a Rails gem missing) fails here, loudly: the comparison needs the real thing.
  const environment = RAILS_ENVIRONMENTS[project] ?? 'production';
  const output = execFileSync('ruby', ['test/helpers/rails-queues.rb', fixture('scenarios', project), environment], { cwd: REPO_ROOT, encoding: 'utf8' });
  return JSON.parse(output) as RailsAnswer;
}

const ACTIVEJOB_KINDS = new Set(['activejob-job', 'actionmailer-deliver-later']);
const JOB_KINDS = new Set(['activejob-job', 'sidekiq-job']);

/** The line of the enqueue site, to tell `Job.set(queue: …)` (the site's own queue) from the class's queue. */
function siteLine(project: string, producer: Producer): string {
  return readFileSync(fixture('scenarios', project, producer.location.file), 'utf8').split('\n')[producer.location.line - 1]!;
}

describe.each(['rails-mailers-trap', 'rails-mailers-fixed', 'rails-activejob-prefix', 'rails-sidekiq-environments', 'rails-sidekiq-procfile', 'rails-activejob-async', 'rails-sidekiq-rails-env', 'rails-sidekiq-rails-env-trap', 'rails-activejob-staging', 'rails-activejob-staging-trap'])(
  'the static queues of fixtures/scenarios/%s are the ones Rails computes',
  (project) => {
    it('job classes, deliver_later and the adapter', async () => {
      const rails = railsAnswer(project);
      const result = await runJson(['static', fixture('scenarios', project)]);
      const producers = result.report!.static!.producers;
      // On another adapter, ActiveJob's jobs never reach Sidekiq: no producers.
      if (rails.adapter !== 'sidekiq') expect(producers.filter((producer) => ACTIVEJOB_KINDS.has(producer.kind))).toEqual([]);
      const mailers = producers.filter((producer) => producer.kind === 'actionmailer-deliver-later');
      for (const mailer of mailers) expect(mailer.queue).toBe(rails.mailer);
      // Every enqueue through a job class (not re-routed with `.set(queue:)`) has its class's queue.
      const compared = producers.filter((producer) => JOB_KINDS.has(producer.kind) && !siteLine(project, producer).includes('.set('));
      for (const producer of compared) {
        const at = producer.construction ?? producer.location;
        expect(producer.queue, `${producer.location.file}:${producer.location.line}`).toBe(rails.jobs[`${at.file}:${at.line}`]);
      }
      // Something was compared in every fixture (the loops above are not vacuous).
      expect(compared.length + mailers.length).toBeGreaterThan(0);
    });
  },
);
