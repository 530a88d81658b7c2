# Loads a Rails initializer with the real Sidekiq (Debian's ruby-sidekiq 6.4, redis-rb 4.8) and prints, as JSON, the
# host, port and db of the Redis the given side uses: `server` defines Sidekiq::CLI first (Sidekiq.server? is
# `defined?(Sidekiq::CLI)`, so only then does configure_server's block run), `client` does not.
# Usage: ruby sidekiq-redis.rb server|client path/to/initializer.rb  (the environment is the process's own)
# Nothing connects: Redis#connection reads the parsed options.
require 'json'
require 'sidekiq'
side, initializer = ARGV
module Sidekiq; class CLI; end; end if side == 'server'
Sidekiq.logger.level = Logger::WARN
load initializer
Sidekiq.redis_pool.with do |conn|
  info = conn.connection
  puts JSON.generate(host: info[:host], port: info[:port].to_s, db: info[:db].to_s)
end
