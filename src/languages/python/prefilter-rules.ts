import { PYTHON_PREFILTER, type PrefilterRules } from '../prefilter.js';
import { JOB_DECORATOR } from '../../frameworks/rq/python.js';

/** Python's call shapes, and RQ's `@job` decorator (its name can be anything `import … as` makes it). */
export const PYTHON_RULES: PrefilterRules = { ...PYTHON_PREFILTER, patterns: [{ needle: '@', pattern: JOB_DECORATOR }] };
