import type { Language } from '../index.js';
import { passesPrefilter, passesPrefilterBytes, PYTHON_PREFILTER, type PrefilterRules } from '../prefilter.js';
import { analyzePython } from './analyzer.js';
import { JOB_DECORATOR } from './frameworks/rq.js';
import { resolvePythonModule } from './resolve.js';
import { readPythonWorkerScript } from './worker-script.js';

const TEST_FILE = /^test_.*\.py$|_test\.py$|^conftest\.py$/;

/** Python's call shapes, and RQ's `@job` decorator (its name can be anything `import … as` makes it). */
const PREFILTER: PrefilterRules = { ...PYTHON_PREFILTER, patterns: [{ needle: '@', pattern: JOB_DECORATOR }] };

/** Python: RQ and django-rq producers, worker checks, `python -m module` / `python x.py` worker scripts. */
export const python: Language<'python'> = {
  id: 'python',
  extensions: ['.py'],
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, PREFILTER),
  prefilterBytes: (bytes) => passesPrefilterBytes(bytes, PREFILTER),
  analyze: analyzePython,
  resolveModule: resolvePythonModule,
  readWorkerScript: readPythonWorkerScript,
};
