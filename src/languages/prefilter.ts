import { NeedleSearch, rarity } from './needle-search.js';

/**
 * The prefilter: a file whose text cannot contain a producer or a check is never tokenized. Every queue object the
 * analyzers accept names `Queue`, `get_queue` or `queueName` (all contain `queue` or `Queue`), or is rq-scheduler's
 * `Scheduler` (`chedule`), or a language's own extra form (Python's `@job` decorator). Every enqueue site calls a method
 * whose name contains `queue` (`enqueue…`) or `chedule` (`schedule`, `upsertJobScheduler`), or is `.cron(`, `.delay(` or
 * (BullMQ only) `.add(`/`.addBulk(` written with the dot against the name (as real code does, also across lines:
 * `queue\n  .add(`). Every check calls a function whose name contains `worker` (`orker`/`ORKER`; mixed-case
 * spellings such as `WoRkEr` are not recognised). Celery's apps, configuration modules and Django settings name
 * `celery`/`CELERY` or set `task_routes`/`beat_schedule`; its tasks are `.task`/`shared_task` decorators, sent with
 * `.delay(`, `.apply_async(`, `send_task(` or a signature (`.s(`, `.si(`, `.signature(`): those are Python needles
 * that let a file through wherever they occur.
 *
 * Call shapes, not words: monoliths import the queue class into most modules (`from rq import Queue`,
 * `import { Queue } from 'bullmq'`) and use it in few. A `queue`/`Queue`/`chedule` that only occurs on plain import lines
 * (no alias, nothing else on the line) builds and calls nothing, so it lets no file through by itself; any other
 * occurrence does. The line test is strict (ASCII names and punctuation only, no quotes, no `;` before the end, no
 * `as`), so a line it accepts cannot end a string or hold a second statement. A `chedule` counts only as a class
 * (`Scheduler`, `upsertJobScheduler`) or as a method (`.schedule`, also `obj . schedule` and across
 * lines): words such as `invoice_schedule` or `reschedule_report` are ordinary names.
 */
/** What a queue framework's calls look like to its language's prefilter (declared in its FRAMEWORKS entry). */
export interface PrefilterNeedles {
  /** Needles that let a file through wherever they occur (`.delay`, `send_task`). */
  anywhere?: readonly string[];
  /** Names that build or call a queue (`Queue`, `queue` of `enqueue`/`get_queue`): they count unless on a plain import line. */
  calls?: readonly string[];
  /** `chedule` counts in a scheduler shape only (`Scheduler`, `upsertJobScheduler`, `.schedule`), not on a plain import line. */
  schedulerShapes?: boolean;
  /**
   * Needles that let a file through where `pattern` matches starting at them (RQ's `@job` decorator: `@`, then the
   * decorator's name on the same line). The pattern starts with its needle and never spans a line.
   */
  patterns?: readonly { needle: string; pattern: RegExp }[];
}

/** A language's prefilter: its own needles (checks: `orker`), its plain import lines, and its frameworks' needles. */
export interface PrefilterRules extends PrefilterNeedles {
  anywhere: readonly string[];
  /** Whether a line (without its terminator) is a plain import statement whose names cannot build or call a queue. */
  plainImport: RegExp;
}

/** A language's rules with its frameworks' needles added (each needle once, in the order first declared). */
export function withFrameworkNeedles(rules: PrefilterRules, frameworks: readonly PrefilterNeedles[]): PrefilterRules {
  const unique = <T>(items: T[], key: (item: T) => string = String) => items.filter((item, index) => items.findIndex((other) => key(other) === key(item)) === index);
  const all = [rules, ...frameworks];
  const patterns = unique(all.flatMap((needles) => needles.patterns ?? []), ({ needle, pattern }) => `${needle}\0${pattern.source}\0${pattern.flags}`);
  return {
    anywhere: unique(all.flatMap((needles) => needles.anywhere ?? [])),
    plainImport: rules.plainImport,
    calls: unique(all.flatMap((needles) => needles.calls ?? [])),
    schedulerShapes: all.some((needles) => needles.schedulerShapes),
    ...(patterns.length ? { patterns } : {}),
  };
}

/** `as` as a word: an alias makes another name a queue class (`from rq import Queue as Q`). */
const ALIAS = /(?:^|[^\w$])as(?:[^\w$]|$)/;

/**
 * `from a.b import (X, Y)  # comment`, `import a.b, c` — Python's plain import lines; its own needles are the checks'
 * (`has_worker_for(…)`, `Worker.all(…)`): the frameworks' come from FRAMEWORKS.
 */
export const PYTHON_PREFILTER: PrefilterRules = {
  anywhere: ['orker', 'ORKER'],
  plainImport: /^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+\(?[\w., \t*]*\)?[ \t]*\\?|import[ \t]+[\w., \t]+\\?)[ \t]*(?:#[^'"\\]*)?$/,
};

/**
 * `import { X, type Y } from 'bullmq';`, `import X from 'bull'`, `import type { X } from "y"` — plain ES imports; its
 * own needles are the checks' (`assertWorkerFor(…)`) and workers' (`new Worker(…)`): the frameworks' come from FRAMEWORKS.
 */
export const JS_PREFILTER: PrefilterRules = {
  anywhere: ['orker', 'ORKER'],
  plainImport: /^[ \t]*import[ \t]+(?:type[ \t]+)?(?:[\w$]+[ \t]*,?[ \t]*)?(?:\{[\w$, \t]*\}[ \t]*)?from[ \t]*(['"])[\w@./-]+\1[ \t]*;?[ \t]*$/,
};

/**
 * What an occurrence of a needle means: `anywhere` lets the file through; `import` (a queue class or method name) lets
 * it through unless the occurrence is on a plain import line; `schedule` is an `import` needle that counts only in a
 * scheduler shape; `pattern` lets it through where the rules' pattern for that needle matches there.
 */
type NeedleKind = 'anywhere' | 'import' | 'schedule' | 'pattern';

interface Needle {
  needle: string;
  kind: NeedleKind;
  /** `pattern` needles: the rules' pattern, sticky. */
  pattern?: RegExp;
}

interface AnchoredNeedle extends Needle {
  /** Where the anchor character sits in the needle. */
  offset: number;
  /** A second character of the needle (its index and code), compared before the whole needle: most anchors are not it. */
  probe: number;
  probeCode: number;
}

/** A rule set compiled for both searches. */
interface CompiledRules {
  needles: Needle[];
  /** The string search (made on first use): needles grouped by an anchor character, one scan per character. */
  anchors?: { char: string; needles: AnchoredNeedle[] }[];
  /** The byte search: every needle at once, and the needles by their first byte, to tell which one starts somewhere. */
  bytes: NeedleSearch;
  byFirstByte: Map<number, Needle[]>;
}

/** Characters at least as rare as this one may anchor a search; more common ones would stop the scan too often. */
const COMMONEST_ANCHOR = rarity('h');

/** Every needle of a rule set as plain text (an occurrence of none of them: nothing for the analyzers in that text). */
export function needleTexts(rules: PrefilterRules): string[] {
  return needlesOf(rules).map((needle) => needle.needle);
}

function needlesOf(rules: PrefilterRules): Needle[] {
  return [
    ...rules.anywhere.map((needle) => ({ needle, kind: 'anywhere' as const })),
    ...(rules.calls ?? []).map((needle) => ({ needle, kind: 'import' as const })),
    ...(rules.schedulerShapes ? [{ needle: 'chedule', kind: 'schedule' as const }] : []),
    ...(rules.patterns ?? []).map(({ needle, pattern }) => ({ needle, kind: 'pattern' as const, pattern: new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}y`) })),
  ];
}

/**
 * Few anchors, each rare (every anchor is a full pass over the text): greedily the character that the most remaining
 * needles contain (the rarer one on a tie), among the rare ones; a needle with no rare character gets its rarest.
 */
function anchorsOf(needles: readonly Needle[]): NonNullable<CompiledRules['anchors']> {
  const anchors: NonNullable<CompiledRules['anchors']> = [];
  let left = [...needles];
  while (left.length) {
    let best: string | undefined;
    let bestCount = 0;
    for (const char of new Set(left.map(({ needle }) => needle).join(''))) {
      if (rarity(char) > COMMONEST_ANCHOR) continue;
      const count = left.filter(({ needle }) => needle.includes(char)).length;
      if (count > bestCount || (count === bestCount && rarity(char) < rarity(best!))) [best, bestCount] = [char, count];
    }
    const char = best ?? [...left[0]!.needle].reduce((a, b) => (rarity(b) < rarity(a) ? b : a));
    const covered = left.filter(({ needle }) => needle.includes(char));
    anchors.push({
      char,
      needles: covered.map((needle) => {
        const offset = needle.needle.indexOf(char);
        const probe = offset + 1 < needle.needle.length ? offset + 1 : Math.max(0, offset - 1);
        return { ...needle, offset, probe, probeCode: needle.needle.charCodeAt(probe) };
      }),
    });
    left = left.filter(({ needle }) => !needle.includes(char));
  }
  return anchors;
}

const compiled = new WeakMap<PrefilterRules, CompiledRules>();

function compile(rules: PrefilterRules): CompiledRules {
  let result = compiled.get(rules);
  if (result) return result;
  const needles = needlesOf(rules);
  const byFirstByte = new Map<number, Needle[]>();
  for (const needle of needles) {
    const first = needle.needle.charCodeAt(0);
    byFirstByte.set(first, [...(byFirstByte.get(first) ?? []), needle]);
  }
  result = { needles, bytes: new NeedleSearch(needles.map(({ needle }) => needle)), byFirstByte };
  compiled.set(rules, result);
  return result;
}

/** What the occurrence tests read: a file's text, or its bytes as one-byte characters. */
interface TextView {
  length: number;
  code(index: number): number;
  slice(start: number, end: number): string;
}

const LF = 10;
const CR = 13;
const CAPITAL_S = 83;
const SMALL_S = 115;
const SMALL_R = 114;
const DOT = 46;
/** An import line longer than this is judged as code. */
const LONGEST_IMPORT_LINE = 400;

/** Whether the `chedule` at `at` is part of `…Scheduler…` or a `.schedule…` member (whitespace allowed after the dot). */
function schedulerShape(text: TextView, at: number): boolean {
  const before = at > 0 ? text.code(at - 1) : 0;
  // `Scheduler` (rq-scheduler's class, BullMQ's `upsertJobScheduler`); a `ScheduleService` is an ordinary name.
  if (before === CAPITAL_S) return at + 7 < text.length && text.code(at + 7) === SMALL_R;
  if (before !== SMALL_S) return false;
  let index = at - 2;
  // Spaces, tabs, line breaks and backslash continuations between the dot and the name.
  while (index >= 0) {
    const code = text.code(index);
    if (code !== 32 && code !== 9 && code !== LF && code !== CR && code !== 92 && code !== 12) break;
    index--;
  }
  return index >= 0 && text.code(index) === DOT;
}

/** Whether the line around `at` is a plain import statement. */
function onPlainImportLine(text: TextView, at: number, rules: PrefilterRules): boolean {
  let start = at;
  // Past the longest import line, no line break before `at` means a longer line.
  const first = Math.max(0, at - LONGEST_IMPORT_LINE - 1);
  while (start > first) {
    const code = text.code(start - 1);
    if (code === LF || code === CR) break;
    start--;
  }
  let end = at;
  const limit = Math.min(text.length, start + LONGEST_IMPORT_LINE + 1);
  while (end < limit) {
    const code = text.code(end);
    if (code === LF || code === CR) break;
    end++;
  }
  if (end - start > LONGEST_IMPORT_LINE) return false;
  const line = text.slice(start, end);
  return rules.plainImport.test(line) && !ALIAS.test(line);
}

/** `[ \t\w.]`: what can follow the `@` of a decorator on its line. */
function decoratorChar(code: number): boolean {
  return code === 32 || code === 9 || code === DOT || code === 95 || (code >= 48 && code <= 57) || ((code | 0x20) >= 97 && (code | 0x20) <= 122);
}

/**
 * Whether a `pattern` needle's pattern matches at `at`. The pattern never spans a line and reads at most the run of
 * decorator characters after the needle and one more character (for a `\b`): only that window is tested, so the
 * windows of two occurrences never overlap.
 */
function patternAt(needle: Needle, text: TextView, at: number): boolean {
  let end = at + needle.needle.length;
  while (end < text.length && decoratorChar(text.code(end))) end++;
  const pattern = needle.pattern!;
  pattern.lastIndex = 0;
  return pattern.test(text.slice(at, Math.min(text.length, end + 1)));
}

/** Whether the occurrence of `needle` at `at` lets the file through. */
function letsThrough(needle: Needle, text: TextView, at: number, rules: PrefilterRules): boolean {
  switch (needle.kind) {
    case 'anywhere':
      return true;
    case 'pattern':
      return patternAt(needle, text, at);
    case 'schedule':
      // A scheduler shape still does nothing on a plain import line.
      return schedulerShape(text, at) && !onPlainImportLine(text, at, rules);
    case 'import':
      return !onPlainImportLine(text, at, rules);
  }
}

/**
 * Whether a file's text may hold a producer, a queue object or a check. Each needle occurs where its anchor
 * character occurs, `offset` characters in. The reference for the byte search (the tests compare the two), and the
 * search for a file system that only gives text.
 */
export function passesPrefilter(text: string, rules: PrefilterRules): boolean {
  const rulesCompiled = compile(rules);
  const anchors = (rulesCompiled.anchors ??= anchorsOf(rulesCompiled.needles));
  const view: TextView = { length: text.length, code: (index) => text.charCodeAt(index), slice: (start, end) => text.slice(start, end) };
  // Indexed loops: this runs for every file of a monorepo.
  for (let a = 0; a < anchors.length; a++) {
    const { char, needles } = anchors[a]!;
    for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) {
      for (let n = 0; n < needles.length; n++) {
        const needle = needles[n]!;
        const start = at - needle.offset;
        if (start < 0 || text.charCodeAt(start + needle.probe) !== needle.probeCode) continue;
        if (text.startsWith(needle.needle, start) && letsThrough(needle, view, start, rules)) return true;
      }
    }
  }
  return false;
}

/**
 * The same test on a file's raw bytes, without decoding them: every needle and pattern is ASCII, and a byte ≥ 0x80 is
 * a character no needle or pattern accepts, so the bytes (read as one-byte characters) give the text's answer.
 */
export function passesPrefilterBytes(bytes: Buffer, rules: PrefilterRules): boolean {
  const { bytes: search, byFirstByte } = compile(rules);
  // Made at the first needle: most files of a monorepo have none.
  let view: TextView | undefined;
  const passes = search.starts(bytes, (start) => {
    view ??= { length: bytes.length, code: (index) => bytes[index]!, slice: (from, to) => bytes.toString('latin1', from, to) };
    for (const needle of byFirstByte.get(bytes[start]!)!) {
      if (startsWithAt(bytes, needle.needle, start) && letsThrough(needle, view, start, rules)) return true;
    }
    return false;
  });
  return passes ?? passesPrefilter(bytes.toString('latin1'), rules);
}

function startsWithAt(bytes: Uint8Array, needle: string, start: number): boolean {
  if (start + needle.length > bytes.length) return false;
  for (let i = 0; i < needle.length; i++) if (bytes[start + i] !== needle.charCodeAt(i)) return false;
  return true;
}
