/**
 * A hand-written JavaScript/TypeScript tokenizer for the recogniser: strings, template literals with nested
 * `${}` (to any depth), line and block comments, regex literals told from division by the previous token, and
 * enough tolerance for JSX text (an apostrophe in JSX text ends at the line, it never runs away).
 */

import { MAX_STRING_NESTING, NestingTooDeepError } from '../facts.js';

export type JsTokenType = 'name' | 'string' | 'template' | 'number' | 'op' | 'regex';

export interface JsToken {
  type: JsTokenType;
  /** Names/ops/numbers: the text; strings and substitution-free templates: the decoded value. */
  value: string;
  start: number;
  end: number;
  /** Templates with `${}` substitutions: the value depends on run-time data. */
  formatted?: boolean;
}

/** Keywords after which a `/` starts a regex literal rather than a division. */
const REGEX_AFTER_KEYWORDS = new Set([
  'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await',
]);

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
];

/**
 * The punctuators by their first character, in PUNCTUATORS' order (longest first): most operator tokens are one
 * character (`(`, `.`, `,`, `;`) that starts none, and trying all 33 at every one of them was most of the tokenizer's
 * time on a TypeScript monorepo.
 */
const PUNCTUATORS_BY_FIRST: (string[] | undefined)[] = [];
for (const punctuator of PUNCTUATORS) (PUNCTUATORS_BY_FIRST[punctuator.charCodeAt(0)] ??= []).push(punctuator);
const CHAR_STRINGS = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));

const isIdentStart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '0': '\0' };

/**
 * Tokenizes JS/TS source. Unterminated constructs end at the line or at end of input; the only error is
 * NestingTooDeepError (template literals nested beyond MAX_STRING_NESTING), which makes the file a reported skip.
 */
export function tokenizeJs(source: string): JsToken[] {
  const tokens: JsToken[] = [];
  const length = source.length;

  /** Skips a quoted string starting at the quote; returns the offset after it (or the newline if unterminated). */
  const skipString = (from: number): number => {
    const quote = source.charCodeAt(from);
    let i = from + 1;
    while (i < length) {
      const c = source.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === quote) return i + 1;
      else if (c === 10) return i;
      else i++;
    }
    return length;
  };

  /** Skips a template literal starting at the backtick; returns [end, hasSubstitutions]. */
  const skipTemplate = (from: number): [number, boolean] => {
    let i = from + 1;
    let substitutions = false;
    while (i < length) {
      const c = source.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 96) return [i + 1, substitutions];
      else if (c === 36 && source.charCodeAt(i + 1) === 123) {
        substitutions = true;
        i = skipExpression(i + 2);
      } else i++;
    }
    return [length, substitutions];
  };

  /** How many `${…}` substitutions enclose the scan: the scanners recurse per level, so it is bounded. */
  let substitutionNesting = 0;

  /** Skips a `${…}` expression (nested braces, strings, templates, comments); returns the offset after its `}`. */
  const skipExpression = (from: number): number => {
    if (++substitutionNesting > MAX_STRING_NESTING) throw new NestingTooDeepError();
    try {
      return skipSubstitution(from);
    } finally {
      substitutionNesting--;
    }
  };

  const skipSubstitution = (from: number): number => {
    let i = from;
    let nesting = 0;
    while (i < length) {
      const c = source.charCodeAt(i);
      if (c === 123) nesting++;
      else if (c === 125) {
        if (nesting === 0) return i + 1;
        nesting--;
      } else if (c === 34 || c === 39) {
        i = skipString(i);
        continue;
      } else if (c === 96) {
        i = skipTemplate(i)[0];
        continue;
      } else if (c === 47 && source.charCodeAt(i + 1) === 47) {
        while (i < length && source.charCodeAt(i) !== 10) i++;
        continue;
      } else if (c === 47 && source.charCodeAt(i + 1) === 42) {
        const close = source.indexOf('*/', i + 2);
        i = close < 0 ? length : close + 2;
        continue;
      }
      i++;
    }
    return length;
  };

  const regexAllowed = (): boolean => {
    const previous = tokens[tokens.length - 1];
    if (!previous) return true;
    switch (previous.type) {
      case 'number':
      case 'string':
      case 'template':
      case 'regex':
        return false;
      case 'name':
        return REGEX_AFTER_KEYWORDS.has(previous.value);
      default:
        return !(previous.value === ')' || previous.value === ']' || previous.value === '}');
    }
  };

  let pos = 0;
  while (pos < length) {
    const c = source.charCodeAt(pos);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 0xfeff || c === 0xa0) {
      pos++;
      continue;
    }
    const start = pos;
    if (c === 47 /* / */) {
      const next = source.charCodeAt(pos + 1);
      if (next === 47) {
        while (pos < length && source.charCodeAt(pos) !== 10) pos++;
        continue;
      }
      if (next === 42) {
        const close = source.indexOf('*/', pos + 2);
        pos = close < 0 ? length : close + 2;
        continue;
      }
      if (regexAllowed()) {
        let i = pos + 1;
        let inClass = false;
        while (i < length) {
          const d = source.charCodeAt(i);
          if (d === 10) break;
          if (d === 92) i += 2;
          else {
            if (d === 91) inClass = true;
            else if (d === 93) inClass = false;
            else if (d === 47 && !inClass) {
              i++;
              break;
            }
            i++;
          }
        }
        while (i < length && isIdentPart(source.charCodeAt(i))) i++;
        tokens.push({ type: 'regex', value: source.slice(pos, i), start, end: i });
        pos = i;
        continue;
      }
    }
    if (c === 34 || c === 39) {
      const end = skipString(pos);
      const closed = end > pos + 1 && source.charCodeAt(end - 1) === c;
      tokens.push({ type: 'string', value: decodeEscapes(source.slice(pos + 1, closed ? end - 1 : end)), start, end });
      pos = end;
      continue;
    }
    if (c === 96) {
      const [end, substitutions] = skipTemplate(pos);
      const body = source.slice(pos + 1, Math.max(pos + 1, end - 1));
      const token: JsToken = { type: 'template', value: substitutions ? body : decodeEscapes(body), start, end };
      if (substitutions) token.formatted = true;
      tokens.push(token);
      pos = end;
      continue;
    }
    if (isIdentStart(c) || c === 35 /* #private */) {
      let i = pos + 1;
      while (i < length && isIdentPart(source.charCodeAt(i))) i++;
      tokens.push({ type: 'name', value: source.slice(pos, i), start, end: i });
      pos = i;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(pos + 1)))) {
      let i = pos + 1;
      while (i < length && (isIdentPart(source.charCodeAt(i)) || source.charCodeAt(i) === 46)) i++;
      tokens.push({ type: 'number', value: source.slice(pos, i), start, end: i });
      pos = i;
      continue;
    }
    let op = c < 128 ? CHAR_STRINGS[c]! : source[pos]!;
    const candidates = c < 128 ? PUNCTUATORS_BY_FIRST[c] : undefined;
    if (candidates) {
      for (const punctuator of candidates) {
        if (source.startsWith(punctuator, pos)) {
          op = punctuator;
          break;
        }
      }
    }
    tokens.push({ type: 'op', value: op, start, end: pos + op.length });
    pos += op.length;
  }
  return tokens;
}

function decodeEscapes(body: string): string {
  if (!body.includes('\\')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|\r?\n|.)/g, (match, escape: string) => {
    if (escape === '\n' || escape === '\r\n') return '';
    if ((escape[0] === 'x' || escape[0] === 'u') && escape.length > 1) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return SIMPLE_ESCAPES[escape] ?? escape;
  });
}
