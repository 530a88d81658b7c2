/**
 * .gitignore matching as git does it (gitignore(5)): blank lines and `#` comments, `\` escapes, trailing-space
 * trimming, `!` negation, a trailing `/` for directories only, patterns with a `/` anchored to the file's
 * directory, `*`, `?`, `[...]` (not crossing `/`), and `**` in leading, trailing and middle position.
 */

export interface IgnoreRule {
  negate: boolean;
  directoryOnly: boolean;
  regex: RegExp;
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

/** Compiles one gitignore line; undefined for blanks and comments. */
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
  const body = globToRegex(line);
  const source = anchored ? `^${body}$` : `^(?:.*/)?${body}$`;
  return { negate, directoryOnly, regex: new RegExp(source) };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          if (i + 2 === glob.length) out += '.*'; // trailing `/**`: everything inside
          else {
            out += '(?:.*/)?'; // leading or middle `**/`: zero or more directories
            i++; // skip the '/'
          }
          i++;
          continue;
        }
        // `**` not delimited by slashes acts like `*`
        i++;
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let set = glob.slice(i + 1, close);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        out += `[${set.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegex(glob[i + 1]!);
      i++;
    } else out += escapeRegex(c);
  }
  return out;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

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
      if (rule.regex.test(relative)) return !rule.negate;
    }
  }
  return false;
}
