import { InputError } from '../../errors.js';
import type { Location } from '../../types.js';

/**
 * A small TOML reader for fly.toml: tables, arrays of tables, dotted and quoted keys, basic/literal/multi-line
 * strings, numbers, booleans, dates (kept as text), arrays and inline tables; every value remembers its line.
 * One pass over the text (linear); nesting is bounded; duplicate keys and syntax errors are InputErrors at
 * file:line:col.
 */

export type TomlValue =
  | { kind: 'table'; entries: Map<string, TomlEntry>; location: Location }
  | { kind: 'array'; items: TomlValue[]; location: Location }
  | { kind: 'string' | 'number' | 'boolean' | 'datetime'; value: string; location: Location };

export interface TomlEntry {
  value: TomlValue;
  /** Where the key is written. */
  location: Location;
}

const MAX_NESTING = 100;
const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\', e: '\x1b' };

class TomlParser {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  readonly root: TomlValue & { kind: 'table' };
  /** Tables created by a header or a key, which may not be defined twice. */
  private readonly defined = new Set<TomlValue>();
  /** Tables created by dotted keys (`apple.color = …`), which a `[header]` may not define again (TOML 1.0). */
  private readonly dotted = new Set<TomlValue>();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.root = { kind: 'table', entries: new Map(), location: { file, line: 1 } };
  }

  private at(): Location {
    return { file: this.file, line: this.line, column: this.i - this.lineStart + 1 };
  }

  private fail(reason: string): never {
    throw new InputError(`invalid TOML: ${reason}`, this.at());
  }

  private peek(offset = 0): string {
    return this.text[this.i + offset] ?? '';
  }

  private advance(count = 1): void {
    for (let k = 0; k < count; k++) {
      if (this.text[this.i] === '\n') {
        this.line++;
        this.lineStart = this.i + 1;
      }
      this.i++;
    }
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.advance();
  }

  /** Spaces, newlines and comments (inside arrays). */
  private skipBlank(): void {
    for (;;) {
      const ch = this.peek();
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') this.advance();
      else if (ch === '#') this.skipComment();
      else return;
    }
  }

  private skipComment(): void {
    while (this.i < this.text.length && this.peek() !== '\n') this.advance();
  }

  private endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') this.skipComment();
    if (this.peek() === '\r') this.advance();
    if (this.i < this.text.length && this.peek() !== '\n') this.fail(`unexpected \`${this.peek()}\` after a value`);
    this.advance();
  }

  parse(): TomlValue & { kind: 'table' } {
    let table = this.root;
    while (this.i < this.text.length) {
      this.skipBlank();
      if (this.i >= this.text.length) break;
      if (this.peek() === '[') table = this.header();
      else {
        this.keyValue(table);
        this.endOfLine();
      }
    }
    return this.root;
  }

  private header(): TomlValue & { kind: 'table' } {
    const location = this.at();
    const isArray = this.peek(1) === '[';
    this.advance(isArray ? 2 : 1);
    this.skipSpaces();
    const keys = this.key();
    this.skipSpaces();
    if (this.peek() !== ']' || (isArray && this.peek(1) !== ']')) this.fail(`expected \`${isArray ? ']]' : ']'}\``);
    this.advance(isArray ? 2 : 1);
    this.endOfLine();
    let table = this.root;
    for (const [index, key] of keys.entries()) {
      const last = index === keys.length - 1;
      const existing = table.entries.get(key)?.value;
      if (last && isArray) {
        const fresh: TomlValue & { kind: 'table' } = { kind: 'table', entries: new Map(), location };
        if (existing === undefined) table.entries.set(key, { value: { kind: 'array', items: [fresh], location }, location });
        else if (existing.kind === 'array') existing.items.push(fresh);
        else this.failAt(location, `\`${keys.join('.')}\` is already defined`);
        return fresh;
      }
      if (existing === undefined) {
        const fresh: TomlValue & { kind: 'table' } = { kind: 'table', entries: new Map(), location };
        table.entries.set(key, { value: fresh, location });
        table = fresh;
      } else if (existing.kind === 'table') {
        if (last && this.defined.has(existing)) this.failAt(location, `table \`${keys.join('.')}\` is defined twice`);
        if (last && this.dotted.has(existing)) this.failAt(location, `table \`${keys.join('.')}\` is already defined by dotted keys`);
        table = existing;
      } else if (existing.kind === 'array' && existing.items.at(-1)?.kind === 'table' && !last) {
        table = existing.items.at(-1) as TomlValue & { kind: 'table' };
      } else this.failAt(location, `\`${keys.join('.')}\` is already defined`);
    }
    this.defined.add(table);
    return table;
  }

  private failAt(location: Location, reason: string): never {
    throw new InputError(`invalid TOML: ${reason}`, location);
  }

  private key(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipSpaces();
      const ch = this.peek();
      if (ch === '"') keys.push(this.basicString());
      else if (ch === "'") keys.push(this.literalString());
      else {
        const start = this.i;
        while (BARE_KEY.test(this.peek())) this.advance();
        if (this.i === start) this.fail(ch === '' ? 'unexpected end of file, expected a key' : `unexpected \`${ch}\`, expected a key`);
        keys.push(this.text.slice(start, this.i));
      }
      this.skipSpaces();
      if (this.peek() !== '.') return keys;
      this.advance();
    }
  }

  private keyValue(table: TomlValue & { kind: 'table' }, depth = 0): void {
    const location = this.at();
    const keys = this.key();
    this.skipSpaces();
    if (this.peek() !== '=') this.fail('expected `=` after a key');
    this.advance();
    this.skipSpaces();
    const value = this.value(depth);
    let target = table;
    for (const key of keys.slice(0, -1)) {
      const existing = target.entries.get(key)?.value;
      if (existing === undefined) {
        const fresh: TomlValue & { kind: 'table' } = { kind: 'table', entries: new Map(), location };
        target.entries.set(key, { value: fresh, location });
        this.dotted.add(fresh);
        target = fresh;
      } else if (existing.kind === 'table' && !this.defined.has(existing)) target = existing;
      else this.failAt(location, `\`${keys.join('.')}\` is already defined`);
    }
    const last = keys[keys.length - 1]!;
    if (target.entries.has(last)) this.failAt(location, `duplicate key \`${keys.join('.')}\``);
    target.entries.set(last, { value, location });
  }

  private value(depth: number): TomlValue {
    if (depth > MAX_NESTING) this.fail(`nested more than ${MAX_NESTING} levels deep`);
    const location = this.at();
    const ch = this.peek();
    if (ch === '"') return { kind: 'string', value: this.basicString(), location };
    if (ch === "'") return { kind: 'string', value: this.literalString(), location };
    if (ch === '[') return this.array(depth, location);
    if (ch === '{') return this.inlineTable(depth, location);
    const start = this.i;
    while (this.i < this.text.length && !/[\s,\]}#]/.test(this.peek())) this.advance();
    let raw = this.text.slice(start, this.i);
    // A date-time may hold one space between date and time.
    if (/^\d{4}-\d{2}-\d{2}$/.test(raw) && this.peek() === ' ' && /\d/.test(this.peek(1))) {
      this.advance();
      while (this.i < this.text.length && !/[\s,\]}#]/.test(this.peek())) this.advance();
      raw = this.text.slice(start, this.i);
    }
    if (raw === 'true' || raw === 'false') return { kind: 'boolean', value: raw, location };
    if (/^[+-]?(\d[\d_]*|0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+)$/.test(raw) || /^[+-]?(inf|nan)$/.test(raw) || /^[+-]?\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d[\d_]*)?$/.test(raw)) {
      return { kind: 'number', value: raw, location };
    }
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(raw)) return { kind: 'datetime', value: raw, location };
    this.i = start;
    return this.fail(raw === '' ? 'expected a value' : `invalid value \`${raw.slice(0, 40)}\``);
  }

  private array(depth: number, location: Location): TomlValue {
    this.advance();
    const items: TomlValue[] = [];
    for (;;) {
      this.skipBlank();
      if (this.peek() === ']') break;
      if (this.i >= this.text.length) this.fail('unterminated array');
      items.push(this.value(depth + 1));
      this.skipBlank();
      if (this.peek() === ',') this.advance();
      else if (this.peek() !== ']') this.fail('expected `,` or `]` in an array');
    }
    this.advance();
    return { kind: 'array', items, location };
  }

  private inlineTable(depth: number, location: Location): TomlValue {
    this.advance();
    const table: TomlValue & { kind: 'table' } = { kind: 'table', entries: new Map(), location };
    this.skipSpaces();
    if (this.peek() === '}') {
      this.advance();
      return table;
    }
    for (;;) {
      this.skipSpaces();
      this.keyValue(table, depth + 1);
      this.skipSpaces();
      if (this.peek() === ',') this.advance();
      else if (this.peek() === '}') break;
      else this.fail('expected `,` or `}` in an inline table');
    }
    this.advance();
    this.defined.add(table);
    return table;
  }

  private basicString(): string {
    const multi = this.text.startsWith('"""', this.i);
    this.advance(multi ? 3 : 1);
    if (multi && this.peek() === '\n') this.advance();
    else if (multi && this.peek() === '\r' && this.peek(1) === '\n') this.advance(2);
    let out = '';
    for (;;) {
      if (this.i >= this.text.length) this.fail('unterminated string');
      const ch = this.peek();
      if (multi ? this.text.startsWith('"""', this.i) : ch === '"') {
        // Up to two quotes may end a multi-line string's content.
        if (multi) {
          let extra = 0;
          while (extra < 2 && this.peek(3 + extra) === '"') extra++;
          out += '"'.repeat(extra);
          this.advance(3 + extra);
        } else this.advance();
        return out;
      }
      if (ch === '\n' && !multi) this.fail('newline in a string');
      if (ch === '\\') {
        const next = this.peek(1);
        if (multi && /[ \t\r\n]/.test(next)) {
          // A line-ending backslash trims the whitespace that follows.
          this.advance();
          while (/[ \t\r\n]/.test(this.peek())) this.advance();
          continue;
        }
        if (next === 'u' || next === 'U') {
          const length = next === 'u' ? 4 : 8;
          const hex = this.text.slice(this.i + 2, this.i + 2 + length);
          const code = /^[0-9A-Fa-f]+$/.test(hex) && hex.length === length ? Number.parseInt(hex, 16) : Number.NaN;
          if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) this.fail('invalid unicode escape');
          out += String.fromCodePoint(code);
          this.advance(2 + length);
          continue;
        }
        const escaped = ESCAPES[next];
        if (escaped === undefined) this.fail(`invalid escape \`\\${next}\``);
        out += escaped;
        this.advance(2);
        continue;
      }
      out += ch;
      this.advance();
    }
  }

  private literalString(): string {
    const multi = this.text.startsWith("'''", this.i);
    this.advance(multi ? 3 : 1);
    if (multi && this.peek() === '\n') this.advance();
    const end = this.text.indexOf(multi ? "'''" : "'", this.i);
    if (end === -1) this.fail('unterminated string');
    let close = end;
    if (multi) while (this.text[close + 3] === "'" && close < end + 2) close++;
    const value = this.text.slice(this.i, close);
    if (!multi && value.includes('\n')) this.fail('newline in a string');
    this.advance(close - this.i + (multi ? 3 : 1));
    return value;
  }
}

/** Parses TOML text; `file` names it in locations and errors. */
export function parseToml(text: string, file: string): TomlValue & { kind: 'table' } {
  return new TomlParser(text, file).parse();
}
