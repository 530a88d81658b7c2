import type { ModuleFacts, RawQueueObject, SymbolicName, ValueExpr } from './facts.js';
import { languageById, type KnownFiles } from './index.js';

/** How many modules one star-import search visits at most: real settings chains are two or three deep. */
const MAX_STAR_MODULES = 32;

/** A queue object found through a name: the module that builds it and its index there. */
export interface QueueObjectRef {
  file: string;
  index: number;
  object: RawQueueObject;
}

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
    if (value.kind !== 'ref' || depth > 16) return null;
    return this.resolveName(file, value.name, depth + 1);
  }

  resolveName(file: string, name: string, depth: number): string | null {
    const symbolic = this.resolveSymbolicName(file, name, depth);
    return symbolic?.kind === 'literal' ? symbolic.value : null;
  }

  /** Like `resolve`, keeping a name read from the environment symbolic (resolved per environment by the analysis). */
  resolveSymbolic(file: string, value: ValueExpr, depth = 0): SymbolicName | null {
    if (value.kind === 'literal') return value;
    if (depth > 16) return null;
    if (value.kind === 'ref') return this.resolveSymbolicName(file, value.name, depth + 1);
    if (value.kind === 'env') {
      const fallback = value.fallback ? this.resolveSymbolic(file, value.fallback, depth + 1) : null;
      // A fallback that is itself read from the environment has no single code default.
      if (value.fallback && fallback?.kind !== 'literal') return null;
      return { kind: 'env', variable: value.name, fallback: fallback?.kind === 'literal' ? fallback.value : null };
    }
    return null;
  }

  private resolveSymbolicName(file: string, name: string, depth: number): SymbolicName | null {
    const target = this.follow(file, name, depth);
    if (!target) return null;
    const { binding, file: at } = target;
    if (binding.kind === 'value') return this.resolveSymbolic(at, binding.value, depth + 1);
    // A queue object used where a name is expected (`Worker.all(queue=receipts_queue)`): its queue's name.
    if (binding.kind === 'queue' && !binding.factory) {
      const object = this.factsOf(at)?.queues?.[binding.object];
      return object ? this.resolveSymbolic(at, object.queue, depth + 1) : null;
    }
    return null;
  }

  /** The queue object a module-level name (or, with `factory`, the function a call goes to) stands for. */
  resolveQueueObject(file: string, name: string, factory = false): QueueObjectRef | null {
    const target = this.follow(file, name, 1);
    if (target?.binding.kind !== 'queue' || target.binding.factory !== factory) return null;
    const object = this.factsOf(target.file)?.queues?.[target.binding.object];
    return object ? { file: target.file, index: target.binding.object, object } : null;
  }

  /**
   * The module and name a module-level name is bound in, through imports (`from .celery import app as celery_app`
   * → `shop/celery.py`, `app`); the name itself when the module binds it. Null when an import leaves the project.
   */
  definition(file: string, name: string): { file: string; name: string } | null {
    for (let current = file, currentName = name, depth = 0; depth <= 16; depth++) {
      const module = this.factsOf(current);
      if (!module) return null;
      const binding = module.bindings.get(currentName);
      if (!binding) {
        const star = this.starSource(current, currentName);
        if (star) {
          current = star;
          continue;
        }
      }
      if (binding?.kind !== 'import') return { file: current, name: currentName };
      if (binding.name === '*' || binding.name === '*module*') return null;
      const target = languageById(module.language).resolveModule(current, binding.module, this.known);
      if (!target) return null;
      current = target;
      currentName = binding.name;
    }
    return null;
  }

  /**
   * The module a name comes from through `from m import *` when `file` does not bind it: the last star import whose
   * module binds it (later ones win, as in Python), following their own star imports; private names (`_x`) are
   * never exported. Bounded (MAX_STAR_MODULES modules visited) and safe against import cycles.
   */
  starSource(file: string, name: string): string | undefined {
    if (name.startsWith('_')) return undefined;
    const visited = new Set<string>([file]);
    const search = (current: string): string | undefined => {
      const module = this.factsOf(current);
      if (!module?.starImports) return undefined;
      for (const specifier of [...module.starImports].reverse()) {
        const target = languageById(module.language).resolveModule(current, specifier, this.known);
        if (!target || visited.has(target) || visited.size >= MAX_STAR_MODULES) continue;
        visited.add(target);
        if (this.factsOf(target)?.bindings.has(name)) return target;
        const deeper = search(target);
        if (deeper) return deeper;
      }
      return undefined;
    };
    return search(file);
  }

  /** The modules `file` takes every name of (`from m import *`), resolved, nearest first, bounded and cycle-safe. */
  starModules(file: string): string[] {
    const order: string[] = [];
    const visited = new Set<string>([file]);
    const walk = (current: string) => {
      const module = this.factsOf(current);
      for (const specifier of module?.starImports ?? []) {
        const target = languageById(module!.language).resolveModule(current, specifier, this.known);
        if (!target || visited.has(target) || visited.size >= MAX_STAR_MODULES) continue;
        visited.add(target);
        walk(target);
        order.push(target);
      }
    };
    walk(file);
    return order;
  }

  /** Follows imports to the module that binds `name` to something other than an import. */
  private follow(file: string, name: string, depth: number) {
    for (let current = file, currentName = name; depth <= 16; depth++) {
      const module = this.factsOf(current);
      const binding = module?.bindings.get(currentName);
      if (!binding) {
        const star = this.starSource(current, currentName);
        if (!star) return null;
        current = star;
        continue;
      }
      if (binding.kind !== 'import') return { binding, file: current };
      if (binding.name === '*module*' || binding.name === '*') return null;
      const target = languageById(module!.language).resolveModule(current, binding.module, this.known);
      if (!target) return null;
      current = target;
      currentName = binding.name;
    }
    return null;
  }
}
