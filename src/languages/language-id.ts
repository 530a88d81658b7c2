/**
 * The scanned languages' ids. A leaf (it imports nothing) so that facts, worker programs and the framework registry
 * can name a language without importing the language registry, which imports the analyzers, which import the
 * framework registry: languages/index.ts checks at compile time that LANGUAGES has exactly these ids.
 */
export type LanguageId = 'python' | 'js' | 'ruby';
