import { describe, expect, it } from 'vitest';
import { tokenizeJs } from '../../src/languages/javascript/tokenizer.js';
import { tokenizePython } from '../../src/languages/python/tokenizer.js';

const py = (source: string) => tokenizePython(source).filter((t) => t.type !== 'newline');

describe('tokenizePython', () => {
  it('handles string prefixes, triple quotes and implicit line joining', () => {
    const tokens = py("x = rb'a\\n' + '''b\nc''' + (\n  u\"d\")");
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.value)).toEqual(['a\\n', 'b\nc', 'd']);
    expect(tokenizePython('a = (\n1)\nb').filter((t) => t.type === 'newline')).toHaveLength(2);
  });
  it('keeps nested f-string fields inside the string', () => {
    const tokens = py('f"{x["a"]!r:>{width}} {{literal}}" + "after"');
    expect(tokens.map((t) => t.type)).toEqual(['string', 'op', 'string']);
    expect(tokens[0]!.formatted).toBe(true);
    expect(tokens[2]!.value).toBe('after');
  });
  it('skips comments, joins continuation lines, tracks lines, columns and indentation', () => {
    const tokens = tokenizePython('# Queue("x")\nif a and \\\n   b:\n    call(1)  # c\n');
    const call = tokens.find((t) => t.value === 'call')!;
    expect([call.line, call.column, call.indent]).toEqual([4, 5, 4]);
    expect(tokens.some((t) => t.value === 'Queue')).toBe(false);
    expect(tokens.filter((t) => t.indent !== undefined).map((t) => t.value)).toEqual(['if', 'call']);
  });
  it('recognises multi-character operators', () => {
    expect(py('a == b != c ** d -> e := f').filter((t) => t.type === 'op').map((t) => t.value)).toEqual(['==', '!=', '**', '->', ':=']);
  });
});

describe('tokenizeJs', () => {
  it('tells regex literals from division', () => {
    const tokens = tokenizeJs('const r = /a\\/b[/]/g; const d = a / b / c; return /x/.test(s)');
    expect(tokens.filter((t) => t.type === 'regex').map((t) => t.value)).toEqual(['/a\\/b[/]/g', '/x/']);
  });
  it('skips comments and nested template substitutions', () => {
    const tokens = tokenizeJs("// new Queue('a')\n/* new Queue('b') */ x = `t ${ `u ${ '}' } v` } w`; y");
    expect(tokens.map((t) => t.value)).toEqual(['x', '=', tokens[2]!.value, ';', 'y']);
    expect(tokens[2]!.type).toBe('template');
    expect(tokens[2]!.formatted).toBe(true);
  });
  it('decodes plain templates and strings', () => {
    const tokens = tokenizeJs("a = `plain`; b = 'it\\'s'");
    expect(tokens.filter((t) => t.type !== 'op' && t.type !== 'name').map((t) => t.value)).toEqual(['plain', "it's"]);
  });
  it('survives JSX text with apostrophes', () => {
    const tokens = tokenizeJs("const v = <p>Don't stop</p>;\nconst q = 'x';");
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.value)).toContain('x');
  });
});
