import type { Language } from '../index.js';
import { bytesPassPrefilter, passesPrefilter, PYTHON_ANYWHERE_BYTES, PYTHON_PREFILTER } from '../prefilter.js';
import { analyzePython } from './analyzer.js';
import { JOB_DECORATOR } from './frameworks/rq.js';
import { resolvePythonModule } from './resolve.js';
import { readPythonWorkerScript } from './worker-script.js';

const TEST_FILE = /^test_.*\.py$|_test\.py$|^conftest\.py$/;
const JOB = Buffer.from('job');

/** Python: RQ and django-rq producers, worker checks, `python -m module` / `python x.py` worker scripts. */
export const python: Language<'python'> = {
  id: 'python',
  extensions: ['.py'],
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, PYTHON_PREFILTER) || (text.includes('job') && JOB_DECORATOR.test(text)),
  prefilterBytes: (bytes) =>
    bytesPassPrefilter(bytes, PYTHON_PREFILTER, PYTHON_ANYWHERE_BYTES) || (bytes.indexOf(JOB) >= 0 && JOB_DECORATOR.test(bytes.toString('utf8'))),
  analyze: analyzePython,
  resolveModule: resolvePythonModule,
  readWorkerScript: readPythonWorkerScript,
};
