import type { Lookup } from './template.js';
import { ExpansionBudget, ExpansionTooLargeError } from '../../expansion.js';
import { substitute } from './template.js';

/** One `KEY=value` of an env file and the 1-based line its statement starts on. */
export interface DotenvEntry {
  value: string;
  line: number;
  /** Variables expanded into the value that were unset and had no default. */
  unset?: string[];
}

/** A syntax error in an env file, with its 1-based line. */
export class DotenvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const isSpace = (ch: string): boolean =>
  ch === '\t' || ch === '\v' || ch === '\f' || ch === '\r' || ch === ' ' || ch === '\u0085' || ch === '\u00a0';
const isUnicodeSpace = (ch: string): boolean => /\s/u.test(ch);
const ESCAPES = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\',
};

/**
 * Parses an env file as compose-go's dotenv does: `export`, `KEY=value` and `KEY: value`, quotes
 * (escapes and `${VAR}` expansion only in double quotes), ` #` comments on unquoted values, a bare
 * `KEY` line inheriting from `lookup`. Variables expand from `lookup` first, then from earlier keys.
 * Entries are written into `out` (later keys win), which is also what expansion reads.
 */
export function parseDotenv(text: string, out: Map<string, DotenvEntry>, lookup: Lookup = () => undefined): void {
  let src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let unset: string[] = [];
  const budget = new ExpansionBudget();
  const expand = (value: string, statementLine: number): string => {
    let result;
    try {
      result = substitute(value, (name) => lookup(name) ?? out.get(name)?.value, budget);
    } catch (error) {
      if (error instanceof ExpansionTooLargeError) throw new DotenvError(`line ${statementLine}: ${error.message}`, statementLine);
      throw error;
    }
    unset = result.unset;
    return result.value;
  };

  const statementStart = (input: string): string => {
    for (;;) {
      let pos = -1;
      for (let i = 0; i < input.length; i++) {
        const ch = input[i]!;
        if (ch === '\n') line++;
        if (!isUnicodeSpace(ch)) {
          pos = i;
          break;
        }
      }
      if (pos === -1) return '';
      input = input.slice(pos);
      if (input[0] !== '#') return input;
      const newline = input.indexOf('\n');
      if (newline === -1) return '';
      input = input.slice(newline);
    }
  };

  for (;;) {
    src = statementStart(src);
    if (src === '') break;
    const statementLine = line;
    if (/^export\s+/.test(src)) src = src.slice('export'.length).replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    let key = '';
    let offset = -1;
    let inherited = false;
    for (let i = 0; i < src.length; i++) {
      const ch = src[i]!;
      if (isSpace(ch)) continue;
      if (ch === '=' || ch === ':' || ch === '\n') {
        key = src.slice(0, i);
        offset = i + 1;
        inherited = ch === '\n';
        break;
      }
      if (ch === '_' || ch === '.' || ch === '-' || ch === '[' || ch === ']' || /[\p{L}\p{N}]/u.test(ch)) continue;
      // The name so far, short: never the rest of the line (a value, a secret) nor a 600 KB line.
      const name = src.slice(0, Math.min(i, 40));
      throw new DotenvError(`line ${line}: unexpected character ${JSON.stringify(ch)} in variable name ${JSON.stringify(`${name}${i > 40 ? '…' : ''}`)}`, line);
    }
    if (offset === -1) {
      // A last line without `=`: compose-go reads it as a key with an empty name; nothing to record.
      key = src;
      offset = src.length;
      inherited = true;
    }
    if (inherited && !key.includes(' ')) line++;
    key = key.replace(/\s+$/u, '');
    if (key.includes(' ')) throw new DotenvError(`line ${statementLine}: key cannot contain a space`, statementLine);
    const rest = src.slice(offset).replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    if (inherited) {
      const value = lookup(key);
      if (value !== undefined && key !== '') out.set(key, { value, line: statementLine });
      src = rest;
      continue;
    }
    unset = [];
    const [value, left] = extractValue(rest, key, statementLine);
    if (key !== '') out.set(key, unset.length > 0 ? { value, line: statementLine, unset } : { value, line: statementLine });
    src = left;
  }

  function extractValue(input: string, key: string, statementLine: number): [string, string] {
    const quote = input[0];
    if (quote !== '"' && quote !== "'") {
      const newline = input.indexOf('\n');
      let value = newline === -1 ? input : input.slice(0, newline);
      const rest = newline === -1 ? '' : input.slice(newline + 1);
      line++;
      const comment = value.indexOf(' #');
      if (comment !== -1) value = value.slice(0, comment);
      value = value.replace(/\s+$/u, '');
      return [expand(value, statementLine), rest];
    }
    let escaped = false;
    let chars = '';
    for (let i = 1; i < input.length; i++) {
      const ch = input[i]!;
      if (ch === '\n') line++;
      if (ch !== quote) {
        if (!escaped && ch === '\\') {
          escaped = true;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += '\\';
        }
        chars += ch;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += ch;
        continue;
      }
      const value = quote === '"' ? expand(expandEscapes(chars), statementLine) : chars;
      return [value, input.slice(i + 1)];
    }
    // Where the quote opens, and the key only: the value is what an env file keeps secret.
    throw new DotenvError(`line ${statementLine}: unterminated quoted value of ${key}`, statementLine);
  }
}

function expandEscapes(value: string): string {
  return value.replace(ESCAPES, (match) => {
    if (match === '\\$') return '$$';
    if (match.startsWith('\\0')) {
      // Go's UnquoteChar wants exactly three octal digits after the backslash, else the text stays.
      const digits = match.slice(2);
      if (/^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 0o377) return String.fromCharCode(parseInt(digits, 8));
      return match;
    }
    return SIMPLE_ESCAPES[match[1]!] ?? match;
  });
}
