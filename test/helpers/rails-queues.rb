# Boots a fixture's Rails application with Debian's railties/activejob/actionmailer/sidekiq and prints, as JSON,
# what Rails itself computes: the ActiveJob adapter, each job class's queue (keyed by where the class is defined),
# and the queue ActionMailer's deliver_later enqueues to.
#
#   ruby test/helpers/rails-queues.rb APP_ROOT RAILS_ENV
require "json"
require "logger"
root, environment = ARGV
root = File.expand_path(root)
ENV["RAILS_ENV"] = environment
ENV["SECRET_KEY_BASE"] ||= "x" * 64
# config/boot.rb runs bundler/setup against the app's Gemfile: the system gems stand in for the bundle.
$LOADED_FEATURES << File.join(root, "config/boot.rb")
require "rails"
require "active_job/railtie"
require "action_mailer/railtie"
require "sidekiq"
# `Bundler.require(*Rails.groups)` in config/application.rb would load the Gemfile's gems (pg, puma…): not needed here.
module Bundler
  def self.require(*) = nil
end
Dir.chdir(root)
require File.join(root, "config/application.rb")
# Only the job and mailer classes are loaded (below): config/environments/production.rb's `eager_load = true` would
# load models and controllers whose frameworks (ActiveRecord) are not installed.
Rails::Application::Configuration.prepend(Module.new { def eager_load=(_value); super(false); end })
app = Rails.application
app.config.eager_load = false
app.config.logger = Logger.new(nil)
app.config.active_support.deprecation = :silence
app.initialize!

jobs = {}
Dir.glob("app/{jobs,workers,mailers}/**/*.rb").sort.each do |file|
  name = file.sub(%r{\Aapp/[^/]+/}, "").delete_suffix(".rb").camelize
  klass = name.safe_constantize
  next unless klass.is_a?(Class)
  location = Object.const_source_location(name)
  key = "#{location[0].delete_prefix("#{root}/")}:#{location[1]}"
  if klass.include?(Sidekiq::Worker)
    jobs[key] = klass.get_sidekiq_options["queue"].to_s
  elsif klass < ActiveJob::Base
    jobs[key] = klass.new.queue_name
  end
end

puts JSON.generate(
  adapter: ActiveJob::Base.queue_adapter_name,
  jobs: jobs,
  mailer: ActionMailer::Base.delivery_job.new.queue_name,
)
