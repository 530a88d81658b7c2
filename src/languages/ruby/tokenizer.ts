/**
 * A hand-written Ruby tokenizer, just precise enough for the recogniser: strings (single, double with `#{…}`
 * interpolation nested to a bounded depth, `%q/%Q/%()`, `%w[]`/`%i[]` word lists), heredocs (`<<~ID`, `<<-ID`,
 * `<<ID`, quoted ids), symbols (`:name`, `:"name"`), hash labels (`queue:`), comments, `=begin/=end`, `__END__`,
 * regexp literals, names, constants and operators. One pass: every character is read once (a heredoc body is read
 * where it starts, the following line), so a hostile file costs linear time.
 */
import { MAX_STRING_NESTING, NestingTooDeepError } from '../facts.js';

export type RbTokenType = 'name' | 'const' | 'ivar' | 'symbol' | 'label' | 'string' | 'words' | 'number' | 'op' | 'nl';

export interface RbToken {
  type: RbTokenType;
  /** Names, constants, ops: the text; symbols and labels: the name; strings: the decoded value (raw with `#{…}` kept). */
  value: string;
  line: number;
  column: number;
  /** Strings and symbols with `#{…}`: the value depends on run-time data. */
  interpolated?: boolean;
  /** `%w[]`/`%i[]`: the words. */
  words?: string[];
  /** A space or a line break precedes the token (for `foo /x/` vs `a / b`, `foo %w[]` vs `a % b`). */
  spaced?: boolean;
}

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isUpper = (c: number) => c >= 65 && c <= 90;
const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 12 || c === 11;

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
const THREE_CHAR_OPS = new Set(['**=', '<=>', '===', '...', '<<=', '>>=', '&&=', '||=']);
const TWO_CHAR_OPS = new Set(['::', '=>', '==', '!=', '>=', '<=', '&&', '||', '<<', '>>', '**', '+=', '-=', '*=', '/=', '|=', '&=', '..', '&.', '=~', '!~', '->']);
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', s: ' ', e: '\x1b' };

/** Tokens after which an operand (not an operator) comes: `/` and `%` there start literals. */
function endsValue(token: RbToken | undefined): boolean {
  if (!token) return false;
  if (token.type === 'op') return token.value === ')' || token.value === ']' || token.value === '}';
  if (token.type === 'nl' || token.type === 'label') return false;
  return !(token.type === 'name' && KEYWORDS_BEFORE_OPERAND.has(token.value));
}
const KEYWORDS_BEFORE_OPERAND = new Set(['if', 'unless', 'while', 'until', 'and', 'or', 'not', 'return', 'when', 'in', 'puts', 'then', 'else', 'elsif', 'case', 'yield']);

/** A `?` among the last few tokens: `a ? b : c` (the `b :` is no label). Bounded look-back. */
function ternaryBefore(tokens: readonly RbToken[]): boolean {
  for (let k = tokens.length - 1; k >= 0 && k >= tokens.length - 8; k--) if (tokens[k]!.value === '?') return true;
  return false;
}

export function tokenizeRuby(text: string): RbToken[] {
  const tokens: RbToken[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  /** Heredocs opened on the current line: their bodies start after its line break. */
  let pendingHeredocs: { id: string; squiggly: boolean; indented: boolean; raw: boolean; token: RbToken }[] = [];
  let spaced = true;

  const push = (type: RbTokenType, value: string, start: number, extra?: Partial<RbToken>) => {
    const token: RbToken = { type, value, line, column: start - lineStart + 1 };
    if (spaced) token.spaced = true;
    if (extra) Object.assign(token, extra);
    tokens.push(token);
    spaced = false;
    return token;
  };
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };
  const atLineStart = (at: number) => at === 0 || text.charCodeAt(at - 1) === 10;

  /**
   * Reads a delimited literal body from `at` (after the opening delimiter) to its closer; nested bracket pairs of the
   * same kind count. With `interpolate`, `#{…}` runs are skipped as code (their own strings read recursively).
   * Returns the decoded value, whether it interpolates and the index after the closer.
   */
  const readDelimited = (at: number, open: string, close: string, interpolate: boolean, depth: number): { value: string; interpolated: boolean; end: number } => {
    if (depth > MAX_STRING_NESTING) throw new NestingTooDeepError();
    let value = '';
    let nesting = 0;
    let interpolated = false;
    let j = at;
    while (j < n) {
      const c = text[j]!;
      if (c === '\\' && j + 1 < n) {
        const next = text[j + 1]!;
        if (next === '\n') newline(j + 1);
        if (interpolate) value += SIMPLE_ESCAPES[next] ?? next;
        else value += next === close || next === '\\' || next === open ? next : `\\${next}`;
        j += 2;
        continue;
      }
      if (c === '\n') newline(j);
      if (interpolate && c === '#' && text[j + 1] === '{') {
        interpolated = true;
        const end = skipCode(j + 2, depth + 1);
        value += text.slice(j, end);
        j = end;
        continue;
      }
      if (c === close && nesting === 0) return { value, interpolated, end: j + 1 };
      if (open !== close && c === open) nesting++;
      else if (open !== close && c === close) nesting--;
      value += c;
      j++;
    }
    return { value, interpolated, end: n };
  };

  /** Skips the code of an interpolation `#{…}` from `at` to after its `}`, strings inside read recursively. */
  const skipCode = (at: number, depth: number): number => {
    if (depth > MAX_STRING_NESTING) throw new NestingTooDeepError();
    let braces = 0;
    let j = at;
    while (j < n) {
      const c = text[j]!;
      if (c === '\n') newline(j);
      if (c === '{') braces++;
      else if (c === '}') {
        if (braces === 0) return j + 1;
        braces--;
      } else if (c === '"' || c === "'" || c === '`') {
        j = readDelimited(j + 1, c, c, c !== "'", depth + 1).end;
        continue;
      }
      j++;
    }
    return n;
  };

  /** Reads the bodies of the heredocs opened on the line that ends at `at` (a line break); returns where code resumes. */
  const readHeredocBodies = (at: number): number => {
    let j = at + 1;
    newline(at);
    for (const heredoc of pendingHeredocs) {
      const lines: string[] = [];
      let closed = false;
      while (j < n) {
        let end = text.indexOf('\n', j);
        if (end < 0) end = n;
        const bodyLine = text.slice(j, end).replace(/\r$/, '');
        j = end + 1;
        if (end < n) newline(end);
        if ((heredoc.indented || heredoc.squiggly ? bodyLine.trim() : bodyLine) === heredoc.id) {
          closed = true;
          break;
        }
        lines.push(bodyLine);
      }
      if (heredoc.squiggly) {
        const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
        const strip = indents.length ? indents.reduce((a, b) => Math.min(a, b)) : 0;
        for (let k = 0; k < lines.length; k++) lines[k] = lines[k]!.slice(strip);
      }
      heredoc.token.value = lines.join('\n') + (lines.length ? '\n' : '');
      if (!heredoc.raw && heredoc.token.value.includes('#{')) heredoc.token.interpolated = true;
      if (!closed) break;
    }
    pendingHeredocs = [];
    return Math.min(j, n);
  };

  while (i < n) {
    const code = text.charCodeAt(i);
    const c = text[i]!;
    if (c === '\n') {
      const previous = tokens[tokens.length - 1];
      if (pendingHeredocs.length) i = readHeredocBodies(i);
      else {
        newline(i);
        i++;
      }
      if (previous && previous.type !== 'nl') push('nl', '\n', i);
      spaced = true;
      continue;
    }
    if (isSpace(code)) {
      spaced = true;
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      newline(i + 1);
      i += 2;
      spaced = true;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '=' && atLineStart(i) && text.startsWith('=begin', i) && !isIdentPart(text.charCodeAt(i + 6))) {
      // A block comment runs to a line that starts with `=end`.
      let j = i;
      for (;;) {
        const end = text.indexOf('\n', j);
        if (end < 0) {
          j = n;
          break;
        }
        newline(end);
        j = end + 1;
        if (text.startsWith('=end', j)) {
          const after = text.indexOf('\n', j);
          j = after < 0 ? n : after;
          break;
        }
      }
      i = j;
      continue;
    }
    if (c === '_' && atLineStart(i) && text.startsWith('__END__', i) && (i + 7 >= n || text[i + 7] === '\n' || text[i + 7] === '\r')) break;
    const start = i;
    if (c === '"' || c === '`' || c === "'") {
      const read = readDelimited(i + 1, c, c, c !== "'", 0);
      const startLine = line;
      push('string', read.value, start, read.interpolated ? { interpolated: true } : {});
      tokens[tokens.length - 1]!.line = startLine;
      i = read.end;
      // `'queue': x` — a quoted label.
      if (text[i] === ':' && text[i + 1] !== ':' && (c === '"' || c === "'") && tokens[tokens.length - 2]?.value !== '?') {
        tokens[tokens.length - 1]!.type = 'label';
        i++;
      }
      continue;
    }
    if (c === ':' && text[i + 1] === '"') {
      const read = readDelimited(i + 2, '"', '"', true, 0);
      push('symbol', read.value, start, read.interpolated ? { interpolated: true } : {});
      i = read.end;
      continue;
    }
    if (c === ':' && text[i + 1] === "'") {
      const read = readDelimited(i + 2, "'", "'", false, 0);
      push('symbol', read.value, start);
      i = read.end;
      continue;
    }
    if (c === ':' && text[i + 1] !== ':' && i + 1 < n && isIdentStart(text.charCodeAt(i + 1)) && tokens[tokens.length - 1]?.value !== '::') {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      if (text[j] === '?' || text[j] === '!' || text[j] === '=') {
        if (text[j + 1] !== '=' && text[j + 1] !== '>') j++;
      }
      push('symbol', text.slice(i + 1, j), start);
      i = j;
      continue;
    }
    if (c === '%' && !(endsValue(tokens[tokens.length - 1]) && !(spaced && tokens[tokens.length - 1]?.type === 'name' && !isSpace(text.charCodeAt(i + 1))))) {
      // `%w[a b]`, `%i(a b)`, `%q{…}`, `%Q|…|`, `%(…)`, `%[…]`.
      let kind = '';
      let j = i + 1;
      if (/[wWiIqQrs]/.test(text[j] ?? '')) kind = text[j++]!;
      const open = text[j];
      if (open !== undefined && !isIdentPart(text.charCodeAt(j)) && !isSpace(text.charCodeAt(j)) && open !== '\n' && open !== '=') {
        const close = CLOSERS[open] ?? open;
        const interpolate = kind === '' || kind === 'Q' || kind === 'W' || kind === 'I' || kind === 'r';
        const startLine = line;
        const read = readDelimited(j + 1, open, close, interpolate, 0);
        if (kind === 'w' || kind === 'W' || kind === 'i' || kind === 'I') {
          push('words', read.value, start, { words: read.value.split(/\s+/).filter(Boolean), ...(read.interpolated ? { interpolated: true } : {}) });
        } else push(kind === 's' ? 'symbol' : 'string', read.value, start, read.interpolated ? { interpolated: true } : {});
        tokens[tokens.length - 1]!.line = startLine;
        i = read.end;
        continue;
      }
    }
    if (c === '/' && !(endsValue(tokens[tokens.length - 1]) && !(spaced && tokens[tokens.length - 1]?.type === 'name' && !isSpace(text.charCodeAt(i + 1))))) {
      const read = readDelimited(i + 1, '/', '/', true, 0);
      push('string', read.value, start, { interpolated: true });
      i = read.end;
      while (i < n && /[imxounse]/.test(text[i]!)) i++;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && !(endsValue(tokens[tokens.length - 1]) && !(spaced && tokens[tokens.length - 1]?.type === 'name'))) {
      const heredoc = /^<<([~-]?)(?:(['"`])([^'"`\n]+)\2|([A-Za-z_]\w*))/.exec(text.slice(i, i + 200));
      if (heredoc && (heredoc[1] || heredoc[2] || isUpper(text.charCodeAt(i + 2)))) {
        const token = push('string', '', start);
        pendingHeredocs.push({ id: heredoc[3] ?? heredoc[4]!, squiggly: heredoc[1] === '~', indented: heredoc[1] === '-', raw: heredoc[2] === "'", token });
        i += heredoc[0].length;
        continue;
      }
    }
    if (c === '@') {
      let j = i + 1;
      if (text[j] === '@') j++;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      push('ivar', text.slice(i, j), start);
      i = j;
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      if (j < n && isIdentStart(text.charCodeAt(j))) while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      else j = Math.min(n, j + 1);
      push('name', text.slice(i, j), start);
      i = j;
      continue;
    }
    if (isIdentStart(code)) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      if ((text[j] === '?' || text[j] === '!') && text[j + 1] !== '=') j++;
      const word = text.slice(i, j);
      // `queue: x` (a label), not `A ? b : c` nor `Foo::Bar`.
      if (text[j] === ':' && text[j + 1] !== ':' && tokens[tokens.length - 1]?.value !== '?' && !(text[j + 1] === ' ' && ternaryBefore(tokens))) {
        push('label', word, start);
        i = j + 1;
        continue;
      }
      push(isUpper(code) ? 'const' : 'name', word, start);
      i = j;
      continue;
    }
    if (code >= 48 && code <= 57) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(text[j]!) && !(text[j] === '.' && !/[0-9]/.test(text[j + 1] ?? ''))) j++;
      push('number', text.slice(i, j), start);
      i = j;
      continue;
    }
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    const op = THREE_CHAR_OPS.has(three) ? three : TWO_CHAR_OPS.has(two) ? two : c;
    push('op', op, start);
    i += op.length;
  }
  return tokens;
}
