/**
 * POSIX shell word splitting, as far as worker commands need it: single and double quotes, backslash escapes,
 * comments, command separators (`&&`, `||`, `;`, `|`, `&`, newlines) and, inside `sh -c` scripts, `$VAR` /
 * `${VAR}` / `${VAR:-d}` expansion with field splitting of unquoted expansions.
 */

export interface Word {
  value: string;
  /** Variables expanded into this word. */
  variables: string[];
  /**
   * Variables in this word that `expand` does not know (unset, no default): their text is kept as written
   * (`$REDIS_URL`), one word, never empty, so the words after it keep their places. Absent when none.
   */
  unknown?: string[];
}

/** Splits a string like compose does for a shell-form `command:` (no expansion, no operators). */
export function splitShellWords(text: string): string[] {
  return parseShell(text, { operators: false }).flat().map((word) => word.value);
}

export interface ParseOptions {
  /** Treat `&&`, `||`, `;`, `|`, `&` and newlines as command separators (inside `sh -c`). */
  operators: boolean;
  /**
   * Expands `$NAME`; undefined for a variable it does not know, which stays as written and is listed in the word's
   * `unknown` (a platform's `$REDIS_URL` is not empty: it is unknown). Without it `$` is literal.
   */
  expand?: (name: string) => string | undefined;
}

/** Parses shell text into commands (lists of words). */
export function parseShell(text: string, options: ParseOptions): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let current = '';
  let variables: string[] = [];
  let unknown: string[] = [];
  let inWord = false;
  /** Characters of `current` that came from unquoted expansions, for field splitting. */
  let splittable: boolean[] = [];
  let quoted = false;

  const endWord = () => {
    if (!inWord) return;
    // Field splitting: unquoted expansion results split on whitespace; empty unquoted expansions vanish.
    let field = '';
    let fieldHasContent = false;
    const fields: string[] = [];
    for (let k = 0; k < current.length; k++) {
      const ch = current[k]!;
      if (splittable[k] && /\s/.test(ch)) {
        if (fieldHasContent) fields.push(field);
        field = '';
        fieldHasContent = false;
      } else {
        field += ch;
        fieldHasContent = true;
      }
    }
    if (fieldHasContent) fields.push(field);
    if (current === '' && quoted) fields.push('');
    for (const value of fields) words.push({ value, variables: [...variables], ...(unknown.length ? { unknown: [...unknown] } : {}) });
    current = '';
    variables = [];
    unknown = [];
    splittable = [];
    quoted = false;
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  const append = (chars: string, fromExpansion: boolean) => {
    current += chars;
    for (let k = 0; k < chars.length; k++) splittable.push(fromExpansion);
    inWord = true;
  };

  /**
   * Reads `$NAME`, `${NAME}`, `${NAME:-default}` at i; returns [value, nextIndex, name, known] or undefined when `$` is
   * literal. An unknown variable with no default keeps its text (`known` false).
   */
  const expansion = (i: number): [string, number, string, boolean] | undefined => {
    if (!options.expand) return undefined;
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) return undefined;
      const inner = text.slice(i + 2, close);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?$/s.exec(inner);
      if (!match) return undefined;
      const [, name, operator, word] = match;
      const value = options.expand(name!);
      const empty = value === undefined || (operator?.startsWith(':') && value === '');
      let result = value ?? '';
      let known = value !== undefined;
      if (operator === ':-' || operator === '-' || operator === ':=' || operator === '=') {
        if (operator.startsWith(':') ? empty : value === undefined) result = word ?? '';
        known = true;
      } else if (operator === ':+' || operator === '+') {
        result = (operator === ':+' ? !empty : value !== undefined) ? (word ?? '') : '';
        known = true;
      }
      return known ? [result, close + 1, name!, true] : [text.slice(i, close + 1), close + 1, name!, false];
    }
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1, i + 65));
    if (!match) return undefined;
    const value = options.expand(match[0]);
    const next = i + 1 + match[0].length;
    return value === undefined ? [text.slice(i, next), next, match[0], false] : [value, next, match[0], true];
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      if (text[i + 1] === '\n') i += 2;
      else {
        append(text[i + 1] ?? '', false);
        i += 2;
      }
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      append(text.slice(i + 1, end), false);
      inWord = true;
      quoted = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      inWord = true;
      quoted = true;
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length && '$`"\\\n'.includes(text[j + 1]!)) {
          if (text[j + 1] !== '\n') append(text[j + 1]!, false);
          j += 2;
        } else if (text[j] === '$') {
          const expanded = expansion(j);
          if (expanded) {
            append(expanded[0], false);
            variables.push(expanded[2]);
            if (!expanded[3]) unknown.push(expanded[2]);
            j = expanded[1];
          } else append(text[j++]!, false);
        } else append(text[j++]!, false);
      }
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const expanded = expansion(i);
      if (expanded) {
        // An unknown variable's text is one field: it is not split and never vanishes.
        append(expanded[0], expanded[3]);
        inWord = true;
        variables.push(expanded[2]);
        if (!expanded[3]) unknown.push(expanded[2]);
        i = expanded[1];
        continue;
      }
    }
    if (c === ' ' || c === '\t' || (c === '\n' && !options.operators)) {
      endWord();
      i++;
      continue;
    }
    if (options.operators) {
      if (c === '\n' || c === ';' || c === '|' || c === '&') {
        endCommand();
        i += (c === '|' || c === '&') && text[i + 1] === c ? 2 : 1;
        continue;
      }
      if (c === '#' && !inWord) {
        while (i < text.length && text[i] !== '\n') i++;
        continue;
      }
      if ((c === '(' || c === ')') && !inWord) {
        endCommand();
        i++;
        continue;
      }
    }
    append(c, false);
    i++;
  }
  endCommand();
  return commands;
}
