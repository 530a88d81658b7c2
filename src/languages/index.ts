import type { Language } from './language.js';
import type { LanguageId as DeclaredLanguageId } from './language-id.js';
import { javascript } from './javascript/index.js';
import { python } from './python/index.js';
import { ruby } from './ruby/index.js';

/** The registry: adding a language is its folder plus one line here. */
export const LANGUAGES = [python, javascript, ruby] as const;

export type LanguageId = DeclaredLanguageId;
type RegisteredLanguageId = (typeof LANGUAGES)[number]['id'];

/** language-id.ts (the leaf other modules import) must name exactly the registered languages. */
const LANGUAGE_IDS_DECLARED: [RegisteredLanguageId] extends [DeclaredLanguageId] ? ([DeclaredLanguageId] extends [RegisteredLanguageId] ? true : never) : never = true;
void LANGUAGE_IDS_DECLARED;

export type { KnownFiles, Language, ProjectFiles, WorkerScriptContext, WorkerScriptReading } from './language.js';

export function languageById(id: LanguageId): Language<LanguageId> {
  return LANGUAGES.find((language) => language.id === id)!;
}

/** Each extension's language (every extension is one dot and a suffix: a file's is after its last dot). */
const LANGUAGE_BY_EXTENSION = new Map<string, Language<LanguageId>>();
for (const language of LANGUAGES) {
  for (const extension of language.extensions) {
    if (extension.lastIndexOf('.') !== 0) throw new Error(`${language.id}: extension ${extension} is not one dot and a suffix`);
    if (!LANGUAGE_BY_EXTENSION.has(extension)) LANGUAGE_BY_EXTENSION.set(extension, language);
  }
}

/** The language whose extensions match a file name, whether or not the file is a generated one. */
function byExtension(fileName: string): Language<LanguageId> | undefined {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? undefined : LANGUAGE_BY_EXTENSION.get(fileName.slice(dot));
}

/** The language of a scanned source file; undefined for other files and generated ones. */
export function sourceLanguage(fileName: string): Language<LanguageId> | undefined {
  const language = byExtension(fileName);
  return language && !language.generated?.test(fileName) ? language : undefined;
}

/** The language a module file is read in (an import target, a worker script), by its name. */
export function moduleLanguage(relative: string): Language<LanguageId> | undefined {
  return byExtension(relative);
}
