/**
 * Python `re` patterns from the scanned project (Celery's `task_routes` regex keys), matched with `re.match`
 * semantics (anchored at the start, not at the end) without a backtracking engine: the pattern is parsed (one pass,
 * nesting capped) into a Thompson NFA (states capped) and simulated over the text (a Pike VM without captures:
 * O(text × states)), so a hostile pattern cannot hang the scan. The common shapes are supported — literals and
 * escapes, `.`, `^`/`$`/`\A`/`\Z`/`\b`/`\B`, classes with ranges and `\w\d\s` (and their negations), groups
 * (`(…)`, `(?:…)`, `(?P<name>…)`), alternation, `*`/`+`/`?`/`{m,n}` (lazy too: whether a match exists does not
 * depend on laziness), flags `re.I`/`re.S`/`re.M`/`re.A` and leading `(?ims a)`. Everything else (back-references,
 * lookaround, conditionals, possessive/atomic forms, verbose mode, scoped flags, invalid patterns) throws
 * `UnsupportedPattern`: the caller reports the route as unresolved, never a guess.
 */

export class UnsupportedPattern extends Error {}

export interface RegexFlags {
  ignoreCase?: boolean;
  dotAll?: boolean;
  multiline?: boolean;
  ascii?: boolean;
}

/** Flag names as `re` spells them (`re.I`, `re.IGNORECASE`, …) → the flag; null for one this matcher refuses. */
export function flagOf(name: string): keyof RegexFlags | 'none' | null {
  const short = name.replace(/^re\./, '');
  const flags: Record<string, keyof RegexFlags | 'none'> = {
    I: 'ignoreCase', IGNORECASE: 'ignoreCase', S: 'dotAll', DOTALL: 'dotAll', M: 'multiline', MULTILINE: 'multiline',
    A: 'ascii', ASCII: 'ascii', U: 'none', UNICODE: 'none', NOFLAG: 'none',
  };
  return Object.hasOwn(flags, short) ? flags[short]! : null;
}

const MAX_PATTERN = 4096;
const MAX_DEPTH = 64;
const MAX_STATES = 20_000;

type CharTest = (cp: number) => boolean;
type Assertion = 'start' | 'end' | 'startText' | 'endText' | 'boundary' | 'notBoundary';
type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: Assertion };

type State =
  | { k: 'char'; test: CharTest; next: number }
  | { k: 'split'; a: number; b: number }
  | { k: 'assert'; kind: Assertion; next: number }
  | { k: 'jump'; next: number }
  | { k: 'match' };

const ASCII_WORD = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const ASCII_DIGIT = (cp: number) => cp >= 48 && cp <= 57;
const ASCII_SPACE = (cp: number) => cp === 32 || (cp >= 9 && cp <= 13);
const UNICODE_WORD = /^[\p{L}\p{N}_]$/u;
const UNICODE_DIGIT = /^\p{Nd}$/u;
const UNICODE_SPACE = /^[\s\x1c-\x1f\x85]$/u;

/** A compiled pattern: `matchesAtStart(text)` is `re.match(pattern, text) is not None`. */
export class PythonRegex {
  private constructor(
    private readonly states: State[],
    private readonly start: number,
    private readonly flags: RegexFlags,
  ) {}

  static compile(pattern: string, flags: RegexFlags = {}): PythonRegex {
    if (pattern.length > MAX_PATTERN) throw new UnsupportedPattern('pattern too long');
    const all = { ...flags };
    // Global inline flags: Python 3.11 accepts them only at the start.
    let body = pattern;
    const leading = /^\(\?([a-zA-Z]+)\)/.exec(body);
    if (leading) {
      for (const letter of leading[1]!) {
        const letters: Record<string, keyof RegexFlags | 'none'> = { i: 'ignoreCase', s: 'dotAll', m: 'multiline', a: 'ascii', u: 'none' };
        const flag = Object.hasOwn(letters, letter) ? letters[letter] : undefined;
        if (!flag) throw new UnsupportedPattern(`flag (?${letter})`);
        if (flag !== 'none') all[flag] = true;
      }
      body = body.slice(leading[0].length);
    }
    const node = new Parser(body, all).parse();
    const states: State[] = [];
    const start = build(node, states, push(states, { k: 'match' }));
    return new PythonRegex(states, start, all);
  }

  matchesAtStart(text: string): boolean {
    const chars = Array.from(text, (c) => c.codePointAt(0)!);
    const seen = new Int32Array(this.states.length).fill(-1);
    let current: number[] = [];
    const isWord = this.flags.ascii ? ASCII_WORD : (cp: number) => ASCII_WORD(cp) || (cp > 127 && UNICODE_WORD.test(String.fromCodePoint(cp)));
    /** Follows the ε-moves from `state` at position `at` (an explicit stack: no recursion on hostile patterns). */
    const add = (list: number[], state: number, at: number, generation: number): boolean => {
      const stack = [state];
      while (stack.length) {
        const id = stack.pop()!;
        if (seen[id] === generation) continue;
        seen[id] = generation;
        const s = this.states[id]!;
        if (s.k === 'match') return true;
        if (s.k === 'char') list.push(id);
        else if (s.k === 'jump') stack.push(s.next);
        else if (s.k === 'split') stack.push(s.b, s.a);
        else if (holds(s.kind, chars, at, this.flags, isWord)) stack.push(s.next);
      }
      return false;
    };
    if (add(current, this.start, 0, 0)) return true;
    for (let at = 0; at < chars.length && current.length; at++) {
      const next: number[] = [];
      for (const id of current) {
        const s = this.states[id] as Extract<State, { k: 'char' }>;
        if (s.test(chars[at]!) && add(next, s.next, at + 1, at + 1)) return true;
      }
      current = next;
    }
    return false;
  }
}

function holds(kind: Assertion, chars: number[], at: number, flags: RegexFlags, isWord: CharTest): boolean {
  const NL = 10;
  switch (kind) {
    case 'startText':
      return at === 0;
    case 'endText':
      return at === chars.length;
    case 'start':
      return at === 0 || (flags.multiline === true && chars[at - 1] === NL);
    case 'end':
      return at === chars.length || (chars[at] === NL && (flags.multiline === true || at === chars.length - 1));
    case 'boundary':
    case 'notBoundary': {
      const before = at > 0 && isWord(chars[at - 1]!);
      const after = at < chars.length && isWord(chars[at]!);
      return (before !== after) === (kind === 'boundary');
    }
  }
}

function push(states: State[], state: State): number {
  if (states.length >= MAX_STATES) throw new UnsupportedPattern('pattern too large');
  states.push(state);
  return states.length - 1;
}

/** Builds `node` so that it continues at `next`; returns its entry state. Recursion depth is the parser's (capped). */
function build(node: Node, states: State[], next: number): number {
  switch (node.t) {
    case 'char':
      return push(states, { k: 'char', test: node.test, next });
    case 'assert':
      return push(states, { k: 'assert', kind: node.kind, next });
    case 'seq': {
      let entry = next;
      for (let i = node.items.length - 1; i >= 0; i--) entry = build(node.items[i]!, states, entry);
      return entry;
    }
    case 'alt': {
      let entry = build(node.options.at(-1)!, states, next);
      for (let i = node.options.length - 2; i >= 0; i--) entry = push(states, { k: 'split', a: build(node.options[i]!, states, next), b: entry });
      return entry;
    }
    case 'repeat': {
      let entry = next;
      if (node.max === Infinity) {
        // A loop: split → (node → back to split) | next.
        const loop = push(states, { k: 'split', a: -1, b: next });
        const body = build(node.node, states, loop);
        (states[loop] as Extract<State, { k: 'split' }>).a = body;
        entry = loop;
      } else {
        for (let i = node.max - node.min; i > 0; i--) entry = push(states, { k: 'split', a: build(node.node, states, entry), b: next });
      }
      for (let i = 0; i < node.min; i++) entry = build(node.node, states, entry);
      return entry;
    }
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly source: string,
    private readonly flags: RegexFlags,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.source.length) throw new UnsupportedPattern(`unbalanced parenthesis at ${this.i}`);
    return node;
  }

  private alternation(): Node {
    if (++this.depth > MAX_DEPTH) throw new UnsupportedPattern('nesting too deep');
    const options = [this.sequence()];
    while (this.source[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    this.depth--;
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.source.length && this.source[this.i] !== '|' && this.source[this.i] !== ')') {
      const atom = this.atom();
      if (atom === undefined) continue;
      items.push(this.quantified(atom));
    }
    return { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const quantifier = this.quantifier();
    if (!quantifier) return atom;
    if (atom.t === 'assert') throw new UnsupportedPattern('repeated assertion');
    const lazy = this.source[this.i] === '?';
    if (lazy) this.i++;
    const after = this.source[this.i];
    if (after === '+' || after === '*' || after === '?' || (after === '{' && this.peekQuantifier())) {
      throw new UnsupportedPattern('possessive or multiple repeat');
    }
    return { t: 'repeat', node: atom, ...quantifier };
  }

  /** A valid `{m}`, `{m,}`, `{,n}`, `{m,n}` at the cursor (`{}` is a literal). */
  private peekQuantifier(): boolean {
    const found = /^\{(\d*)(,(\d*))?\}/.exec(this.source.slice(this.i, this.i + 24));
    return found !== null && !(found[1] === '' && found[2] === undefined);
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.source[this.i];
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      return c === '*' ? { min: 0, max: Infinity } : c === '+' ? { min: 1, max: Infinity } : { min: 0, max: 1 };
    }
    if (c !== '{') return undefined;
    const found = /^\{(\d*)(,(\d*))?\}/.exec(this.source.slice(this.i, this.i + 24));
    // `{` that is no quantifier is a literal (as in Python).
    if (!found || (found[1] === '' && found[2] === undefined)) return undefined;
    this.i += found[0].length;
    const min = found[1] === '' ? 0 : Number(found[1]);
    const max = found[2] === undefined ? min : found[3] === '' ? Infinity : Number(found[3]);
    if (max < min) throw new UnsupportedPattern('min repeat greater than max repeat');
    if (min > 1000 || (max !== Infinity && max > 1000)) throw new UnsupportedPattern('repeat count too large');
    return { min, max };
  }

  private atom(): Node | undefined {
    const c = this.source[this.i]!;
    this.i++;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { t: 'char', test: this.caseless(this.charClass()) };
      case '.':
        return { t: 'char', test: this.flags.dotAll ? () => true : (cp) => cp !== 10 };
      case '^':
        return { t: 'assert', kind: 'start' };
      case '$':
        return { t: 'assert', kind: 'end' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new UnsupportedPattern('nothing to repeat');
      default: {
        // A `{m,n}` with nothing before it is an error in Python, not a literal.
        if (c === '{') {
          this.i--;
          const quantifier = this.peekQuantifier() && !this.source.startsWith('{}', this.i);
          this.i++;
          if (quantifier) throw new UnsupportedPattern('nothing to repeat');
        }
        const cp = this.source.codePointAt(this.i - 1)!;
        if (cp > 0xffff) this.i++;
        return { t: 'char', test: this.caseless((x) => x === cp) };
      }
    }
  }

  private group(): Node | undefined {
    if (this.source[this.i] === '?') {
      const rest = this.source.slice(this.i, this.i + 3);
      if (rest.startsWith('?:')) this.i += 2;
      else if (rest.startsWith('?P<')) {
        const close = this.source.indexOf('>', this.i);
        if (close < 0 || !/^[A-Za-z_]\w*$/.test(this.source.slice(this.i + 3, close))) throw new UnsupportedPattern('bad group name');
        this.i = close + 1;
      } else if (rest.startsWith('?#')) {
        const close = this.source.indexOf(')', this.i);
        if (close < 0) throw new UnsupportedPattern('unterminated comment');
        this.i = close + 1;
        return undefined;
      } else throw new UnsupportedPattern(`group (${rest}…`);
    }
    const inner = this.alternation();
    if (this.source[this.i] !== ')') throw new UnsupportedPattern('missing )');
    this.i++;
    return inner;
  }

  private escape(): Node {
    const c = this.source[this.i];
    if (c === undefined) throw new UnsupportedPattern('bad escape (end of pattern)');
    this.i++;
    const assertions: Record<string, Assertion> = { A: 'startText', Z: 'endText', b: 'boundary', B: 'notBoundary' };
    if (Object.hasOwn(assertions, c)) return { t: 'assert', kind: assertions[c]! };
    const named = this.namedClass(c);
    if (named) return { t: 'char', test: named };
    return { t: 'char', test: this.caseless(((cp) => (x: number) => x === cp)(this.escapedCodePoint(c))) };
  }

  /** `\d \w \s` and negations, under the flags (ASCII or Unicode). */
  private namedClass(c: string): CharTest | undefined {
    const ascii = this.flags.ascii === true;
    const unicode = (ascii: CharTest, re: RegExp): CharTest => (cp) => ascii(cp) || (cp > 127 && re.test(String.fromCodePoint(cp)));
    const tests: Record<string, CharTest> = {
      d: ascii ? ASCII_DIGIT : unicode(ASCII_DIGIT, UNICODE_DIGIT),
      w: ascii ? ASCII_WORD : unicode(ASCII_WORD, UNICODE_WORD),
      s: ascii ? ASCII_SPACE : unicode((cp) => ASCII_SPACE(cp) || (cp >= 28 && cp <= 31), UNICODE_SPACE),
    };
    const lower = c.toLowerCase();
    if (!Object.hasOwn(tests, lower)) return undefined;
    const test = tests[lower]!;
    return c === lower ? test : (cp) => !test(cp);
  }

  /** A character escape (after the backslash); back-references and unknown letter escapes are refused. */
  private escapedCodePoint(c: string): number {
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (Object.hasOwn(simple, c)) return simple[c]!;
    const hex = (length: number) => {
      const digits = this.source.slice(this.i, this.i + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) throw new UnsupportedPattern(`bad escape \\${c}`);
      this.i += length;
      const cp = parseInt(digits, 16);
      if (cp > 0x10ffff) throw new UnsupportedPattern(`bad escape \\${c}`);
      return cp;
    };
    if (c === 'x') return hex(2);
    if (c === 'u') return hex(4);
    if (c === 'U') return hex(8);
    if (c === '0') {
      const octal = /^[0-7]{0,2}/.exec(this.source.slice(this.i, this.i + 2))![0];
      this.i += octal.length;
      return parseInt(`0${octal}`, 8);
    }
    if (/[1-9]/.test(c)) throw new UnsupportedPattern('back-reference');
    if (/[A-Za-z]/.test(c)) throw new UnsupportedPattern(`bad escape \\${c}`);
    const cp = this.source.codePointAt(this.i - 1)!;
    if (cp > 0xffff) this.i++;
    return cp;
  }

  /** `[…]` after its `[`: ranges, escapes, `\w\d\s`, negation; a `]` first is literal. */
  private charClass(): CharTest {
    const negate = this.source[this.i] === '^';
    if (negate) this.i++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.source[this.i];
      if (c === undefined) throw new UnsupportedPattern('unterminated character set');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const low = this.classAtom();
      if (typeof low !== 'number') {
        tests.push(low);
        continue;
      }
      if (this.source[this.i] === '-' && this.source[this.i + 1] !== ']' && this.source[this.i + 1] !== undefined) {
        this.i++;
        const high = this.classAtom();
        if (typeof high !== 'number' || high < low) throw new UnsupportedPattern('bad character range');
        tests.push((cp) => cp >= low && cp <= high);
      } else tests.push((cp) => cp === low);
    }
    const any: CharTest = (cp) => tests.some((test) => test(cp));
    return negate ? (cp) => !any(cp) : any;
  }

  private classAtom(): number | CharTest {
    const c = this.source[this.i]!;
    this.i++;
    if (c !== '\\') {
      const cp = this.source.codePointAt(this.i - 1)!;
      if (cp > 0xffff) this.i++;
      return cp;
    }
    const e = this.source[this.i];
    if (e === undefined) throw new UnsupportedPattern('bad escape (end of pattern)');
    this.i++;
    const named = this.namedClass(e);
    if (named) return named;
    if (e === 'b') return 8;
    return this.escapedCodePoint(e);
  }

  /** Under `re.I`, a character test also accepts the other case of the character. */
  private caseless(test: CharTest): CharTest {
    if (!this.flags.ignoreCase) return test;
    return (cp) => {
      if (test(cp)) return true;
      const c = String.fromCodePoint(cp);
      const lower = c.toLowerCase();
      const upper = c.toUpperCase();
      return (lower.length === c.length && test(lower.codePointAt(0)!)) || (upper.length === c.length && test(upper.codePointAt(0)!));
    };
  }
}
