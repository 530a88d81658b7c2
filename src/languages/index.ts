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

/** The language whose extensions match a file name, whether or not the file is a generated one. */
function byExtension(fileName: string): Language<LanguageId> | undefined {
  return LANGUAGES.find((language) => language.extensions.some((extension) => fileName.endsWith(extension)));
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
