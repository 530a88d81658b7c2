import { InputError } from '../errors.js';

/**
 * The environment a name means: the exact name, else the one prefixed name (`kustomize:prod`) whose unprefixed part
 * is `requested`. Undefined when none; an input error when several sources have it.
 */
export function matchEnvironmentName(names: string[], requested: string): string | undefined {
  if (names.includes(requested)) return requested;
  const matches = names.filter((name) => name.slice(name.indexOf(':') + 1) === requested && name.includes(':'));
  if (matches.length > 1) {
    throw new InputError(`--environment ${requested} is ambiguous: ${matches.join(', ')}; name one of them in full.`);
  }
  return matches[0];
}
