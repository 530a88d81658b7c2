import type { ModuleFacts, ValueExpr } from './facts.js';
import { languageById, type KnownFiles } from './index.js';

/**
 * Resolves name references through module constants and imports, across modules, never guessing. The same
 * Resolver serves producers, availability checks and worker scripts; each import is resolved by the language of
 * the module that writes it.
 */
export class Resolver {
  constructor(
    /** Whether a project file (relative path) exists and may be read. */
    private readonly known: KnownFiles,
    private readonly factsOf: (relative: string) => ModuleFacts | null,
  ) {}

  resolve(file: string, value: ValueExpr, depth = 0): string | null {
    if (value.kind === 'literal') return value.value;
    if (value.kind === 'unknown' || depth > 16) return null;
    return this.resolveName(file, value.name, depth + 1);
  }

  resolveName(file: string, name: string, depth: number): string | null {
    if (depth > 16) return null;
    const module = this.factsOf(file);
    const binding = module?.bindings.get(name);
    if (!binding) return null;
    if (binding.kind === 'value') return this.resolve(file, binding.value, depth + 1);
    if (binding.name === '*module*' || binding.name === '*') return null;
    const target = languageById(module!.language).resolveModule(file, binding.module, this.known);
    if (!target) return null;
    return this.resolveName(target, binding.name, depth + 1);
  }
}
