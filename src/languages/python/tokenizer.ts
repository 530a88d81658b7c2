/**
 * A hand-written Python tokenizer, just precise enough for the recogniser: it knows strings (prefixes, triple
 * quotes, f-string replacement fields nested to any depth), comments, line continuations, brackets, names,
 * numbers and operators, and marks the start of each logical line with its indentation.
 */

export type PyTokenType = 'name' | 'string' | 'number' | 'op' | 'newline';

export interface PyToken {
  type: PyTokenType;
  /** Names/ops/numbers: the text; strings: the decoded value (f-strings: the raw body). */
  value: string;
  /** Offsets into the source (end exclusive). */
  start: number;
  end: number;
  /** 1-based line and column of `start`. */
  line: number;
  column: number;
  /** Strings only: an f-string (its value depends on run-time data). */
  formatted?: boolean;
  /** First token of a logical line: the indentation width in columns. */
  indent?: number;
}

import { MAX_STRING_NESTING, NestingTooDeepError } from '../facts.js';

const THREE_CHAR_OPS = new Set(['**=', '//=', '>>=', '<<=', '...', '!=']);
const TWO_CHAR_OPS = new Set([
  '**', '//', '>>', '<<', '<=', '>=', '==', '!=', '->', ':=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
]);

const CHAR_STRINGS = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
const charString = (c: number) => (c < 128 ? CHAR_STRINGS[c]! : String.fromCharCode(c));

const isIdentStart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

export interface TokenizeOptions {
  /**
   * Offsets, ascending, where a text the analyzer needs starts (its body needles). A `def` whose line and indented
   * body contain none is emitted without its body: the tokens of the def's line, then the next statement.
   */
  needleAt?: readonly number[];
}

/**
 * Tokenizes Python source. Unterminated constructs end at end of input; the only error is NestingTooDeepError
 * (f-strings nested beyond MAX_STRING_NESTING), which makes the file a reported skip.
 */
export function tokenizePython(source: string, options: TokenizeOptions = {}): PyToken[] {
  const tokens: PyToken[] = [];
  const length = source.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  let atLogicalLineStart = true;
  const needleAt = options.needleAt;
  /**
   * Where the last body that was not quiet stopped being walked: a def starting before it is not walked again (a
   * nested def would walk to the same needle, and defs nested a thousand deep would make the walks quadratic).
   */
  let walkedTo = 0;
  /** A `def` (or `async def`) line just emitted: where it starts and its indentation. */
  let pendingDef: { start: number; indent: number } | undefined;
  let asyncLine: { start: number; indent: number } | undefined;

  /** The first needle offset at or after `from` (binary search), or Infinity. */
  const firstNeedleFrom = (from: number): number => {
    const at = needleAt!;
    let low = 0;
    let high = at.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (at[middle]! < from) low = middle + 1;
      else high = middle;
    }
    return low < at.length ? at[low]! : Infinity;
  };

  const newlineAt = (index: number) => {
    line++;
    lineStart = index + 1;
  };

  /** Scans a string body starting after the opening quote(s); returns the end offset (after the closing quote). */
  const scanString = (from: number, quote: number, triple: boolean, raw: boolean, formatted: boolean): number => {
    let i = from;
    while (i < length) {
      const c = source.charCodeAt(i);
      if (c === 92 /* \ */) {
        if (i + 1 < length && source.charCodeAt(i + 1) === 10) newlineAt(i + 1);
        i += 2;
        continue;
      }
      if (c === 10) {
        if (!triple) return i; // unterminated single-line string: stop at the newline
        newlineAt(i);
        i++;
        continue;
      }
      if (formatted && c === 123 /* { */) {
        if (source.charCodeAt(i + 1) === 123) {
          i += 2;
          continue;
        }
        i = scanReplacementField(i + 1);
        continue;
      }
      if (c === quote) {
        if (!triple) return i + 1;
        if (source.charCodeAt(i + 1) === quote && source.charCodeAt(i + 2) === quote) return i + 3;
      }
      i++;
    }
    void raw;
    return length;
  };

  /** How many f-string fields enclose the scan: the scanners recurse per level, so it is bounded. */
  let fieldNesting = 0;

  /** Scans an f-string `{…}` field (nested brackets and strings allowed); returns the offset after its `}`. */
  const scanReplacementField = (from: number): number => {
    if (++fieldNesting > MAX_STRING_NESTING) throw new NestingTooDeepError();
    try {
      return scanField(from);
    } finally {
      fieldNesting--;
    }
  };

  const scanField = (from: number): number => {
    let i = from;
    let nesting = 0;
    while (i < length) {
      const c = source.charCodeAt(i);
      if (c === 10) {
        newlineAt(i);
        i++;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) nesting++;
      else if (c === 41 || c === 93) nesting--;
      else if (c === 125) {
        if (nesting === 0) return i + 1;
        nesting--;
      } else if (c === 34 || c === 39) {
        const string = stringAt(i);
        i = string.end;
        continue;
      } else if (isIdentStart(c)) {
        const string = stringAt(i);
        if (string.isString) {
          i = string.end;
          continue;
        }
      }
      i++;
    }
    return length;
  };

  /** Recognises a string literal (with optional prefix) at `i`. */
  const stringAt = (i: number): StringScan => {
    let j = i;
    let raw = false;
    let formatted = false;
    while (j < length && j - i < 3) {
      const c = source.charCodeAt(j) | 0x20;
      if (c === 114 /* r */) raw = true;
      else if (c === 102 /* f */ || c === 116 /* t */) formatted = true;
      else if (c !== 98 /* b */ && c !== 117 /* u */) break;
      j++;
    }
    const quote = source.charCodeAt(j);
    if (quote !== 34 && quote !== 39) return { isString: false, end: i, prefixLength: 0, quoteLength: 0, formatted, raw };
    const triple = source.charCodeAt(j + 1) === quote && source.charCodeAt(j + 2) === quote;
    const bodyStart = j + (triple ? 3 : 1);
    const end = scanString(bodyStart, quote, triple, raw, formatted);
    return { isString: true, end, prefixLength: j - i, quoteLength: triple ? 3 : 1, formatted, raw };
  };

  /**
   * Walks a def's body from `pos` (its first statement) as the main loop would — strings, comments, brackets,
   * continuations, logical line starts — but makes no tokens. True when a logical line indented `indent` or less
   * (pos is there) or the end of the input comes first; false when it passes `needle` first (pos is then anywhere).
   */
  const skimBody = (indent: number, needle: number): boolean => {
    let lineBegins = false;
    while (pos < length) {
      if (pos > needle) return false;
      const c = source.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 12 || c === 13) pos++;
      else if (c === 10) {
        if (depth === 0) lineBegins = true;
        newlineAt(pos);
        pos++;
      } else if (c === 35 /* # */) {
        const end = source.indexOf('\n', pos);
        pos = end < 0 ? length : end;
      } else if (c === 92 /* \ */) pos = afterBackslash(pos);
      else {
        if (lineBegins) {
          if (indentWidth(source, pos) <= indent) return true;
          lineBegins = false;
        }
        if (c === 34 || c === 39 || isIdentStart(c)) {
          const string = c === 34 || c === 39 || mayBeStringPrefix(source, pos, c) ? stringAt(pos) : NOT_A_STRING;
          pos = string.isString ? string.end : identifierEnd(pos);
        } else if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(pos + 1)))) pos = numberEnd(pos);
        else {
          // Operators: only brackets matter here, and a bracket is always a one-character operator.
          if (c === 40 || c === 91 || c === 123) depth++;
          else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
          pos++;
        }
      }
    }
    return needle >= length;
  };

  /** After a backslash: past a line continuation (the next line joins this logical line), or past the backslash. */
  const afterBackslash = (at: number): number => {
    if (source.charCodeAt(at + 1) === 10) {
      newlineAt(at + 1);
      return at + 2;
    }
    if (source.charCodeAt(at + 1) === 13 && source.charCodeAt(at + 2) === 10) {
      newlineAt(at + 2);
      return at + 3;
    }
    return at + 1;
  };
  const identifierEnd = (at: number): number => {
    let j = at + 1;
    while (j < length && isIdentPart(source.charCodeAt(j))) j++;
    return j;
  };
  const numberEnd = (at: number): number => {
    let j = at + 1;
    const hex = source.charCodeAt(at) === 48 && (source.charCodeAt(at + 1) | 0x20) === 120;
    while (j < length) {
      const d = source.charCodeAt(j);
      if (isIdentPart(d) || d === 46) j++;
      else if ((d === 43 || d === 45) && (source.charCodeAt(j - 1) | 0x20) === 101 && !hex) j++;
      else break;
    }
    return j;
  };

  while (pos < length) {
    const c = source.charCodeAt(pos);
    // Whitespace and indentation.
    if (c === 32 || c === 9 || c === 12 || c === 13) {
      pos++;
      continue;
    }
    if (c === 10) {
      if (depth === 0 && !atLogicalLineStart) {
        tokens.push({ type: 'newline', value: '\n', start: pos, end: pos + 1, line, column: pos - lineStart + 1, formatted: false, indent: undefined });
        atLogicalLineStart = true;
      }
      newlineAt(pos);
      pos++;
      continue;
    }
    if (c === 35 /* # */) {
      while (pos < length && source.charCodeAt(pos) !== 10) pos++;
      continue;
    }
    if (c === 92 /* \ */) {
      pos = afterBackslash(pos);
      continue;
    }

    const startLine = line;
    const startColumn = pos - lineStart + 1;
    const start = pos;
    if (atLogicalLineStart && pendingDef !== undefined) {
      const def = pendingDef;
      pendingDef = undefined;
      const needle = firstNeedleFrom(def.start);
      // The first statement of an indented body, and no needle in the def's line: walk the body without tokens.
      if (def.start >= walkedTo && indentWidth(source, start) > def.indent && needle >= start) {
        const saved = { line, lineStart, depth };
        if (skimBody(def.indent, needle)) continue; // quiet: the main loop goes on at the next statement
        walkedTo = pos;
        ({ line, lineStart, depth } = saved);
        pos = start; // a needle in the body: tokenize it
      }
    }

    let type: PyTokenType;
    let end: number;
    let string: StringScan = NOT_A_STRING;
    let op = '';
    if (c === 34 || c === 39 || isIdentStart(c)) {
      string = c === 34 || c === 39 || mayBeStringPrefix(source, pos, c) ? stringAt(pos) : NOT_A_STRING;
      if (string.isString) {
        type = 'string';
        end = string.end;
      } else {
        type = 'name';
        end = identifierEnd(pos);
      }
    } else if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(pos + 1)))) {
      type = 'number';
      end = numberEnd(pos);
    } else {
      const next = source.charCodeAt(pos + 1);
      // Multi-character operators all continue with '=', '>', '.', or the same character.
      if (next === 61 || next === 62 || next === 46 || next === c) {
        op = source.slice(pos, pos + 3);
        if (!THREE_CHAR_OPS.has(op)) {
          op = source.slice(pos, pos + 2);
          if (!TWO_CHAR_OPS.has(op)) op = charString(c);
        }
      } else op = charString(c);
      if (op === '(' || op === '[' || op === '{') depth++;
      else if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
      type = 'op';
      end = pos + op.length;
    }
    pos = end;

    let value: string;
    if (type === 'string') {
      const bodyStart = start + string.prefixLength + string.quoteLength;
      const closed = end - string.quoteLength >= bodyStart && isClosed(source, end, string.quoteLength);
      const body = source.slice(bodyStart, closed ? end - string.quoteLength : end);
      value = string.raw || string.formatted ? body : decodeEscapes(body);
    } else value = type === 'op' ? op : source.slice(start, end);
    const token: PyToken = { type, value, start, end, line: startLine, column: startColumn, formatted: type === 'string' && string.formatted, indent: undefined };
    if (atLogicalLineStart) {
      token.indent = indentWidth(source, start);
      atLogicalLineStart = false;
      asyncLine = undefined;
      if (type === 'name' && value === 'def' && needleAt !== undefined) pendingDef = { start, indent: token.indent };
      else if (type === 'name' && value === 'async' && needleAt !== undefined) asyncLine = { start, indent: token.indent };
    } else if (asyncLine !== undefined) {
      if (type === 'name' && value === 'def') pendingDef = asyncLine;
      asyncLine = undefined;
    }
    tokens.push(token);
  }
  if (!atLogicalLineStart) tokens.push({ type: 'newline', value: '', start: length, end: length, line, column: length - lineStart + 1 });
  return tokens;
}

interface StringScan {
  isString: boolean;
  end: number;
  prefixLength: number;
  quoteLength: number;
  formatted: boolean;
  raw: boolean;
}

const NOT_A_STRING: StringScan = { isString: false, end: 0, prefixLength: 0, quoteLength: 0, formatted: false, raw: false };

/** r, b, f, u, t (either case) followed within two characters by a quote. */
function mayBeStringPrefix(source: string, pos: number, c: number): boolean {
  const lower = c | 0x20;
  if (lower !== 114 && lower !== 98 && lower !== 102 && lower !== 117 && lower !== 116) return false;
  const next = source.charCodeAt(pos + 1);
  if (next === 34 || next === 39) return true;
  const after = source.charCodeAt(pos + 2);
  return (after === 34 || after === 39) && /[rbfutRBFUT]/.test(source[pos + 1]!);
}

function isClosed(source: string, end: number, quoteLength: number): boolean {
  const quote = source.charCodeAt(end - 1);
  if (quote !== 34 && quote !== 39) return false;
  return quoteLength === 1 || (source.charCodeAt(end - 2) === quote && source.charCodeAt(end - 3) === quote);
}

function indentWidth(source: string, tokenStart: number): number {
  let i = tokenStart - 1;
  while (i >= 0 && source.charCodeAt(i) !== 10) i--;
  let width = 0;
  for (let j = i + 1; j < tokenStart; j++) {
    const c = source.charCodeAt(j);
    if (c === 9) width = (Math.floor(width / 8) + 1) * 8;
    else if (c === 32) width++;
    else break; // continuation lines: indentation is that of the first physical line anyway
  }
  return width;
}

function decodeEscapes(body: string): string {
  if (!body.includes('\\')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|\n|.)/g, (match, escape: string) => {
    if (escape === '\n') return '';
    if (escape[0] === 'x' || escape[0] === 'u') return escape.length > 1 ? String.fromCharCode(parseInt(escape.slice(1), 16)) : match;
    return SIMPLE_ESCAPES[escape] ?? match;
  });
}
