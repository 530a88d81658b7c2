import { recognizersOf } from '../../frameworks/index.js';
import type { JsRecognizer } from './calls.js';

/** The JS frameworks' recognizers, in registry order. */
export const JS_RECOGNIZERS: readonly JsRecognizer[] = recognizersOf('js').map(({ recognizer }) => recognizer);
