/**
 * Names bound in functions, keyed `scope\0name` (`scope` is the dotted path of nested functions and classes): both
 * analyzers look a receiver up the same way, so the walk is written once here.
 */

/** What `name` is bound to in the innermost enclosing scope of `scope` that binds it (`a.b.c`, then `a.b`, then `a`). */
export function innermostBinding<T>(named: ReadonlyMap<string, T>, scope: string | undefined, name: string): T | undefined {
  const scopes = scope?.split('.') ?? [];
  for (let depth = scopes.length; depth > 0; depth--) {
    const found = named.get(`${scopes.slice(0, depth).join('.')}\0${name}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
