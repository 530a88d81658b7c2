import { describe, expect, it } from 'vitest';
import { DotenvError, type DotenvEntry, parseDotenv } from '../../src/sources/compose/dotenv.js';

function parse(text: string, lookup: Record<string, string> = {}): Record<string, string> {
  const out = new Map<string, DotenvEntry>();
  parseDotenv(text, out, (name) => lookup[name]);
  return Object.fromEntries([...out].map(([key, entry]) => [key, entry.value]));
}

describe('dotenv (compose-go rules)', () => {
  it('reads plain, exported, yaml-style and commented lines', () => {
    expect(parse('# c\nA=1\nexport B=2\nC: 3\nD=four # comment\nE=a#b\n\n  F = spaced  \n')).toEqual({
      A: '1', B: '2', C: '3', D: 'four', E: 'a#b', F: 'spaced',
    });
  });

  it('keeps single quotes literal and expands escapes and variables in double quotes', () => {
    expect(parse(`A=x\nS='$A \\n'\nD="$A\\tb \\"q\\" \\$A"\nM="multi\nline"\n`)).toEqual({
      A: 'x', S: '$A \\n', D: 'x\tb "q" $A', M: 'multi\nline',
    });
  });

  it('expands ${VAR} from the lookup first, then from earlier keys, with defaults', () => {
    expect(parse('A=file\nB=${A}-${C:-dflt}\n', { A: 'shell' })).toEqual({ A: 'file', B: 'shell-dflt' });
    expect(parse('A=file\nB=$A\n')).toEqual({ A: 'file', B: 'file' });
  });

  it('a bare KEY inherits from the lookup, or is skipped', () => {
    expect(parse('HOME_DIR\nOTHER\nX=1\n', { HOME_DIR: '/h' })).toEqual({ HOME_DIR: '/h', X: '1' });
  });

  it('records the line of each key and the unset variables of its value', () => {
    const out = new Map<string, DotenvEntry>();
    parseDotenv('# header\n\nA=1\nB="two\nlines"\nC=${NOPE}\n', out);
    expect([...out].map(([key, entry]) => [key, entry.line, entry.unset ?? []])).toEqual([
      ['A', 3, []],
      ['B', 4, []],
      ['C', 6, ['NOPE']],
    ]);
  });

  it('rejects bad names and unterminated quotes with the line', () => {
    expect(() => parse('A=1\nB@=2\n')).toThrow(DotenvError);
    let line: number | undefined;
    try {
      parse('A=1\nB="open\n');
    } catch (error) {
      line = (error as DotenvError).line;
    }
    // The line the quote opens on (issue 18: it named the end of the file).
    expect(line).toBe(2);
    expect(() => parse('A B=1\n')).toThrow(/space/);
  });
});

describe('compose-go dotenv fixtures', () => {
  it('quoted.env gives the values compose-go expects', () => {
    const text = `OPTION_A='1'
OPTION_B='2'
OPTION_C=''
OPTION_D='\\n'
OPTION_E="1"
OPTION_F="2"
OPTION_G=""
OPTION_H="\\n"
OPTION_I = "echo 'asd'" # Inline comment
OPTION_J = 'first line
second line
third line
and so on'
OPTION_K='Let\\'s go!'
OPTION_Z = "last value"
`;
    expect(parse(text)).toEqual({
      OPTION_A: '1',
      OPTION_B: '2',
      OPTION_C: '',
      OPTION_D: '\\n',
      OPTION_E: '1',
      OPTION_F: '2',
      OPTION_G: '',
      OPTION_H: '\n',
      OPTION_I: "echo 'asd'",
      OPTION_J: 'first line\nsecond line\nthird line\nand so on',
      OPTION_K: "Let's go!",
      OPTION_Z: 'last value',
    });
  });
});
