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
  // `queue_as` or a job superclass (a job class, enqueued elsewhere or nowhere: a producer at its definition),
  // `perform_later`, ActionMailer's `deliver_later`.
  needles: { anywhere: ['queue_as', 'ApplicationJob', 'ActiveJob', 'perform_', 'deliver_later'] },
  recognizer: activejobRuby,
  vocabulary: [
    "class ReportJob < ApplicationJob\n  queue_as :QUEUE\n\n  def perform(NAME)\n  end\nend\n",
    "class ExportJob < ActiveJob::Base\n  def perform(NAME)\n  end\nend\n",
    "ReportJob.set(queue: 'QUEUE').perform_later(NAME)\n",
    "UserMailer.with(user: NAME).welcome.deliver_later(queue: :QUEUE)\n",
    "def NAME\n  NotifyMailer.digest.deliver_later!\nend\n",
  ],
  project: activejobProject,
};
