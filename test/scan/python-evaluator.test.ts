import { describe, expect, it } from 'vitest';
import { readRqworkerOverride } from '../../src/frameworks/django-rq/rqworker-override.js';
import { parseLiteral } from '../../src/languages/python/evaluate.js';
import { analyzePython } from '../../src/languages/python/analyzer.js';
import { evaluatePython } from '../../src/languages/python/evaluate.js';
import { tokenizePython } from '../../src/languages/python/tokenizer.js';
import { readPythonWorkerScript } from '../../src/languages/python/worker-script.js';
import type { ProjectCode } from '../../src/workers/programs/program.js';

/**
 * Python's one value evaluator (src/languages/python/evaluate.ts) read by the four callers that each had their own:
 * the analyzer, worker scripts, the django-rq `rqworker` override and Celery's literals. Each case below is an
 * input on which the old readers disagreed; the expectation is the right answer, the one all of them give now.
 */

const CONSTANTS: Record<string, string> = { HIGH: 'high', LOW: 'low', QUEUE_VAR: 'RQ_QUEUES' };

function workerScript(text: string) {
  return readPythonWorkerScript(text, 'worker.py', { queueVariables: ['RQ_QUEUES'], resolve: (name) => CONSTANTS[name] ?? null });
}

const OVERRIDE = 'core/management/commands/rqworker.py';
function override(text: string) {
  const code: ProjectCode = {
    files: [OVERRIDE],
    isFile: (file) => file === OVERRIDE,
    read: (file) => (file === OVERRIDE ? text : undefined),
    resolve: (_file, name) => CONSTANTS[name] ?? null,
  };
  return readRqworkerOverride(code)?.queues;
}
const command = (body: string) => `from django_rq.management.commands.rqworker import Command as Base\n${body}\nclass Command(Base):\n    def handle(self, *args, **options):\n        if not args:\n            args = DEFAULT_QUEUES\n        super().handle(*args, **options)\n`;

/** The analyzer's value of a producer's queue argument. */
function producerQueue(expression: string) {
  const facts = analyzePython(`import os\nfrom rq import Queue\nq = Queue(${expression})\n`);
  return facts.queues?.[0]?.queue;
}

describe('one Python evaluator: a default after `+` is no default (the worker script read its first string)', () => {
  it('os.getenv(VAR, "high" + suffix) gives the variable and no code default', () => {
    expect(workerScript("import os\nqueues = os.getenv('RQ_QUEUES', 'high' + suffix).split(',')\n")).toEqual({ variable: 'RQ_QUEUES' });
    expect(producerQueue("os.getenv('RQ_QUEUES', 'high' + suffix)")).toEqual({ kind: 'unknown' });
  });
  it('the override: args = "high" + suffix names no queues', () => {
    expect(override(command("DEFAULT_QUEUES = 'high' + suffix\n"))).toBeUndefined();
    expect(override(command("DEFAULT_QUEUES = 'high'\n"))).toEqual(['high']);
  });
});

describe("one Python evaluator: getenv's default= keyword and an `or` default (the worker script missed both)", () => {
  it('os.environ.get(VAR, default="high,low")', () => {
    expect(workerScript("import os\nqueues = os.environ.get('RQ_QUEUES', default='high,low').split(',')\n")).toEqual({
      variable: 'RQ_QUEUES',
      defaultQueues: ['high', 'low'],
      location: { file: 'worker.py', line: 2, column: 46 },
    });
    expect(producerQueue("os.environ.get('RQ_QUEUES', default='high')")).toEqual({ kind: 'env', name: 'RQ_QUEUES', fallback: { kind: 'literal', value: 'high' } });
  });
  it('(os.getenv(VAR) or "high low").split() and os.environ.get(VAR) or HIGH', () => {
    expect(workerScript("import os\nqueues = (os.getenv('RQ_QUEUES') or 'high low').split()\n")).toMatchObject({ variable: 'RQ_QUEUES', defaultQueues: ['high', 'low'] });
    expect(workerScript("import os\nqueues = [os.environ.get('RQ_QUEUES') or HIGH]\n")).toMatchObject({ variable: 'RQ_QUEUES', defaultQueues: ['high'] });
    expect(producerQueue("os.getenv('RQ_QUEUES') or 'high'")).toEqual({ kind: 'env', name: 'RQ_QUEUES', fallback: { kind: 'literal', value: 'high' } });
  });
  it("an `or` default is one whole operand, and one `or` only (a chain of reads has no single code default)", () => {
    expect(workerScript("import os\nqueues = (os.getenv('RQ_QUEUES') or 'high' + suffix).split()\n")).toEqual({ variable: 'RQ_QUEUES' });
    expect(workerScript("import os\nqueues = os.getenv('RQ_QUEUES') or os.getenv('QUEUES', 'high')\n")).toEqual({ variable: 'RQ_QUEUES' });
    expect(producerQueue("os.getenv('A') or os.getenv('B') or 'high'")).toEqual({ kind: 'unknown' });
    expect(producerQueue("os.getenv('A') or os.getenv('B', 'high')")).toEqual({ kind: 'env', name: 'A', fallback: { kind: 'env', name: 'B', fallback: { kind: 'literal', value: 'high' } } });
  });
});

describe('one Python evaluator: a variable name is the whole first argument (the worker script read its first string)', () => {
  it("os.getenv('RQ_QUEUES' + SUFFIX) reads some other variable", () => {
    expect(workerScript("import os\nqueues = os.getenv('RQ_QUEUES' + SUFFIX, 'high')\n")).toBeUndefined();
    expect(producerQueue("os.getenv('RQ_QUEUES' + SUFFIX, 'high')")).toEqual({ kind: 'unknown' });
  });
  it('adjacent literals join and a constant resolves, in the analyzer and the worker script alike', () => {
    expect(workerScript("import os\nqueues = os.getenv('RQ_' 'QUEUES', 'hi' 'gh')\n")).toMatchObject({ variable: 'RQ_QUEUES', defaultQueues: ['high'] });
    expect(workerScript("import os\nqueues = os.getenv(QUEUE_VAR, HIGH)\n")).toMatchObject({ variable: 'RQ_QUEUES', defaultQueues: ['high'] });
    expect(producerQueue("os.getenv('RQ_' 'QUEUES', 'hi' 'gh')")).toEqual({ kind: 'env', name: 'RQ_QUEUES', fallback: { kind: 'literal', value: 'high' } });
  });
});

describe('one Python evaluator: literal lists of queue names', () => {
  it("adjacent literals in a tuple are one name (the override split them: ('hi' 'gh', 'low') was hi, gh, low)", () => {
    expect(override(command("DEFAULT_QUEUES = ('hi' 'gh', LOW)\n"))).toEqual(['high', 'low']);
    expect(workerScript("from rq import Worker\nWorker(['hi' 'gh', LOW]).work()\n")).toMatchObject({ hardcoded: ['high', 'low'] });
  });
  it("an f-string is no queue name (the override took a top-level f-string's text as the queue)", () => {
    expect(override(command("DEFAULT_QUEUES = f'{prefix}high'\n"))).toBeUndefined();
    expect(override(command("DEFAULT_QUEUES = (f'{prefix}high', 'low')\n"))).toBeUndefined();
    expect(workerScript("from rq import Worker\nWorker([f'{prefix}high']).work()\n")).toBeUndefined();
  });
  it('a tuple bound twice at module level has no single value (the override took the first, as the Resolver does not)', () => {
    expect(override(command("DEFAULT_QUEUES = ('high',)\nDEFAULT_QUEUES = ('low',)\n"))).toBeUndefined();
    expect(override(command("DEFAULT_QUEUES = (\n    HIGH,\n    'default',\n)\n"))).toEqual(['high', 'default']);
  });
  it("Queue(name='high') in a worker's list is the queue high (the worker script failed on the keyword; Celery read it)", () => {
    expect(workerScript("from rq import Queue, Worker\nWorker([Queue(name='high', connection=c), 'low']).work()\n")).toMatchObject({ hardcoded: ['high', 'low'] });
    const tokens = tokenizePython("task_queues = (Queue(name='high'),)\n");
    expect(parseLiteral(tokens, 2, tokens.length - 1)).toMatchObject({ kind: 'list', items: [{ kind: 'call', callee: 'Queue', keywords: { name: { kind: 'str', value: 'high' } } }] });
  });
});

describe('one Python evaluator: evaluatePython', () => {
  const value = (expression: string) => {
    const tokens = tokenizePython(expression);
    return evaluatePython(tokens, 0, tokens.filter((token) => token.type !== 'newline').length);
  };
  it('reads strings, names and environment reads; anything else is unknown', () => {
    expect(value("'a' 'b'")).toEqual({ kind: 'literal', value: 'ab' });
    expect(value('QUEUE')).toEqual({ kind: 'ref', name: 'QUEUE' });
    expect(value('None')).toEqual({ kind: 'unknown' });
    expect(value("f'{x}'")).toEqual({ kind: 'unknown' });
    expect(value("os.environ['Q']")).toEqual({ kind: 'env', name: 'Q', fallback: null });
    expect(value("os.environ['Q', 'x']")).toEqual({ kind: 'unknown' });
    expect(value("os.getenv('Q', os.getenv('R', 'x'))")).toEqual({ kind: 'env', name: 'Q', fallback: { kind: 'env', name: 'R', fallback: { kind: 'literal', value: 'x' } } });
    expect(value("os.getenv('Q', 'x').lower()")).toEqual({ kind: 'unknown' });
    expect(value("os.getenv(Q, 'x')")).toEqual({ kind: 'unknown' });
  });
});
