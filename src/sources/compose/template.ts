/**
 * Variable substitution exactly as compose-go's `template` package does it (`$VAR`, `${VAR}`,
 * `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+r}`, `${VAR+r}`, nesting, `$$`),
 * ported rule for rule, including its quirks (the operator is the earliest one in the match).
 */

import { ExpansionBudget } from '../../expansion.js';

/** Looks a variable up: undefined when it is not set (distinct from the empty string). */
export type Lookup = (name: string) => string | undefined;

export interface Substitution {
  value: string;
  /** Variables that were unset and had no default (compose warns "The X variable is not set"). */
  unset: string[];
}

/** A required variable's message as the file writes it, one line, at most 80 characters. */
function writtenMessage(message: string): string {
  const line = message.slice(0, 160).replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
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

type SubstituteFunc = (substitution: string, lookup: Lookup, unset: string[], depth: number) => { value: string; applied: boolean };

/** Defaults nested deeper than this (`${A:-${B:-${C:-…}}}`) are refused instead of recursing without bound. */
export const MAX_TEMPLATE_DEPTH = 32;

/**
 * Substitutes every variable of `template`; throws MissingRequiredError, InvalidTemplateError or (past the bounds of
 * src/expansion.ts, the value's and, with `budget`, the file's) ExpansionTooLargeError.
 */
export function substitute(template: string, lookup: Lookup, budget?: ExpansionBudget): Substitution {
  const unset: string[] = [];
  const value = substituteInto(template, lookup, unset, 0);
  budget?.charge(value.length);
  return { value, unset: [...new Set(unset)] };
}

const isNameStart = (code: number): boolean =>
  code === 95 || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isNameChar = (code: number): boolean => isNameStart(code) || (code >= 48 && code <= 57);

/**
 * A linear scan equivalent to compose-go's regexp `\$(?i:(\$)|([_a-z][_a-z0-9]*)|{(?:([_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|()))`
 * with ReplaceAllStringFunc: a `${NAME<op>…` match is greedy up to the last `}` of its line, then cut at
 * the balanced `}`, the rest substituted on its own; scanning on is equivalent and stays linear.
 */
function substituteInto(template: string, lookup: Lookup, unset: string[], depth: number): string {
  if (!template.includes('$')) return template;
  if (depth > MAX_TEMPLATE_DEPTH) throw new InvalidTemplateError(template);
  let out = '';
  let i = 0;
  let lineEnd = -1;
  let lastBrace = -1;
  /** The last `}` before the end of the line holding `from` (`.` never matches a newline). */
  const lastBraceOnLine = (from: number): number => {
    if (from >= lineEnd) {
      const newline = template.indexOf('\n', from);
      lineEnd = newline === -1 ? template.length : newline;
      lastBrace = template.lastIndexOf('}', lineEnd - 1);
    }
    return lastBrace >= from ? lastBrace : -1;
  };
  while (i < template.length) {
    // Checked as it grows: a value doubling through variables must stop at the bound, not at the heap's.
    ExpansionBudget.check(out.length);
    const dollar = template.indexOf('$', i);
    if (dollar === -1) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const next = template.charCodeAt(dollar + 1);
    if (next === 36 /* $ */) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (isNameStart(next)) {
      let end = dollar + 2;
      while (end < template.length && isNameChar(template.charCodeAt(end))) end++;
      out += lookupVariable(template.slice(dollar + 1, end), lookup, unset);
      i = end;
      continue;
    }
    if (next !== 123 /* { */) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    let nameEnd = dollar + 2;
    if (!isNameStart(template.charCodeAt(nameEnd))) throw new InvalidTemplateError(template);
    while (nameEnd < template.length && isNameChar(template.charCodeAt(nameEnd))) nameEnd++;
    const name = template.slice(dollar + 2, nameEnd);
    const after = template[nameEnd];
    if (after === '}') {
      out += lookupVariable(name, lookup, unset);
      i = nameEnd + 1;
      continue;
    }
    const operatorStart = after === ':' ? nameEnd + 1 : nameEnd;
    const operator = template[operatorStart];
    const matchEnd = operator === '-' || operator === '+' || operator === '?' ? lastBraceOnLine(operatorStart + 1) : -1;
    if (matchEnd === -1) throw new InvalidTemplateError(template);
    const closing = firstBraceClosingIndex(template, dollar, matchEnd + 1);
    const variableEnd = closing > -1 ? closing : matchEnd;
    // compose-go picks the operator occurring first in the match: names hold no operator characters,
    // so that is always the one right after the name.
    const substituteFunc = OPERATORS.get(template.slice(nameEnd, operatorStart + 1))!;
    const { value } = substituteFunc(template.slice(dollar + 2, variableEnd), lookup, unset, depth);
    out += value;
    // The rest of the greedy match is substituted exactly as if the scan went on from the closing brace.
    i = variableEnd + 1;
  }
  ExpansionBudget.check(out.length);
  return out;
}

function lookupVariable(name: string, lookup: Lookup, unset: string[]): string {
  const value = lookup(name);
  if (value === undefined) {
    unset.push(name);
    return '';
  }
  return value;
}

const OPERATORS = new Map<string, SubstituteFunc>([
  [':?', (s, l, u, d) => required(s, l, u, d, ':?', (v) => v !== '')],
  ['?', (s, l, u, d) => required(s, l, u, d, '?', () => true)],
  [':-', (s, l, u, d) => defaultWhenAbsent(s, l, u, d, ':-', true)],
  ['-', (s, l, u, d) => defaultWhenAbsent(s, l, u, d, '-', false)],
  [':+', (s, l, u, d) => defaultWhenPresent(s, l, u, d, ':+', true)],
  ['+', (s, l, u, d) => defaultWhenPresent(s, l, u, d, '+', false)],
]);

/** compose-go's getFirstBraceClosingIndex over s[start, end) (it skips the character after each `{`). */
function firstBraceClosingIndex(s: string, start: number, end: number): number {
  let open = 0;
  for (let i = start; i < end; i++) {
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

function defaultWhenPresent(substitution: string, lookup: Lookup, unset: string[], depth: number, separator: string, notEmpty: boolean) {
  if (!substitution.includes(separator)) return { value: '', applied: false };
  const [name, alternative] = partition(substitution, separator);
  const value = lookup(name);
  if (value !== undefined && (!notEmpty || value !== '')) return { value: substituteInto(alternative, lookup, unset, depth + 1), applied: true };
  return { value: value ?? '', applied: true };
}

function defaultWhenAbsent(substitution: string, lookup: Lookup, unset: string[], depth: number, separator: string, emptyOrUnset: boolean) {
  if (!substitution.includes(separator)) return { value: '', applied: false };
  const [name, fallback] = partition(substitution, separator);
  const value = lookup(name);
  if (value === undefined || (emptyOrUnset && value === '')) return { value: substituteInto(fallback, lookup, unset, depth + 1), applied: true };
  return { value, applied: true };
}

function required(substitution: string, lookup: Lookup, unset: string[], depth: number, separator: string, valid: (value: string) => boolean) {
  if (!substitution.includes(separator)) return { value: '', applied: false };
  const [name, message] = partition(substitution, separator);
  const value = lookup(name);
  // The message as written, never interpolated: `${MISSING:?token is ${API_TOKEN}}` must not print the token.
  if (value === undefined || !valid(value)) throw new MissingRequiredError(name, writtenMessage(message));
  return { value, applied: true };
}
