/**
 * The prefilter: a file whose text cannot contain a producer or a check is never tokenized. Every queue object the
 * analyzers accept names `Queue`, `get_queue` or `queueName` (all contain `ueue`), or is rq-scheduler's `Scheduler`
 * (`chedule`), or a language's own extra form (Python's `@job` decorator). Every enqueue site calls a method whose
 * name contains `ueue` (`enqueue…`) or `chedule` (`schedule`, `upsertJobScheduler`), or is `.cron(`, `.delay(` or
 * (BullMQ only) `.add(`/`.addBulk(` written with the dot against the name (as real code does, also across lines:
 * `queue\n  .add(`). Every check calls a function whose name contains `worker` (`orker`/`ORKER`; mixed-case
 * spellings such as `WoRkEr` are not recognised). Celery's apps, configuration modules and Django settings name
 * `celery`/`CELERY` or set `task_routes`/`beat_schedule`; its tasks are `.task`/`shared_task` decorators, sent with
 * `.delay(`, `.apply_async(`, `send_task(` or a signature (`.s(`, `.si(`, `.signature(`): those are Python needles
 * that let a file through wherever they occur.
 *
 * Call shapes, not words: monoliths import the queue class into most modules (`from rq import Queue`,
 * `import { Queue } from 'bullmq'`) and use it in few. A `ueue`/`chedule` that only occurs on plain import lines
 * (no alias, nothing else on the line) builds and calls nothing, so it lets no file through by itself; any other
 * occurrence does. The line test is strict (ASCII names and punctuation only, no quotes, no `;` before the end, no
 * `as`), so a line it accepts cannot end a string or hold a second statement. A `chedule` counts only as a class
 * (`Scheduler`, `upsertJobScheduler`) or as a method (`.schedule`, also `obj . schedule` and across
 * lines): words such as `invoice_schedule` or `reschedule_report` are ordinary names.
 */
export interface PrefilterRules {
  /** Needles that let a file through wherever they occur. */
  anywhere: readonly string[];
  /** Whether a line (without its terminator) is a plain import statement whose names cannot build or call a queue. */
  plainImport: RegExp;
}

const IMPORT_NEEDLES = ['ueue', 'chedule'];
const IMPORT_NEEDLE_BYTES = IMPORT_NEEDLES.map((needle) => Buffer.from(needle));
/** `as` as a word: an alias makes another name a queue class (`from rq import Queue as Q`). */
const ALIAS = /(?:^|[^\w$])as(?:[^\w$]|$)/;

/** `from a.b import (X, Y)  # comment`, `import a.b, c` — Python's plain import lines. */
export const PYTHON_PREFILTER: PrefilterRules = {
  anywhere: [
    'orker', 'ORKER', '.cron', '.delay',
    'elery', 'ELERY', '.task', 'shared_task', 'task_routes', 'beat_schedule', '.apply_async', 'send_task', '.s(', '.si(', '.signature(',
  ],
  plainImport: /^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+\(?[\w., \t*]*\)?[ \t]*\\?|import[ \t]+[\w., \t]+\\?)[ \t]*(?:#[^'"\\]*)?$/,
};

/** `import { X, type Y } from 'bullmq';`, `import X from 'bull'`, `import type { X } from "y"` — plain ES imports. */
export const JS_PREFILTER: PrefilterRules = {
  anywhere: ['orker', 'ORKER', '.cron', '.delay', '.add'],
  plainImport: /^[ \t]*import[ \t]+(?:type[ \t]+)?(?:[\w$]+[ \t]*,?[ \t]*)?(?:\{[\w$, \t]*\}[ \t]*)?from[ \t]*(['"])[\w@./-]+\1[ \t]*;?[ \t]*$/,
};

const LF = 10;
const CR = 13;
const CAPITAL_S = 83;
const SMALL_S = 115;
const SMALL_R = 114;
const DOT = 46;

/** Whether the `chedule` at `at` is part of `…Scheduler…` or a `.schedule…` member (whitespace allowed after the dot). */
function schedulerShape(codeAt: (index: number) => number, at: number): boolean {
  const before = at > 0 ? codeAt(at - 1) : 0;
  // `Scheduler` (rq-scheduler's class, BullMQ's `upsertJobScheduler`); a `ScheduleService` is an ordinary name.
  if (before === CAPITAL_S) return codeAt(at + 7) === SMALL_R;
  if (before !== SMALL_S) return false;
  let index = at - 2;
  // Spaces, tabs, line breaks and backslash continuations between the dot and the name.
  while (index >= 0) {
    const code = codeAt(index);
    if (code !== 32 && code !== 9 && code !== LF && code !== CR && code !== 92 && code !== 12) break;
    index--;
  }
  return index >= 0 && codeAt(index) === DOT;
}

/** Whether the line around `at` is a plain import; returns the line's end when it is, -1 when it is not. */
function plainImportEnd(
  length: number,
  codeAt: (index: number) => number,
  lineOf: (start: number, end: number) => string,
  at: number,
  rules: PrefilterRules,
): number {
  let start = at;
  while (start > 0) {
    const code = codeAt(start - 1);
    if (code === LF || code === CR) break;
    start--;
  }
  let end = at;
  while (end < length) {
    const code = codeAt(end);
    if (code === LF || code === CR) break;
    end++;
  }
  // Import lines are short; a long line is judged as code (and is not rescanned: the caller stops there).
  if (end - start > 400) return -1;
  const line = lineOf(start, end);
  return rules.plainImport.test(line) && !ALIAS.test(line) ? end : -1;
}

export function passesPrefilter(text: string, rules: PrefilterRules): boolean {
  if (rules.anywhere.some((needle) => text.includes(needle))) return true;
  const codeAt = (index: number) => text.charCodeAt(index);
  const lineOf = (start: number, end: number) => text.slice(start, end);
  for (const needle of IMPORT_NEEDLES) {
    let from = 0;
    for (let at = text.indexOf(needle, from); at >= 0; at = text.indexOf(needle, from)) {
      if (needle === 'chedule' && !schedulerShape(codeAt, at)) {
        from = at + needle.length;
        continue;
      }
      const end = plainImportEnd(text.length, codeAt, lineOf, at, rules);
      if (end < 0) return true;
      from = end;
    }
  }
  return false;
}

/** The same test on raw bytes: native substring search, no UTF-8 decoding for the files that fail it. */
export function bytesPassPrefilter(bytes: Buffer, rules: PrefilterRules, anywhere: readonly Buffer[]): boolean {
  if (anywhere.some((needle) => bytes.indexOf(needle) >= 0)) return true;
  // Bytes ≥ 0x80 decode as latin1 to non-ASCII characters, which no plain-import pattern accepts.
  const codeAt = (index: number) => bytes[index]!;
  const lineOf = (start: number, end: number) => bytes.toString('latin1', start, end);
  for (const needle of IMPORT_NEEDLE_BYTES) {
    let from = 0;
    for (let at = bytes.indexOf(needle, from); at >= 0; at = bytes.indexOf(needle, from)) {
      if (needle === IMPORT_NEEDLE_BYTES[1] && !schedulerShape(codeAt, at)) {
        from = at + needle.length;
        continue;
      }
      const end = plainImportEnd(bytes.length, codeAt, lineOf, at, rules);
      if (end < 0) return true;
      from = end;
    }
  }
  return false;
}

export const PYTHON_ANYWHERE_BYTES = PYTHON_PREFILTER.anywhere.map((needle) => Buffer.from(needle));
export const JS_ANYWHERE_BYTES = JS_PREFILTER.anywhere.map((needle) => Buffer.from(needle));
