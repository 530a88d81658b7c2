import type { Language } from '../language.js';
import { passesPrefilter, passesPrefilterBytes } from '../prefilter.js';
import { analyzeJs } from './analyzer.js';
import { JS_RULES as PREFILTER } from './prefilter-rules.js';
import { resolveJsModule } from './resolve.js';
import { typescriptSources } from './tsconfig.js';
import { readJsWorkerScript } from './worker-script.js';

const TEST_FILE = /\.(?:test|spec)\.(?:[cm]?[jt]s|[jt]sx)$/;

/** JavaScript and TypeScript: BullMQ producers, worker checks, `node dist/worker.js` worker scripts. */
export const javascript: Language<'js'> = {
  id: 'js',
  extensions: ['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts', '.jsx', '.tsx'],
  generated: /\.d\.[cm]?ts$|\.min\.js$/,
  isTest: (fileName) => TEST_FILE.test(fileName),
  prefilter: (text) => passesPrefilter(text, PREFILTER),
  prefilterBytes: (bytes) => passesPrefilterBytes(bytes, PREFILTER),
  analyze: analyzeJs,
  resolveModule: resolveJsModule,
  readWorkerScript: readJsWorkerScript,
  scriptSources: typescriptSources,
};
