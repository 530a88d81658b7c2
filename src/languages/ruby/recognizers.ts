import { recognizersOf } from '../../frameworks/index.js';
import type { RubyRecognizer } from './calls.js';

/** A Ruby framework's recognizer with its id (its module data is kept under the id). */
export interface RubyFramework {
  id: string;
  recognizer: RubyRecognizer;
}

/** The Ruby frameworks' recognizers, in registry order. */
export const RUBY_RECOGNIZERS: readonly RubyFramework[] = recognizersOf('ruby');
