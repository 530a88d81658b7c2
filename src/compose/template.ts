/**
 * Variable substitution exactly as compose-go's `template` package does it (`$VAR`, `${VAR}`,
 * `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+r}`, `${VAR+r}`, nesting, `$$`),
 * ported rule for rule, including its quirks (the operator is the earliest one in the match).
 */

/** Looks a variable up: undefined when it is not set (distinct from the empty string). */
export type Lookup = (name: string) => string | undefined;

export interface Substitution {
  value: string;
  /** Variables that were unset and had no default (compose warns "The X variable is not set"). */
  unset: string[];
}

/** `${VAR:?message}` / `${VAR?message}` on an unset (or empty) variable. */
export class MissingRequiredError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(reason ? `required variable ${variable} is missing a value: ${reason}` : `required variable ${variable} is missing a value`);
  }
}

/** A `$` that starts no valid substitution (`${`, `${1}`, …). */
export class InvalidTemplateError extends Error {
  constructor(readonly template: string) {
    super(`invalid interpolation format: ${JSON.stringify(template)}; you may need to escape any $ with another $`);
  }
}

const PATTERN_SOURCE =
  '\\$(?:(?<escaped>\\$)|(?<named>[_a-z][_a-z0-9]*)|\\{(?:(?<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)\\}|(?<invalid>)))';
const GLOBAL_PATTERN = new RegExp(PATTERN_SOURCE, 'gi');
const SINGLE_PATTERN = new RegExp(PATTERN_SOURCE, 'i');

type SubstituteFunc = (substitution: string, lookup: Lookup, unset: string[]) => { value: string; applied: boolean };

/** Substitutes every variable of `template`; throws MissingRequiredError or InvalidTemplateError. */
export function substitute(template: string, lookup: Lookup): Substitution {
  const unset: string[] = [];
  const value = substituteInto(template, lookup, unset);
  return { value, unset: [...new Set(unset)] };
}

function substituteInto(template: string, lookup: Lookup, unset: string[]): string {
  if (!template.includes('$')) return template;
  let firstError: Error | undefined;
  const result = template.replace(new RegExp(GLOBAL_PATTERN), (substring: string) => {
    try {
      return replacement(substring, lookup, unset);
    } catch (error) {
      if (error instanceof InvalidTemplateError && error.template === '') firstError ??= new InvalidTemplateError(template);
      else firstError ??= error as Error;
      return '';
    }
  });
  if (firstError) throw firstError;
  return result;
}

function replacement(match: string, lookup: Lookup, unset: string[]): string {
  const substituteFunc = substitutionFunctionFor(match);
  let substring = match;
  let rest = '';
  const closing = firstBraceClosingIndex(substring);
  if (closing > -1) {
    rest = substring.slice(closing + 1);
    substring = substring.slice(0, closing + 1);
  }
  const groups = SINGLE_PATTERN.exec(substring)?.groups;
  if (!groups) throw new InvalidTemplateError('');
  if (groups.escaped) return groups.escaped;
  let name = groups.named;
  let braced = false;
  if (!name) {
    name = groups.braced;
    braced = true;
  }
  if (!name) throw new InvalidTemplateError('');
  if (braced) {
    const { value, applied } = substituteFunc(name, lookup, unset);
    if (applied) return value + substituteInto(rest, lookup, unset);
  }
  const value = lookup(name);
  if (value === undefined) {
    unset.push(name);
    return '';
  }
  return value;
}

/** compose-go picks the operator that occurs first in the whole match, not in the variable's braces. */
function substitutionFunctionFor(template: string): SubstituteFunc {
  const candidates: [string, SubstituteFunc][] = [
    [':?', (s, l, u) => required(s, l, u, ':?', (v) => v !== '')],
    ['?', (s, l, u) => required(s, l, u, '?', () => true)],
    [':-', (s, l, u) => defaultWhenAbsent(s, l, u, ':-', true)],
    ['-', (s, l, u) => defaultWhenAbsent(s, l, u, '-', false)],
    [':+', (s, l, u) => defaultWhenPresent(s, l, u, ':+', true)],
    ['+', (s, l, u) => defaultWhenPresent(s, l, u, '+', false)],
  ];
  let best = candidates[0]!;
  let bestIndex = Infinity;
  for (const candidate of candidates) {
    const index = template.indexOf(candidate[0]);
    if (index >= 0 && index < bestIndex) {
      best = candidate;
      bestIndex = index;
    }
  }
  return best[1];
}

function firstBraceClosingIndex(s: string): number {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '}') {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === '{') {
      open++;
      i++;
    }
  }
  return -1;
}

function partition(s: string, separator: string): [string, string] {
  const index = s.indexOf(separator);
  return index < 0 ? [s, ''] : [s.slice(0, index), s.slice(index + separator.length)];
}

function defaultWhenPresent(substitution: string, lookup: Lookup, unset: string[], separator: string, notEmpty: boolean) {
  if (!substitution.includes(separator)) return { value: '', applied: false };
  const [name, alternative] = partition(substitution, separator);
  const value = lookup(name);
  if (value !== undefined && (!notEmpty || value !== '')) return { value: substituteInto(alternative, lookup, unset), applied: true };
  return { value: value ?? '', applied: true };
}

function defaultWhenAbsent(substitution: string, lookup: Lookup, unset: string[], separator: string, emptyOrUnset: boolean) {
  if (!substitution.includes(separator)) return { value: '', applied: false };
  const [name, fallback] = partition(substitution, separator);
  const value = lookup(name);
  if (value === undefined || (emptyOrUnset && value === '')) return { value: substituteInto(fallback, lookup, unset), applied: true };
  return { value, applied: true };
}

function required(substitution: string, lookup: Lookup, unset: string[], separator: string, valid: (value: string) => boolean) {
  if (!substitution.includes(separator)) return { value: '', applied: false };
  const [name, message] = partition(substitution, separator);
  const value = lookup(name);
  if (value === undefined || !valid(value)) throw new MissingRequiredError(name, substituteInto(message, lookup, unset));
  return { value, applied: true };
}
