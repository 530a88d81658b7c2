/**
 * Parses JSON with comments and trailing commas, as tsconfig.json is written (TypeScript's own reader accepts both).
 * Two linear passes: comments become spaces, then commas before a closing bracket are dropped. Throws SyntaxError.
 */
export function parseJsonc(text: string): unknown {
  return JSON.parse(dropTrailingCommas(blankComments(text)));
}

function blankComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function dropTrailingCommas(text: string): string {
  let out = '';
  let pendingComma = -1; // index in `out` of a comma that only whitespace follows so far
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      pendingComma = -1;
      i = end;
      continue;
    }
    if ((c === '}' || c === ']') && pendingComma >= 0) out = out.slice(0, pendingComma) + out.slice(pendingComma + 1);
    if (c === ',') pendingComma = out.length;
    else if (!/\s/.test(c)) pendingComma = -1;
    out += c;
    i++;
  }
  return out;
}

/** Index just past the string literal starting at `start` (the text's end when unterminated). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}
