import type { Language } from '../index.js';
import { passesPrefilter, passesPrefilterBytes, type PrefilterRules } from '../prefilter.js';
import { railsCompletion } from '../../frameworks/activejob/rails-config.js';
import { analyzeRuby } from './analyzer.js';
import { resolveRubyModule } from './resolve.js';

const TEST_FILE = /_spec\.rb$|_test\.rb$/;

/**
 * What a Ruby file holding a job class, an enqueue site or a `deliver_later` contains: Sidekiq's module and options,
 * `perform_*`, `queue_as`, `deliver_later`, `Sidekiq::Client`. `queue`/`Queue` (every language's needles) let a
 * file through unless on a plain `require` line.
 */
const RUBY_PREFILTER: PrefilterRules = {
  anywhere: ['idekiq', 'IDEKIQ', 'perform_', 'deliver_later'],
  plainImport: /^[ \t]*require(?:_relative)?[ \t(]+(['"])[\w./-]+\1[ \t)]*(?:#.*)?$/,
};

/** Ruby: Sidekiq, ActiveJob and ActionMailer producers; constants resolved through Rails' autoload paths. */
export const ruby: Language<'ruby'> = {
  id: 'ruby',
  extensions: ['.rb'],
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, RUBY_PREFILTER),
  prefilterBytes: (bytes) => passesPrefilterBytes(bytes, RUBY_PREFILTER),
  analyze: (text) => analyzeRuby(text),
  resolveModule: resolveRubyModule,
  completion: railsCompletion,
  // A Ruby worker is `sidekiq` (a framework program, src/frameworks/sidekiq/worker-program.ts), never a script read for queues.
  readWorkerScript: () => undefined,
};
