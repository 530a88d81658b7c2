import type { Language } from '../language.js';
import { passesPrefilter, passesPrefilterBytes } from '../prefilter.js';
import { analyzePython } from './analyzer.js';
import { PYTHON_RULES as PREFILTER } from './prefilter-rules.js';
import { resolvePythonModule } from './resolve.js';
import { readPythonWorkerScript } from './worker-script.js';

const TEST_FILE = /^test_.*\.py$|_test\.py$|^conftest\.py$/;

/** Python: RQ and django-rq producers, worker checks, `python -m module` / `python x.py` worker scripts. */
export const python: Language<'python'> = {
  id: 'python',
  extensions: ['.py'],
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, PREFILTER),
  prefilterBytes: (bytes) => passesPrefilterBytes(bytes, PREFILTER),
  analyze: (text) => analyzePython(text),
  resolveModule: resolvePythonModule,
  readWorkerScript: readPythonWorkerScript,
};
