import type { Language } from '../language.js';
import { passesPrefilter, passesPrefilterBytes } from '../prefilter.js';
import { analyzeRuby } from './analyzer.js';
import { RUBY_RULES } from './prefilter-rules.js';
import { resolveRubyModule } from './resolve.js';

const TEST_FILE = /_spec\.rb$|_test\.rb$/;

/** Ruby: Sidekiq, ActiveJob and ActionMailer producers; constants resolved through Rails' autoload paths. */
export const ruby: Language<'ruby'> = {
  id: 'ruby',
  extensions: ['.rb'],
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, RUBY_RULES),
  prefilterBytes: (bytes) => passesPrefilterBytes(bytes, RUBY_RULES),
  analyze: (text) => analyzeRuby(text),
  resolveModule: resolveRubyModule,
  // A Ruby worker is `sidekiq` (a framework program, src/frameworks/sidekiq/worker-program.ts), never a script read for queues.
  readWorkerScript: () => undefined,
};
