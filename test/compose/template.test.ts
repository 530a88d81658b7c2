import { describe, expect, it } from 'vitest';
import { InvalidTemplateError, MissingRequiredError, substitute } from '../../src/sources/compose/template.js';

const env: Record<string, string> = { A: 'a', EMPTY: '', B: 'b' };
const lookup = (name: string) => env[name];
const sub = (template: string) => substitute(template, lookup);

describe('compose-go template substitution', () => {
  it.each([
    ['$A', 'a'],
    ['${A}', 'a'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${A:+r}', 'r'],
    ['${EMPTY:+r}', ''],
    ['${EMPTY+r}', 'r'],
    ['${UNSET+r}', ''],
    ['${UNSET:-${OTHER:-x}}', 'x'],
    ['${UNSET:-${B}}', 'b'],
    ['$$A', '$A'],
    ['pre ${A:-x} mid ${B} end', 'pre a mid b end'],
    ['${UNSET:-a}b${UNSET2:-c}', 'abc'],
    ['a$', 'a$'],
    ['$1', '$1'],
    ['${A?x}', 'a'],
    ['${EMPTY?x}', ''],
  ])('%s → %s', (template, expected) => {
    expect(sub(template).value).toBe(expected);
  });

  it('records variables that are unset and have no default', () => {
    expect(sub('${Q} $R ${S:-x} ${T-y} ${U:+z}').unset).toEqual(['Q', 'R']);
    expect(sub('${Q:-${R}}').unset).toEqual(['R']);
    expect(sub('${A}').unset).toEqual([]);
  });

  it('fails on required variables that are unset or empty', () => {
    expect(() => sub('${UNSET:?must be set}')).toThrow(MissingRequiredError);
    expect(() => sub('${EMPTY:?must be set}')).toThrow(/EMPTY is missing a value: must be set/);
    expect(() => sub('${UNSET?must be set}')).toThrow(MissingRequiredError);
  });

  it('rejects invalid templates', () => {
    expect(() => sub('${')).toThrow(InvalidTemplateError);
    expect(() => sub('x ${1}')).toThrow(InvalidTemplateError);
  });
});

describe('compose-go template quirks', () => {
  it.each([
    // The greedy match reaches the last `}` of the line, then is cut at the balanced brace.
    ['${UNSET:-a} and ${B}', 'a and b'],
    ['${A:-x}${UNSET:-y}-$B', 'ay-b'],
    ['${UNSET:-${B}', '${B'.replace('${B', '')],
    ['${A:-${B}', 'a'],
    ['x ${UNSET:-}y', 'x y'],
    ['${A}}', 'a}'],
  ])('%s → %s', (template, expected) => {
    if (template === '${UNSET:-${B}') {
      // compose-go: the default `${B` is itself an invalid template.
      expect(() => sub(template)).toThrow(InvalidTemplateError);
      return;
    }
    expect(sub(template).value).toBe(expected);
  });

  it('a default cannot look past its line for a closing brace', () => {
    expect(() => sub('${UNSET:-a\n}')).toThrow(InvalidTemplateError);
    expect(sub('${UNSET:-a}\n${B:-c}').value).toBe('a\nb');
  });

  it('stays linear on huge values and refuses absurd nesting', () => {
    const huge = '${UNSET:-x}'.repeat(200_000);
    expect(sub(huge).value).toBe('x'.repeat(200_000));
    expect(() => sub(`${'${U:-'.repeat(100)}x${'}'.repeat(100)}`)).toThrow(InvalidTemplateError);
    expect(sub(`${'${U:-'.repeat(10)}x${'}'.repeat(10)}`).value).toBe('x');
  });
});
