import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PythonRegex, UnsupportedPattern, type RegexFlags } from '../../src/languages/python/regex.js';

const PYTHON = '/usr/bin/python3';

const PATTERNS: [string, RegexFlags][] = [
  ['reports\\.tasks\\..*', {}],
  ['reports\\.tasks\\.(daily|weekly)_\\w+', {}],
  ['REPORTS\\.TASKS\\..+', { ignoreCase: true }],
  ['^billing\\.', {}],
  ['billing\\.tasks\\.charge_card$', {}],
  ['.*\\.send_[a-z]+$', {}],
  ['[^.]+\\.tasks\\.export_(csv|xlsx)?', {}],
  ['(?:a|b)+\\.x', {}],
  ['(?P<app>\\w+)\\.tasks\\.\\d{2,3}', {}],
  ['\\w+\\.tasks\\.n[0-9]{1,}', {}],
  ['x?y*z+\\.', {}],
  ['(?i)Mail\\.', {}],
  ['.*\\bsend\\b', {}],
  ['.*?_slow', {}],
  ['a.b', {}],
  ['a.b', { dotAll: true }],
  ['[\\w.]+\\s', {}],
  ['\\Amail\\Z', {}],
  ['mail$', {}],
  ['[]a]+', {}],
  ['[a\\-z]+$', {}],
  ['', {}],
  ['(|mail)\\.x', {}],
  ['m{0}mail', {}],
  ['\\x6dail', {}],
  ['\\D+', { ascii: true }],
];
const NAMES = [
  'reports.tasks.daily_sales', 'reports.tasks.weekly_', 'reports.tasks.export_csv', 'REPORTS.TASKS.X', 'billing.tasks.charge_card',
  'billing.tasks.charge_card2', 'mail.send_welcome', 'mail.send_', 'ab.x', 'babba.x', 'app.tasks.123', 'app.tasks.1', 'x.tasks.n7',
  'yz.', 'z.', 'MAIL.x', 'mail', 'mail\n', 'a\nb', 'axb', 'a b', 'a.b c', ']a]', 'a-z', 'q', '.x', 'mail.x', 'thumb_slow', 'notify.send it',
  'é.tasks.7', 'ÉCOLE.x', 'café_slow',
];

describe('Python regex route keys: a linear matcher with re.match semantics', () => {
  it('agrees with real Celery routing (MapRoute, re.match) on a table of patterns × task names', () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-celery`);
    const script = [
      'import json, re, sys',
      'from celery.app.routes import MapRoute',
      'patterns, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])',
      "FLAGS = {'ignoreCase': re.I, 'dotAll': re.S, 'multiline': re.M, 'ascii': re.A}",
      'out = []',
      'for p, f in patterns:',
      '    flags = 0',
      '    for k in f: flags |= FLAGS[k]',
      "    route = MapRoute({re.compile(p, flags): 'hit'})",
      "    out.append([(route(n) or {}).get('queue') == 'hit' for n in names])",
      'print(json.dumps(out))',
    ].join('\n');
    const expected = JSON.parse(execFileSync(PYTHON, ['-c', script, JSON.stringify(PATTERNS), JSON.stringify(NAMES)], { encoding: 'utf8' })) as boolean[][];
    PATTERNS.forEach(([pattern, flags], row) => {
      const regex = PythonRegex.compile(pattern, flags);
      NAMES.forEach((name, column) => expect([pattern, name, regex.matchesAtStart(name)]).toEqual([pattern, name, expected[row]![column]]));
    });
  });

  it('refuses what it does not support, never guessing', () => {
    for (const pattern of ['(a)\\1', '(?=a)a', '(?!a)b', '(?<=a)b', '(?(1)a|b)', 'a*+', '(?>a)', '(?x) a', 'a(?i)b', '(?i:a)', '\\p{L}', '*a', '{2}a', 'a{3,2}', '(a', 'a)', '[a']) {
      expect(() => PythonRegex.compile(pattern), pattern).toThrow(UnsupportedPattern);
    }
  });

  it('matches hostile patterns in linear time, under a hard deadline (a backtracking engine would not finish)', () => {
    const hostile: [string, string][] = [
      ['(a+)+$', `${'a'.repeat(5000)}!`],
      ['(a|a)*$', `${'a'.repeat(5000)}!`],
      ['(a|aa)+b', 'a'.repeat(5000)],
      ['(.*a){20}b', 'a'.repeat(3000)],
      ['((a*)*)*c', 'a'.repeat(5000)],
      ['(\\w+\\s?)+$', `${'word '.repeat(1000)}!`],
    ];
    // The matcher runs in a child process that is killed at the deadline: a hang fails the test instead of hanging it.
    const module = fileURLToPath(new URL('../../dist/languages/python/regex.js', import.meta.url));
    const script = `import(${JSON.stringify(pathToFileURL(module).href)}).then(({ PythonRegex }) => {
      const cases = JSON.parse(process.argv[1]);
      console.log(JSON.stringify(cases.map(([p, t]) => PythonRegex.compile(p).matchesAtStart(t))));
    });`;
    const output = execFileSync(process.execPath, ['-e', script, JSON.stringify(hostile)], { encoding: 'utf8', timeout: 10_000 });
    expect(JSON.parse(output)).toEqual(hostile.map(() => false));
    expect(() => PythonRegex.compile('(a{1000}){1000}')).toThrow(UnsupportedPattern);
    expect(() => PythonRegex.compile('('.repeat(10_000))).toThrow(UnsupportedPattern);
  });
});
