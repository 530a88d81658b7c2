/**
 * Python's `fnmatch` globs (`*`, `?`, `[seq]`, `[!seq]`), matched without a backtracking RegExp: a glob comes
 * from the repository under check (supervisord `[include] files`, Celery `task_routes` keys), and `'******Z'`
 * turned into `.*.*.*.*.*.*Z` takes seconds against a long name. The matcher below keeps one resume point (the
 * last `*`), so its work is at most (glob length × name length), never exponential.
 */

type GlobToken = { kind: 'star' } | { kind: 'any' } | { kind: 'literal'; char: string } | { kind: 'set'; negate: boolean; items: [string, string][] };

/** Tokens of an fnmatch glob, as `fnmatch.translate` reads it (an unclosed `[` is a literal). */
function tokenize(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      // Consecutive stars are one (fnmatch.translate folds them too).
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[') {
      let j = i + 1;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j >= chars.length) {
        tokens.push({ kind: 'literal', char: c });
        continue;
      }
      let body = chars.slice(i + 1, j);
      const negate = body[0] === '!';
      if (negate) body = body.slice(1);
      const items: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && k + 2 < body.length) {
          // A reversed range (`z-a`) matches nothing, as in Python.
          if (body[k]! <= body[k + 2]!) items.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else items.push([body[k]!, body[k]!]);
      }
      tokens.push({ kind: 'set', negate, items });
      i = j;
    } else tokens.push({ kind: 'literal', char: c });
  }
  return tokens;
}

function matchesOne(token: Exclude<GlobToken, { kind: 'star' }>, char: string): boolean {
  if (token.kind === 'any') return true;
  if (token.kind === 'literal') return token.char === char;
  const inSet = token.items.some(([low, high]) => char >= low && char <= high);
  return inSet !== token.negate;
}

/**
 * Wildcard matching with one resume point, shared by these globs and .gitignore patterns (src/scan/gitignore.ts):
 * on a mismatch, only the last `*` swallows one more character and the tokens after it are tried again, so the work
 * is at most (tokens × characters), never exponential. `matches` tests one non-star token against one character.
 */
export function matchWithLastStar<T extends { kind: string }>(
  tokens: readonly T[],
  chars: readonly string[],
  matches: (token: T, char: string) => boolean,
): boolean {
  let t = 0;
  let c = 0;
  // Where to resume after the last star: the token after it, and the name position it has swallowed up to.
  let starToken = -1;
  let starChar = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token && token.kind === 'star') {
      starToken = t++;
      starChar = c;
    } else if (token && matches(token, chars[c]!)) {
      t++;
      c++;
    } else if (starToken >= 0) {
      t = starToken + 1;
      c = ++starChar;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

/** A matcher for an fnmatch glob (whole name, case-sensitive as `fnmatchcase`); linear in the glob for each name. */
export function globMatcher(glob: string): (name: string) => boolean {
  const tokens = tokenize(glob);
  return (name) => matchWithLastStar(tokens, [...name], (token, char) => matchesOne(token as Exclude<GlobToken, { kind: 'star' }>, char));
}
