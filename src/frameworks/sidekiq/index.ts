import type { FrameworkLive, QueueFramework } from '../framework.js';
import { sidekiqLive } from './live-part.js';
import { sidekiqProject } from './redis-endpoint.js';
import { sidekiqRuby } from './ruby.js';
import { sidekiq as sidekiqWorkerProgram } from './worker-program.js';

/** Sidekiq (6.x, 7.x): Ruby jobs and ActiveJob on Redis; `sidekiq -q` processes; keys under an optional redis-namespace. */
export const sidekiq: QueueFramework<'sidekiq', 'ruby'> & { live: FrameworkLive } = {
  id: 'sidekiq',
  language: 'ruby',
  // `include Sidekiq::Job`, `sidekiq_options`, `Sidekiq::Client`, `.perform_async/_in/_at`.
  needles: { anywhere: ['idekiq', 'IDEKIQ', 'perform_'] },
  recognizer: sidekiqRuby,
  vocabulary: [
    "class HardJob\n  include Sidekiq::Job\n  sidekiq_options queue: 'QUEUE', retry: 3\n\n  def perform(NAME)\n  end\nend\n",
    "module Billing\n  class InvoiceWorker\n    include Sidekiq::Worker\n    def perform(NAME) = nil\n  end\nend\n",
    "def NAME\n  HardJob.perform_async(1)\nend\n",
    "HardJob.set(queue: 'QUEUE').perform_in(5.minutes, NAME)\n",
    "Sidekiq::Client.push('class' => 'HardJob', 'queue' => 'QUEUE', 'args' => [NAME])\n",
    "Sidekiq::Client.enqueue_to(:QUEUE, HardJob, NAME)\n",
    "Sidekiq.configure_client do |config|\n  config.redis = { url: ENV.fetch('NAME', 'redis://redis:6379/0') }\nend\n",
  ],
  project: sidekiqProject,
  workerPrograms: [sidekiqWorkerProgram],
  live: sidekiqLive,
};
