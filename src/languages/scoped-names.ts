/**
 * What a name stands for inside a module's functions and classes, as both analyzers track it: a queue object (its
 * index in the module's `queues`) or a factory call's result (`q = receipts_queue()`: the factory's name).
 */
export type ScopedObject = number | { factory: string };

/** A name bound to several things (or declared again, shadowing): it stands for no single queue object. */
export const AMBIGUOUS = -1;

/** The key of a local: its scope's dotted name and the name (`Worker.start\0q`). */
export const localKey = (scope: string | undefined, name: string): string => `${scope}\0${name}`;

/** The key of a class field or attribute: the class's dotted name and `.field` (`Billing\0.queue`, for `this.queue`/`self.queue`). */
export const fieldKey = (owner: string, field: string): string => `${owner}\0.${field}`;

/** Locals and class fields → the queue object they name, or AMBIGUOUS. One table per module. */
export class ScopedNames {
  readonly #named = new Map<string, ScopedObject | typeof AMBIGUOUS>();

  get(key: string): ScopedObject | typeof AMBIGUOUS | undefined {
    return this.#named.get(key);
  }

  set(key: string, object: ScopedObject | typeof AMBIGUOUS): void {
    this.#named.set(key, object);
  }

  /** Names `key`; a key named twice is AMBIGUOUS. */
  name(key: string, object: ScopedObject | typeof AMBIGUOUS): void {
    this.#named.set(key, this.#named.has(key) ? AMBIGUOUS : object);
  }

  /**
   * What `name` stands for seen from `scope` (`a.b.c`): the innermost enclosing scope that names it (`a.b.c`, then
   * `a.b`, then `a`); undefined when none does (a module-level name, resolved through the module's bindings).
   */
  innermost(scope: string | undefined, name: string): ScopedObject | typeof AMBIGUOUS | undefined {
    if (scope === undefined) return undefined;
    const parts = scope.split('.');
    for (let depth = parts.length; depth > 0; depth--) {
      const found = this.#named.get(localKey(parts.slice(0, depth).join('.'), name));
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
