/**
 * Sidekiq (6.x/7.x), as the Ruby analyzer recognises it: a class that includes one of these modules is a job
 * (`Sidekiq::Job` is 6.3+'s name for `Sidekiq::Worker`, sidekiq/lib/sidekiq/worker.rb); its queue is
 * `sidekiq_options queue:`, else `default` (Sidekiq::DEFAULT_WORKER_OPTIONS in lib/sidekiq.rb). Producer kinds:
 * `sidekiq-job` (through a job class) and `sidekiq-client` (`Sidekiq::Client.push/enqueue_to` naming the queue).
 */
export const SIDEKIQ_JOB_MODULES = new Set(['Sidekiq::Job', 'Sidekiq::Worker']);

/** Class methods that enqueue a job class (Sidekiq::Worker::ClassMethods and the `set(…)` Setter). */
export const SIDEKIQ_ENQUEUE_METHODS = new Set(['perform_async', 'perform_in', 'perform_at', 'perform_bulk']);

/** `Sidekiq::Client` class methods that enqueue (lib/sidekiq/client.rb). */
export const SIDEKIQ_CLIENT_METHODS = new Set(['push', 'push_bulk', 'enqueue', 'enqueue_to', 'enqueue_in', 'enqueue_to_in']);
