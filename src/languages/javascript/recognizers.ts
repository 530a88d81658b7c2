import { FRAMEWORKS, type QueueFramework } from '../../frameworks/index.js';
import type { JsRecognizer } from './calls.js';

/** The JS frameworks' recognizers, in registry order. */
export const JS_RECOGNIZERS: readonly JsRecognizer[] = FRAMEWORKS.flatMap((framework: QueueFramework) =>
  // A `language: 'js'` entry's recognizer is LanguageRecognizers['js'] (its declared type says so).
  framework.language === 'js' && framework.recognizer ? [framework.recognizer as JsRecognizer] : [],
);
