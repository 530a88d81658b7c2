import type { Language } from '../index.js';
import { bytesAsText, passesPrefilter, PYTHON_PREFILTER } from '../prefilter.js';
import { analyzePython } from './analyzer.js';
import { JOB_DECORATOR } from './frameworks/rq.js';
import { resolvePythonModule } from './resolve.js';
import { readPythonWorkerScript } from './worker-script.js';

const TEST_FILE = /^test_.*\.py$|_test\.py$|^conftest\.py$/;

/** Python: RQ and django-rq producers, worker checks, `python -m module` / `python x.py` worker scripts. */
export const python: Language<'python'> = {
  id: 'python',
  extensions: ['.py'],
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, PYTHON_PREFILTER) || (text.includes('job') && JOB_DECORATOR.test(text)),
  // JOB_DECORATOR is ASCII-only too, so it answers alike on the latin1 view.
  prefilterBytes: (bytes) => python.prefilter(bytesAsText(bytes)),
  analyze: analyzePython,
  resolveModule: resolvePythonModule,
  readWorkerScript: readPythonWorkerScript,
};
