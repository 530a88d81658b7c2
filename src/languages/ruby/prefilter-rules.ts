import { frameworkNeedles } from '../../frameworks/index.js';
import { withFrameworkNeedles, type PrefilterRules } from '../prefilter.js';

/**
 * Ruby's plain `require` lines, with every Ruby framework's needles from the registry (Sidekiq's module and options,
 * `perform_*`, `queue_as`, `deliver_later`): a file holding a job class, an enqueue site or a `deliver_later` has one.
 */
export const RUBY_RULES: PrefilterRules = withFrameworkNeedles(
  {
    anywhere: [],
    plainImport: /^[ \t]*require(?:_relative)?[ \t(]+(['"])[\w./-]+\1[ \t)]*(?:#.*)?$/,
  },
  frameworkNeedles('ruby'),
);
