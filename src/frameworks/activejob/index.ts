import type { QueueFramework } from '../framework.js';
import { activejobProject } from './rails-config.js';
import { activejobRuby } from './ruby.js';

/**
 * ActiveJob and ActionMailer's `deliver_later` (Rails) on the Sidekiq adapter: producers only (the worker is
 * Sidekiq's); their queue names are completed by the Rails configuration (rails-config.ts).
 */
export const activejob: QueueFramework<'activejob', 'ruby'> = {
  id: 'activejob',
  language: 'ruby',
  // `queue_as` (a job class, enqueued elsewhere or nowhere), `perform_later`, ActionMailer's `deliver_later`.
  needles: { anywhere: ['queue_as', 'perform_', 'deliver_later'] },
  recognizer: activejobRuby,
  project: activejobProject,
};
