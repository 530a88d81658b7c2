import { frameworkNeedles } from '../../frameworks/index.js';
import { PYTHON_PREFILTER, withFrameworkNeedles, type PrefilterRules } from '../prefilter.js';

/** Python's plain import lines and check needles, with every Python framework's needles from the registry. */
export const PYTHON_RULES: PrefilterRules = withFrameworkNeedles(
  PYTHON_PREFILTER,
  frameworkNeedles('python'),
);
