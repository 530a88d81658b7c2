import { describe, expect, it } from 'vitest';
import { isIgnored, parseGitignore } from '../../src/scan/gitignore.js';

const ignored = (rules: string, file: string, isDirectory = false) =>
  isIgnored([{ base: '', rules: parseGitignore(rules) }], file, isDirectory);

describe('gitignore matching', () => {
  it('matches basenames at any depth unless anchored', () => {
    expect(ignored('*.log', 'a/b/c.log')).toBe(true);
    expect(ignored('/top.py', 'top.py')).toBe(true);
    expect(ignored('/top.py', 'a/top.py')).toBe(false);
    expect(ignored('a/b.py', 'x/a/b.py')).toBe(false);
  });
  it('applies dir-only patterns to directories only', () => {
    expect(ignored('build/', 'src/build', true)).toBe(true);
    expect(ignored('build/', 'src/build', false)).toBe(false);
  });
  it('lets the last matching rule win, including negation', () => {
    expect(ignored('*.py\n!keep.py', 'keep.py')).toBe(false);
    expect(ignored('!keep.py\n*.py', 'keep.py')).toBe(true);
  });
  it('supports ** in leading, middle and trailing position', () => {
    expect(ignored('**/gen', 'a/b/gen', true)).toBe(true);
    expect(ignored('a/**/z.py', 'a/z.py')).toBe(true);
    expect(ignored('a/**/z.py', 'a/b/c/z.py')).toBe(true);
    expect(ignored('a/**', 'a/b/c.py')).toBe(true);
    expect(ignored('a/**', 'b/a/c.py')).toBe(false);
  });
  it('handles comments, escapes, character classes and trailing spaces', () => {
    expect(ignored('# comment\n\\#hash', '#hash')).toBe(true);
    expect(ignored('file[0-9].py', 'file7.py')).toBe(true);
    expect(ignored('file?.py   ', 'fileA.py')).toBe(true);
    expect(ignored('file?.py', 'file/.py')).toBe(false);
  });
  it('matches a star-then-plain pattern (the suffix fast path) as the general matcher does', () => {
    // `*.py[c]` goes through the general wildcard matcher; `*.pyc` through the suffix test: they must agree.
    const names = ['a.pyc', '.pyc', 'pyc', 'a.pyc.bak', 'dir/x.pyc', 'x.pyc/y', 'x.pycc', 'é.pyc', '😀.pyc', 'a.py'];
    for (const name of names) expect([name, ignored('*.pyc', name)]).toEqual([name, ignored('*.py[c]', name)]);
    expect(names.filter((name) => ignored('*.pyc', name))).toEqual(['a.pyc', '.pyc', 'dir/x.pyc', 'é.pyc', '😀.pyc']);
    // A directory whose name ends so is ignored with everything under it by the walk, not through a file's path.
    expect(ignored('*.egg-info', 'pkg/x.egg-info', true)).toBe(true);
    // A pattern holding a surrogate pair is matched by code points, not by the suffix test.
    expect(ignored('*😀', 'a😀')).toBe(true);
    // A lone low surrogate is one code point of the pattern; in `a😀` it is half of one: no match (endsWith says yes).
    expect(ignored('*\ude00', 'a😀')).toBe(false);
  });
  it('matches nested ignore files relative to their directory, deeper files first', () => {
    const stack = [
      { base: '', rules: parseGitignore('*.py') },
      { base: 'svc', rules: parseGitignore('!main.py') },
    ];
    expect(isIgnored(stack, 'svc/main.py', false)).toBe(false);
    expect(isIgnored(stack, 'other/main.py', false)).toBe(true);
  });
});
