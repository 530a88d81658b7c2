/**
 * Property-based tests and in-process fuzzing of the source scanner (src/scan): the Python and TS analysers,
 * the tokenizers, shell-word splitting, queue-list parsing, .gitignore matching (differentially against git
 * itself) and the whole scan over mutated projects. Seeds are fixed; fast-check prints the seed and the
 * shrunk counterexample on failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from '../../src/frameworks/index.js';
import { memoryFileSystem } from '../../src/fs.js';
import { compileIgnorePattern, isIgnored, parseGitignore } from '../../src/scan/gitignore.js';
import { scanSources } from '../../src/scan/index.js';
import { analyzeJs } from '../../src/languages/javascript/analyzer.js';
import { tokenizeJs } from '../../src/languages/javascript/tokenizer.js';
import { analyzePython } from '../../src/languages/python/analyzer.js';
import { bodyNeedles, bodyNeedlesByRegex } from '../../src/languages/python/body-needles.js';
import { javascript as jsLanguage } from '../../src/languages/javascript/index.js';
import { python as pythonLanguage } from '../../src/languages/python/index.js';
import { tokenizePython } from '../../src/languages/python/tokenizer.js';
import { parseShell, splitShellWords } from '../../src/shell-words.js';
import { splitQueueList } from '../../src/workers/index.js';
import { mutants, pythonSeeds, scriptSeeds } from './corpus.js';

/** Shared settings: deterministic, modest, and the seed in the failure message. */
const settings = (seed: number, numRuns = 200): fc.Parameters<unknown> => ({ seed, numRuns, verbose: 1 });

const queueName = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
const separator = fc.constantFrom(',', ' ', ', ', ' , ', '\t', '\n', ',,', ' ,\t');

describe('queue lists (splitQueueList)', () => {
  it('round-trips any names joined by commas and/or whitespace', () => {
    fc.assert(
      fc.property(fc.array(queueName, { maxLength: 8 }), separator, fc.constantFrom('', ' ', ',', ' ,'), (names, sep, edge) => {
        expect(splitQueueList(`${edge}${names.join(sep)}${edge}`)).toEqual(names);
      }),
      settings(101),
    );
  });

  it('never yields empty names or names with separators, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const queues = splitQueueList(text);
        for (const queue of queues) expect(queue).toMatch(/^[^\s,]+$/);
        expect(splitQueueList(queues.join(','))).toEqual(queues);
        expect(splitQueueList(queues.join(' '))).toEqual(queues);
      }),
      settings(102, 500),
    );
  });
});

describe('shell words', () => {
  it('single-quoted words round-trip (quotes, dollars and operators are literal inside)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 10 }).filter((word) => !word.includes("'")), { minLength: 1, maxLength: 6 }), (words) => {
        expect(splitShellWords(words.map((word) => `'${word}'`).join(' '))).toEqual(words);
      }),
      settings(111),
    );
  });

  it('never throws on arbitrary text, with or without operators and expansion', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), fc.boolean(), (text, operators) => {
        parseShell(text, { operators, expand: (name) => (name.length % 2 ? `${name} x` : undefined) });
        splitShellWords(text);
      }),
      settings(112, 500),
    );
  });
});

describe('.gitignore matching', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const patternPart = fc.constantFrom('a', 'b', 'ab', '*', '**', '?', '/', '[ab]', '[!a]', '[a-b]', '[b-a]', '\\*', '.py', 'x');
  const pathSegment = fc.constantFrom('a', 'b', 'ab', 'ba', 'x.py', 'a.py', 'aab', '*', 'bx');
  const pattern = fc
    .array(patternPart, { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join(''))
    // Directory-only patterns need to know what is a directory; git cannot tell for paths that do not exist.
    .filter((text) => !text.endsWith('/') && !text.includes('//') && text !== '/');
  const paths = fc.uniqueArray(
    fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/')),
    { minLength: 1, maxLength: 12 },
  );

  /** Ignored as the scanner sees it: the path, or any directory on the way to it (git cannot re-include below). */
  const ignoredByScanner = (rules: string, path: string) => {
    const stack = [{ base: '', rules: parseGitignore(rules) }];
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) if (isIgnored(stack, segments.slice(0, i).join('/'), true)) return true;
    return isIgnored(stack, path, false);
  };

  it('agrees with `git check-ignore` on random globs and paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-gitignore-'));
    dirs.push(dir);
    execFileSync('git', ['init', '-q', dir]);
    fc.assert(
      fc.property(pattern, paths, (glob, candidates) => {
        writeFileSync(join(dir, '.gitignore'), `${glob}\n`);
        let output = '';
        try {
          output = execFileSync('git', ['-C', dir, 'check-ignore', '--no-index', '--stdin'], { input: candidates.join('\n'), encoding: 'utf8' });
        } catch (error) {
          // Exit 1: nothing ignored.
          if ((error as { status?: number }).status !== 1) throw error;
        }
        const byGit = new Set(output.split('\n').filter(Boolean));
        for (const path of candidates) {
          expect(ignoredByScanner(glob, path), `pattern ${JSON.stringify(glob)}, path ${path}`).toBe(byGit.has(path));
        }
      }),
      settings(121, 150),
    );
  });

  it('never throws, whatever the line (ranges out of order, unclosed classes, POSIX classes, escapes)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom('[', ']', '!', '^', '-', ':', '\\', '*', '?', '/', 'a', 'z', ' ', '#') }), (line) => {
        compileIgnorePattern(line)?.matches('a/b/c');
      }),
      settings(122, 1000),
    );
  });

  it('matches a many-star glob against long paths in linear time (a backtracking regex took minutes)', () => {
    const rule = compileIgnorePattern(`${'*a'.repeat(40)}b`)!;
    const path = `${'a'.repeat(200)}/${'a'.repeat(200)}`;
    // Correctness, not speed, is asserted; the suite's timeout is what a regression would hit.
    expect(rule.matches(path)).toBe(false);
    expect(rule.matches(`${'a'.repeat(80)}b`)).toBe(true);
  });
});

describe('Python and TS analysers never throw', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (text) => {
        tokenizePython(text);
        analyzePython(text);
        tokenizeJs(text);
        analyzeJs(text);
      }),
      settings(131, 400),
    );
  });

  const codeUnit = fc.constantFrom(
    'Queue(', "'default'", '"q"', ')', '(', '[', ']', '{', '}', ',', 'connection=', 'name=', '.enqueue(', 'new Queue(', 'await ',
    'import ', 'from ', ' x ', '\n', '    ', '#', '//', '/*', '*/', '"""', "'''", '`', '${', 'f"', "r'", '\\', '=', 'Q', 'const ',
    'export ', 'def f():', 'class A:', '@job(', 'get_queue(', 'queueName:', 'Worker(', 'os.getenv(', '/', 'x = ', ';',
  );

  it('on token soup built from the recognisers\' own vocabulary', () => {
    fc.assert(
      fc.property(fc.array(codeUnit, { maxLength: 80 }), (units) => {
        const text = units.join('');
        analyzePython(text);
        analyzeJs(text);
      }),
      settings(132, 600),
    );
  });

  it('on 600 mutants of the fixtures\' Python and TS sources', () => {
    for (const mutant of [...mutants(pythonSeeds(), 400, 133), ...mutants(scriptSeeds(), 200, 134)]) {
      const text = mutant.bytes.toString('utf8');
      try {
        if (mutant.name.endsWith('.py')) analyzePython(text);
        else analyzeJs(text);
      } catch (error) {
        throw new Error(`${mutant.label}: ${(error as Error).stack}`);
      }
    }
  });
});

/** Every Python framework's sample modules, from the registry (a framework without them fails the first test). */
const PYTHON_FRAMEWORKS = FRAMEWORKS.filter((framework) => framework.language === 'python');
const pythonVocabulary = (name: string, queue: string) =>
  PYTHON_FRAMEWORKS.flatMap((framework) => (framework.vocabulary ?? []).map((sample) => ({ framework: framework.id, text: sample.replaceAll('NAME', name).replaceAll('QUEUE', queue) })));
/** What a Python module yields for the scan: producers, queue objects, checks, or a framework's module data. */
const pythonYield = (text: string) => {
  const facts = analyzePython(text);
  return facts.producers.length + facts.checks.length + (facts.queues?.length ?? 0) + Object.keys(facts.frameworks ?? {}).length;
};

describe('the prefilter lets every file with a producer, queue object or check through', () => {
  const identifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((name) => !['def', 'class', 'return', 'import', 'from', 'if', 'in', 'is', 'or', 'and', 'not', 'new', 'as', 'for', 'with', 'const', 'let', 'var', 'function', 'this'].includes(name));
  // The checks are the language's; every queue framework's calls come from its registry entry's vocabulary.
  const python = (name: string, other: string) => [
    `def f():\n    ${name}().enqueue(g)\n`,
    `def ${name}():\n    if not has_worker_for(queue_name="${other}"):\n        pass\n`,
    ...pythonVocabulary(name, other).map(({ text }) => text),
  ];
  it('every Python framework in the registry gives samples of its calls, each of which the analyzer recognises', () => {
    expect(PYTHON_FRAMEWORKS.map((framework) => framework.id)).toEqual(['rq', 'django-rq', 'rq-scheduler', 'celery']);
    for (const framework of PYTHON_FRAMEWORKS) {
      expect(framework.recognizer, framework.id).toBeDefined();
      expect(framework.vocabulary?.length ?? 0, framework.id).toBeGreaterThan(0);
    }
    for (const { framework, text } of pythonVocabulary('receipts', 'high')) expect(pythonYield(text), `${framework}: ${text}`).toBeGreaterThan(0);
  });
  it('a scheduler django-rq builds and nothing enqueues on passes on its registry needle (the hand-written list dropped it)', () => {
    // Its construction is its producer; no `queue`, `chedule` shape or other needle is in the file but django-rq's own.
    const alone = 'import django_rq\nreceipts = django_rq.get_scheduler("high")\n';
    expect(pythonYield(alone)).toBeGreaterThan(0);
    expect(pythonLanguage.prefilter(alone)).toBe(true);
    expect(pythonLanguage.prefilter(alone.replace('get_scheduler', 'get_schedule_of'))).toBe(false);
  });
  const js = (name: string, other: string) => [
    `import { ${name} } from './q';\nexport async function f() { await ${name}.add('x', {}); }\n`,
    `import { ${name} } from './q';\nexport async function f() { await ${name}\n  .addBulk([]); }\n`,
    `import { ${name} } from './q';\nexport async function f() { await ${name}.upsertJobScheduler('${other}', { every: 1000 }); }\n`,
    `import { ${name} } from './q';\nexport async function f() { await ${name}().add('x', {}, { repeat: { every: 5 } }); }\n`,
    `import { ${name} } from './q';\nexport function f() { return ${name}?.add('${other}'); }\n`,
  ];
  it('Python and TS enqueue sites through imported names', () => {
    fc.assert(
      fc.property(identifier, identifier, fc.nat(20), (name, other, pick) => {
        for (const text of python(name, other)) {
          if (pythonYield(text)) {
            expect(pythonLanguage.prefilter(text), text).toBe(true);
            expect(pythonLanguage.prefilterBytes(Buffer.from(text)), text).toBe(true);
          }
        }
        for (const text of js(name, other)) {
          const facts = analyzeJs(text);
          expect(facts.producers.length + (facts.queues?.length ?? 0), text).toBeGreaterThan(0);
          expect(jsLanguage.prefilter(text), text).toBe(true);
          expect(jsLanguage.prefilterBytes(Buffer.from(text)), text).toBe(true);
        }
        const one = python(name, other)[pick % python(name, other).length]!;
        expect(pythonYield(one), one).toBeGreaterThan(0);
        expect(pythonLanguage.prefilterBytes(Buffer.from(one))).toBe(true);
      }),
      settings(404),
    );
  });
});

describe('the call-shape prefilter never drops a module whose producers, queue objects or checks the analyzers find', () => {
  // Modules built line by line: plain imports of queue names (which alone let nothing through), aliased imports,
  // constructions, enqueue calls, checks, strings and comments that open on one line and close on another, two
  // statements on one line, and every line terminator the languages know.
  const line = fc.constantFrom(
    'from rq import Queue', 'from rq import Queue, Worker', 'from rq import (Queue,', '    Queue,', ')', 'import rq.queue',
    'from rq_scheduler import Scheduler', 'from app.queues import high_queue  # noqa: F401', 'from rq import Queue as Q',
    'from rq import Queue, Retry as R', "import { Queue } from 'bullmq';", "import { Queue, type Job } from 'bullmq';",
    "import Queue from 'bull'", "import { Queue as Q } from 'bullmq';", "import type { Queue } from 'bullmq'", 'import {',
    "} from 'bullmq';", "const { Queue } = require('bullmq');", 'import json; q = Queue("a")', "import { Queue } from 'bullmq'; new Queue('a');",
    'q = Queue("x")', 'Q("x").enqueue(f)', 'high_queue.enqueue(f)', "const q = new Queue('x');", "new Q('x')", "await q.add('j', {});",
    'Queue("x", connection=r).enqueue(f)', 'def f():', '    pass', '    Queue("b").enqueue(g)', 'x = """', '"""', "s = '''",
    "'''", 'y = """from rq import Queue""" + Queue("c").enqueue(h)', '# Queue("d")', '// new Queue("d")', '/*', '*/', '`', 'x = 1',
    'has_worker_for(queue_name="w")', 'if not Worker.all(queue=q):', 'from rq import Queue \\', 'Queue("e").enqueue(f)',
    "export const reports = new Queue<Payload>('r');", 'from app.jobs import send', 'send.delay(1)', '@job("low")', 'def g(): pass',
    's = Scheduler(queue_name="z")', 'import { Queue } from "bullmq" // Queue("x")', "import {Queue} from 'bullmq'; const q = new Queue('q')",
    'scheduler.schedule(when, f)', 'scheduler . schedule(when, f)', 'scheduler.\\', '    schedule(when, f)', 'invoice_schedule_3 = 1',
    'from rq_scheduler import Scheduler as S', 'S(queue_name="z")', 'S("z").schedule(when, f)', 'import rq_scheduler', 'schedule(f)',
    'rq_scheduler.Scheduler("y")', 'def reschedule_report(): pass', "await q.upsertJobScheduler('s', { every: 5 });", 'scheduler = ', 'class ScheduleService:', 'from rq_scheduler import Scheduler as Sched', 'Sched("q").cron("* * * * *", func=f)',
    'from rq import Queue\tQueue("t")', 'from rq import Queue\fQueue("ff")', 'import Q', 'Q("x").enqueue(f)',
    // Every line of every Python framework's samples in the registry.
    ...new Set(pythonVocabulary('sent', 'q').flatMap(({ text }) => text.split('\n').filter(Boolean))),
  );
  const terminator = fc.constantFrom('\n', '\r\n', '\r', '\u2028', '\n\n');
  const module = fc.array(fc.tuple(line, terminator), { maxLength: 12 }).map((lines) => lines.map(([text, end]) => text + end).join(''));

  it('on generated Python and TS modules (text and bytes)', () => {
    let dropped = 0;
    fc.assert(
      fc.property(module, (text) => {
        const js = analyzeJs(text);
        if (pythonYield(text)) {
          expect(pythonLanguage.prefilter(text), text).toBe(true);
          expect(pythonLanguage.prefilterBytes(Buffer.from(text)), text).toBe(true);
        }
        if (js.producers.length + js.checks.length + (js.queues?.length ?? 0)) {
          expect(jsLanguage.prefilter(text), text).toBe(true);
          expect(jsLanguage.prefilterBytes(Buffer.from(text)), text).toBe(true);
        }
        expect(pythonLanguage.prefilterBytes(Buffer.from(text)), text).toBe(pythonLanguage.prefilter(text));
        expect(jsLanguage.prefilterBytes(Buffer.from(text)), text).toBe(jsLanguage.prefilter(text));
        if (!pythonLanguage.prefilter(text) && text.includes('ueue')) dropped++;
      }),
      settings(405, 3000),
    );
    // Not vacuous: modules that only import a queue name are left out.
    expect(dropped).toBeGreaterThan(0);
  });

  it('drops a module that only imports the queue class, and keeps one that calls it', () => {
    const plain = 'from rq import Queue\nimport json\n\ndef f(x):\n    return json.dumps(x)\n';
    expect(pythonLanguage.prefilter(plain)).toBe(false);
    expect(pythonLanguage.prefilterBytes(Buffer.from(plain))).toBe(false);
    expect(pythonLanguage.prefilter(`${plain}\nQueue("x").enqueue(f)\n`)).toBe(true);
    const ts = "import { Queue, type Job } from 'bullmq';\nexport const f = (x: number) => x + 1;\n";
    expect(jsLanguage.prefilter(ts)).toBe(false);
    expect(jsLanguage.prefilterBytes(Buffer.from(ts))).toBe(false);
    expect(jsLanguage.prefilter(`${ts}const q = new Queue('x');\n`)).toBe(true);
  });
});

describe('scanSources over mutated projects never throws', () => {
  it('on 150 in-memory projects built from mutated sources with imports between them', () => {
    const python = mutants(pythonSeeds(), 150, 141);
    const scripts = mutants(scriptSeeds(), 150, 142);
    for (let i = 0; i < 150; i++) {
      const files: Record<string, string> = {
        '/p/app/a.py': python[i]!.bytes.toString('utf8'),
        '/p/app/b.py': python[(i + 1) % 150]!.bytes.toString('utf8'),
        '/p/app/__init__.py': '',
        '/p/src/a.ts': scripts[i]!.bytes.toString('utf8'),
        '/p/src/b.ts': scripts[(i + 7) % 150]!.bytes.toString('utf8'),
        '/p/.gitignore': ['*.pyc', '[z-a]', '!app/b.py', '**/gen/**'][i % 4]!,
      };
      try {
        const result = scanSources({ fs: memoryFileSystem(files), root: '/p' });
        for (const producer of result.producers) expect(producer.location.line).toBeGreaterThan(0);
      } catch (error) {
        throw new Error(`${python[i]!.label} + ${scripts[i]!.label}: ${(error as Error).stack}`);
      }
    }
  });
});

describe('fuzz regressions, in process', () => {
  it('gitignore-redos: the many-star .gitignore is honoured and the producer behind the long path is found', async () => {
    const { nodeFileSystem } = await import('../../src/fs.js');
    const { fixture } = await import('../helpers/cli.js');
    const result = scanSources({ fs: nodeFileSystem, root: fixture('fuzz-regressions', 'gitignore-redos') });
    expect(result.producers.map((producer) => producer.queue)).toEqual(['default']);
  });

  it('ignore-bad-range: odd globs in the config and .gitignore neither throw nor drop the rules around them', async () => {
    const { nodeFileSystem } = await import('../../src/fs.js');
    const { fixture } = await import('../helpers/cli.js');
    const result = scanSources({
      fs: nodeFileSystem,
      root: fixture('fuzz-regressions', 'ignore-bad-range'),
      ignore: ['legacy/[z-a]*.py', '[[:nope:]]', '[!]x]', '['],
    });
    expect(result.producers.map((producer) => producer.queue)).toEqual(['default']);
  });
});

describe('jumping over quiet function bodies leaves the Python facts unchanged', () => {
  // The analyzer skips a `def` whose signature and body hold none of the prefilter's needles (nor `import`, `global`,
  // `nonlocal`, `conf`); `everyBody` analyzes all of them. Both must give the same facts: modules built from lines
  // that reach out of a body (imports, globals, Celery conf, decorators above a quiet def, factories, helpers),
  // at every indentation, with strings and brackets that span lines.
  const line = fc.constantFrom(
    'def f(q="x"):', 'def g():', 'async def a():', '    def h():', '        def k(x):', '    return 1', '        x = 1', '    x = y * 2',
    '    x = Queue("a")', '    q.enqueue(f)', '    from app.q import rq_q', 'rq_q.enqueue(f)', '    import app.jobs as jobs', 'jobs.send.delay(1)',
    '    global G', '    G = Queue("g")', 'G.enqueue(f)', '@job("low")', '@app.route("/x")', 'send.delay(1)', 'def send():', '    pass',
    '    app.conf.update(task_default_queue="d")', '    app.config_from_object("settings")', 'app = Celery("a")', 'class S:',
    '    def m(self):', '        self.q = Queue("m")', '        self.q.enqueue(f)', '    """doc', 'Queue"""', '    s = "def x():"',
    '    await q.enqueue(f)', '    return Queue("r")', 'q = make()', 'make().enqueue(f)', 'def make():', '    return get_q()',
    '    if not has_worker(queue_name="w"):', 'def has_worker(queue_name="default"):', 'has_worker()', '    x = (', '    1,', '    )',
    '    y = 1 + \\', '2', 'from rq import Queue', 'from rq import job', 'from celery import Celery', 'x = 1', '', '    # Queue("c")',
    '    nonlocal n', 'def quiet(a, b=lambda: 1):', '    return [i for i in a if i]', '        while True: break', 'def one(): return 1',
    'def two(): return Queue("two")', '    q = f"{x:>10}"', "    r = '''", "    '''", '\tx = 2',
  );
  const module = fc.array(line, { maxLength: 24 }).map((lines) => `${lines.join('\n')}\n`);

  it('on generated modules', () => {
    fc.assert(
      fc.property(module, (text) => {
        expect(analyzePython(text), text).toEqual(analyzePython(text, { everyBody: true }));
      }),
      settings(611, 3000),
    );
  });

  it("on the fixtures' Python files and 400 of their mutants", () => {
    const seeds = pythonSeeds();
    expect(seeds.length).toBeGreaterThan(20);
    for (const file of [...seeds.map((seed) => ({ label: seed.name, bytes: seed.bytes })), ...mutants(seeds, 400, 612)]) {
      const text = file.bytes.toString('utf8');
      expect(analyzePython(text), file.label).toEqual(analyzePython(text, { everyBody: true }));
    }
  });

  it('the tokens it keeps are exactly those of the full tokenizing, and it leaves out only quiet bodies', () => {
    fc.assert(
      fc.property(module, (text) => {
        const needles = bodyNeedles(text);
        // The WebAssembly search and the regular expression (for a Node without WebAssembly) agree on ASCII text.
        expect(needles, text).toEqual(bodyNeedlesByRegex(text));
        const all = tokenizePython(text);
        const kept = tokenizePython(text, { needleAt: needles });
        const byStart = new Map(all.map((token) => [token.start, token]));
        for (const token of kept) expect(token, text).toEqual(byStart.get(token.start));
        // Every token left out lies after a `def` line and before the next needle: a body with a needle is kept.
        const keptStarts = new Set(kept.map((token) => token.start));
        for (const token of all.filter((candidate) => !keptStarts.has(candidate.start))) {
          const defLine = [...kept].reverse().find((candidate) => candidate.start < token.start && candidate.indent !== undefined);
          expect(defLine, text).toBeDefined();
          const head = defLine!.value === 'async' ? kept[kept.indexOf(defLine!) + 1]! : defLine!;
          expect(head.value, text).toBe('def');
          const next = needles.find((at) => at >= defLine!.start);
          expect(next === undefined || next > token.start, text).toBe(true);
        }
      }),
      settings(613, 2000),
    );
  });

  it('keeps what reaches out of a quiet body: a decorator above it, an import in it', () => {
    const text = [
      'from rq import job',
      '@job("low")',
      'def send(x):',
      '    return x * 2',
      'def setup():',
      '    from app.jobs import receipts_q',
      'send.delay(1)',
      'receipts_q.enqueue(send)',
      '',
    ].join('\n');
    const facts = analyzePython(text);
    expect(facts.queues?.map((queue) => queue.kind)).toEqual(['rq-job-decorator']);
    expect(facts.producers).toHaveLength(2);
    expect(facts.bindings.get('receipts_q')).toEqual({ kind: 'import', module: 'app.jobs', name: 'receipts_q' });
    expect(facts).toEqual(analyzePython(text, { everyBody: true }));
  });
});
