/**
 * .gitignore matching as git does it (gitignore(5)): blank lines and `#` comments, `\` escapes, trailing-space
 * trimming, `!` negation, a trailing `/` for directories only, patterns with a `/` anchored to the file's
 * directory, `*`, `?`, `[...]` (not crossing `/`), and `**` in leading, trailing and middle position.
 */

import { matchWithLastStar } from '../glob.js';

export interface IgnoreRule {
  negate: boolean;
  directoryOnly: boolean;
  /** Whether a path relative to the ignore file's directory ('/' separators) matches the pattern. */
  matches(path: string): boolean;
}

/** Rules of one ignore file, matched against paths relative to `base` ('' for the project root). */
export interface IgnoreFile {
  base: string;
  rules: IgnoreRule[];
}

/** Parses the text of a .gitignore file. */
export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const rule = compileIgnorePattern(rawLine);
    if (rule) rules.push(rule);
  }
  return rules;
}

/** Compiles one gitignore line; undefined for blanks and comments. Never throws, whatever the line holds. */
export function compileIgnorePattern(rawLine: string): IgnoreRule | undefined {
  let line = rawLine;
  if (line === '' || line.startsWith('#')) return undefined;
  // Trailing spaces are ignored unless escaped with a backslash.
  line = line.replace(/(?<!\\)[ \t]+$/, '');
  if (line === '') return undefined;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
  let directoryOnly = false;
  if (line.endsWith('/') && !line.endsWith('\\/')) {
    directoryOnly = true;
    line = line.slice(0, -1);
  }
  if (line === '') return undefined;
  // A slash at the start or in the middle anchors the pattern to the ignore file's directory.
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const segments: PatternSegment[] = line.split('/').map((segment) => (segment === '**' ? GLOBSTAR : compileSegment(segment)));
  if (!anchored && segments.length === 1 && segments[0] !== GLOBSTAR) {
    // The common case (`*.pyc`, `node_modules/`, `.env`): a name at any depth, i.e. the path's last segment. Asked
    // for every file and directory of the walk, so no split and no memo.
    const segment = segments[0]!;
    const name = /^[^*?[\\]*$/.test(line) ? line : undefined;
    // `*.pyc`, `*.log`: a star then plain characters is a suffix test, with no character array per name. (Not for
    // surrogates: the matcher compares code points, endsWith code units.)
    const suffix = /^\*[^*?[\\\ud800-\udfff]+$/.test(line) ? line.slice(1) : undefined;
    const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);
    return {
      negate,
      directoryOnly,
      matches:
        name !== undefined
          ? (path) => basename(path) === name
          : suffix !== undefined
            ? (path) => path.endsWith(suffix) // the suffix holds no '/', so it lies within the last segment
            : (path) => matchSegment(segment, basename(path)),
    };
  }
  if (!anchored) segments.unshift(GLOBSTAR);
  return { negate, directoryOnly, matches: (path) => matchSegments(segments, path.split('/')) };
}

/*
 * Matching is done segment by segment, without regular expressions: a glob like `*a*a*a*a*a*a*a*a*b` compiled to
 * a backtracking regex takes seconds to minutes per path (polynomial in the number of stars), and a range like
 * `[z-a]` is a regex syntax error. Within a segment the classic greedy wildcard algorithm is O(text × pattern);
 * `**` segments are matched with memoisation over (pattern segment, path segment).
 */

/** One character test of a segment pattern, or a star (any run of characters within the segment). */
type Token = { kind: 'star' } | { kind: 'char'; test: (char: string) => boolean };
type PatternSegment = Token[] | typeof GLOBSTAR;

const GLOBSTAR = Symbol('**');
const STAR: Token = { kind: 'star' };
const ANY: Token = { kind: 'char', test: () => true };
const literal = (expected: string): Token => ({ kind: 'char', test: (char) => char === expected });

const POSIX_CLASSES: Record<string, (char: string) => boolean> = {
  alnum: (c) => /^[\p{L}\p{N}]$/u.test(c),
  alpha: (c) => /^\p{L}$/u.test(c),
  blank: (c) => c === ' ' || c === '\t',
  cntrl: (c) => /^\p{Cc}$/u.test(c),
  digit: (c) => c >= '0' && c <= '9',
  graph: (c) => /^[\x21-\x7e]$/.test(c),
  lower: (c) => /^\p{Ll}$/u.test(c),
  print: (c) => /^[\x20-\x7e]$/.test(c),
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  space: (c) => /^\s$/.test(c),
  upper: (c) => /^\p{Lu}$/u.test(c),
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

/** Compiles the glob of one path segment (`*`, `?`, `[...]`, `\` escapes; a `**` inside a segment acts like `*`). */
function compileSegment(glob: string): Token[] {
  const chars = Array.from(glob);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (tokens.at(-1) !== STAR) tokens.push(STAR);
    } else if (c === '?') tokens.push(ANY);
    else if (c === '[') {
      const parsed = parseClass(chars, i);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.end;
      } else tokens.push(literal('['));
    } else if (c === '\\' && i + 1 < chars.length) tokens.push(literal(chars[++i]!));
    else tokens.push(literal(c));
  }
  return tokens;
}

/** Parses `[...]` starting at `start` as git's wildmatch does; undefined when it is not closed (a literal `[`). */
function parseClass(chars: string[], start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negate = true;
    i++;
  }
  const tests: ((char: string) => boolean)[] = [];
  let first = true;
  for (; i < chars.length; i++) {
    let c = chars[i]!;
    if (c === ']' && !first) {
      const test = (char: string) => tests.some((member) => member(char)) !== negate;
      return { token: { kind: 'char', test }, end: i };
    }
    first = false;
    if (c === '[' && chars[i + 1] === ':') {
      const close = chars.indexOf(':', i + 2);
      if (close > 0 && chars[close + 1] === ']') {
        const name = chars.slice(i + 2, close).join('');
        // An unknown class name matches nothing, as in git.
        tests.push(POSIX_CLASSES[name] ?? (() => false));
        i = close + 1;
        continue;
      }
    }
    if (c === '\\' && i + 1 < chars.length) c = chars[++i]!;
    if (chars[i + 1] === '-' && i + 2 < chars.length && chars[i + 2] !== ']') {
      let high = chars[i + 2]!;
      i += 2;
      if (high === '\\' && i + 1 < chars.length) high = chars[++i]!;
      const low = c;
      // As in git's wildmatch, the range's first character always matches, so `[z-a]` matches `z` only.
      tests.push((char) => char === low || (char >= low && char <= high));
    } else {
      const member = c;
      tests.push((char) => char === member);
    }
  }
  return undefined;
}

/** Wildcard matching within one segment (the shared one-resume-point matcher: linear). */
function matchSegment(tokens: Token[], segment: string): boolean {
  return matchWithLastStar(tokens, Array.from(segment), (token, char) => token.kind === 'char' && token.test(char));
}

/** Matches pattern segments against path segments; a leading/middle `**` is zero or more dirs, a trailing one one or more. */
function matchSegments(pattern: PatternSegment[], path: string[]): boolean {
  const memo = new Map<number, boolean>();
  const match = (pi: number, si: number): boolean => {
    const key = pi * (path.length + 1) + si;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const segment = pattern[pi];
    if (segment === undefined) result = si === path.length;
    else if (segment === GLOBSTAR) {
      if (pi === pattern.length - 1) result = si < path.length;
      else {
        result = false;
        for (let k = si; k <= path.length && !result; k++) result = match(pi + 1, k);
      }
    } else result = si < path.length && matchSegment(segment, path[si]!) && match(pi + 1, si + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

/**
 * Whether `path` (relative to the root, '/' separators) is ignored by the stack of ignore files that apply to it
 * (outermost first). The last matching rule of the deepest file that has one decides, as in git.
 */
export function isIgnored(stack: IgnoreFile[], path: string, isDirectory: boolean): boolean {
  for (let f = stack.length - 1; f >= 0; f--) {
    const file = stack[f]!;
    let relative = path;
    if (file.base) {
      if (!path.startsWith(`${file.base}/`)) continue;
      relative = path.slice(file.base.length + 1);
    }
    for (let r = file.rules.length - 1; r >= 0; r--) {
      const rule = file.rules[r]!;
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.matches(relative)) return !rule.negate;
    }
  }
  return false;
}
