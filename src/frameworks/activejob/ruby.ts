/**
 * ActiveJob and ActionMailer (Rails), as the Ruby analyzer recognises them. A job class (a subclass of
 * `ApplicationJob`/`ActiveJob::Base`, or any class calling `queue_as`) has the queue `queue_as` gives, prefixed as
 * `ActiveJob::QueueName.queue_name_from_part` does (activejob/lib/active_job/queue_name.rb); `deliver_later`
 * enqueues ActionMailer's delivery job to `deliver_later_queue_name` (actionmailer/lib/action_mailer/
 * mail_delivery_job.rb: `queue_as { ActionMailer::Base.deliver_later_queue_name }`). The Rails configuration that
 * completes both names is read by rails-config.ts.
 */
export const ACTIVEJOB_SUPERCLASSES = new Set(['ApplicationJob', 'ActiveJob::Base']);

/** Class methods that enqueue an ActiveJob class. */
export const ACTIVEJOB_ENQUEUE_METHODS = new Set(['perform_later']);

/** ActionMailer::MessageDelivery's methods that enqueue the delivery job. */
export const MAILER_DELIVER_METHODS = new Set(['deliver_later', 'deliver_later!']);

/**
 * Placeholders the analyzer gives before the Rails configuration is read (they never leave the scan: rails-config.ts
 * replaces them): a job class without `queue_as` (→ `default_queue_name`), a `deliver_later` without `queue:`
 * (→ `deliver_later_queue_name`). NUL cannot appear in a queue name read from the source.
 */
export const ACTIVEJOB_DEFAULT_QUEUE = '\u0000default_queue_name';
export const MAILER_DEFAULT_QUEUE = '\u0000deliver_later_queue_name';
