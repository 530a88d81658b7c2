import { frameworkNeedles } from '../../frameworks/index.js';
import { JS_PREFILTER, withFrameworkNeedles, type PrefilterRules } from '../prefilter.js';

/** JavaScript's plain import lines and check needles, with every JS framework's needles from the registry. */
export const JS_RULES: PrefilterRules = withFrameworkNeedles(
  JS_PREFILTER,
  frameworkNeedles('js'),
);
