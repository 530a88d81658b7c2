/**
 * Parses JSON with comments and trailing commas, as tsconfig.json is written (TypeScript's own reader accepts both).
 * One linear pass: comments become spaces (a line comment disappears up to its newline), and a comma that only
 * whitespace and comments separate from a closing bracket is dropped. Throws SyntaxError.
 */
export function parseJsonc(text: string): unknown {
  // Parts, not one string: dropping a comma blanks its part instead of copying everything written so far (which
  // made a hostile 1 MiB file of `[1,],` take a minute).
  const parts: string[] = [];
  let pendingComma = -1; // index in `parts` of a comma that only whitespace and comments follow so far
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      parts.push(text.slice(i, end));
      pendingComma = -1;
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      parts.push(' ');
    } else {
      if ((c === '}' || c === ']') && pendingComma >= 0) parts[pendingComma] = '';
      if (c === ',') pendingComma = parts.length;
      else if (!/\s/.test(c)) pendingComma = -1;
      parts.push(c);
      i++;
    }
  }
  return JSON.parse(parts.join(''));
}

/** Index just past the string literal starting at `start` (the text's end when unterminated). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}
