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
export interface PrefilterRules {
  /** Needles that let a file through wherever they occur. */
  anywhere: readonly string[];
  /** Whether a line (without its terminator) is a plain import statement whose names cannot build or call a queue. */
  plainImport: RegExp;
}

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

/**
 * Printable ASCII from the rarest to the most common in source code (mean byte frequency over 2,656 Python files of
 * Debian's dist-packages and 1,009 TypeScript files of this project's node_modules; others rank last).
 * A needle is searched by its rarest character: one native `indexOf` of a single character (memchr) finds the
 * few places where the needle can start, instead of a full substring search per needle over every byte.
 */
const RARITY = '^Z&Q!$~%XYJ+K79H@qVGz6<Uj?8W5\\4B}{|3F>][LODM#2P-NIC1A;R=`EwkST0xv/")(by_g*\'.:h,mfupdclisaonrte ';

/**
 * What an occurrence of a needle means: `anywhere` lets the file through; `import` (a queue class or method name) lets
 * it through unless the occurrence is on a plain import line; `schedule` is an `import` needle that counts only in a
 * scheduler shape.
 */
type NeedleKind = 'anywhere' | 'import' | 'schedule';

interface AnchoredNeedle {
  needle: string;
  kind: NeedleKind;
  /** Where the anchor character sits in the needle. */
  offset: number;
  /** A second character of the needle (its index and code), compared before the whole needle: most anchors are not it. */
  probe: number;
  probeCode: number;
}

/** Needles grouped by an anchor character: one scan per character, however many needles share it. */
interface NeedleSearch {
  anchors: { char: string; needles: AnchoredNeedle[] }[];
}

const IMPORT_NEEDLES: readonly { needle: string; kind: NeedleKind }[] = [
  { needle: 'queue', kind: 'import' },
  { needle: 'Queue', kind: 'import' },
  { needle: 'chedule', kind: 'schedule' },
];

function rarity(char: string): number {
  const rank = RARITY.indexOf(char);
  return rank < 0 ? RARITY.length : rank;
}

/** Characters at least as rare as this one may anchor a search; more common ones would stop the scan too often. */
const COMMONEST_ANCHOR = RARITY.indexOf('h');

/**
 * Few anchors, each rare (every anchor is a full pass over the text): greedily the character that the most remaining
 * needles contain (the rarer one on a tie), among the rare ones; a needle with no rare character gets its rarest.
 */
function compileNeedles(rules: PrefilterRules): NeedleSearch {
  const anchors: NeedleSearch['anchors'] = [];
  let left = [...rules.anywhere.map((needle) => ({ needle, kind: 'anywhere' as NeedleKind })), ...IMPORT_NEEDLES];
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
      needles: covered.map(({ needle, kind }) => {
        const offset = needle.indexOf(char);
        const probe = offset + 1 < needle.length ? offset + 1 : Math.max(0, offset - 1);
        return { needle, kind, offset, probe, probeCode: needle.charCodeAt(probe) };
      }),
    });
    left = left.filter(({ needle }) => !needle.includes(char));
  }
  return { anchors };
}

const compiled = new WeakMap<PrefilterRules, NeedleSearch>();

const LF = 10;
const CR = 13;
const CAPITAL_S = 83;
const SMALL_S = 115;
const SMALL_R = 114;
const DOT = 46;

/** Whether the `chedule` at `at` is part of `…Scheduler…` or a `.schedule…` member (whitespace allowed after the dot). */
function schedulerShape(text: string, at: number): boolean {
  const before = at > 0 ? text.charCodeAt(at - 1) : 0;
  // `Scheduler` (rq-scheduler's class, BullMQ's `upsertJobScheduler`); a `ScheduleService` is an ordinary name.
  if (before === CAPITAL_S) return text.charCodeAt(at + 7) === SMALL_R;
  if (before !== SMALL_S) return false;
  let index = at - 2;
  // Spaces, tabs, line breaks and backslash continuations between the dot and the name.
  while (index >= 0) {
    const code = text.charCodeAt(index);
    if (code !== 32 && code !== 9 && code !== LF && code !== CR && code !== 92 && code !== 12) break;
    index--;
  }
  return index >= 0 && text.charCodeAt(index) === DOT;
}

/** Whether the line around `at` is a plain import statement. */
function onPlainImportLine(text: string, at: number, rules: PrefilterRules): boolean {
  let start = at;
  while (start > 0) {
    const code = text.charCodeAt(start - 1);
    if (code === LF || code === CR) break;
    start--;
  }
  let end = at;
  // Import lines are short; a long line is judged as code.
  const limit = Math.min(text.length, start + 401);
  while (end < limit) {
    const code = text.charCodeAt(end);
    if (code === LF || code === CR) break;
    end++;
  }
  if (end - start > 400) return false;
  const line = text.slice(start, end);
  return rules.plainImport.test(line) && !ALIAS.test(line);
}

/** Whether the occurrence of `needle` at `at` lets the file through. */
function letsThrough({ kind }: AnchoredNeedle, text: string, at: number, rules: PrefilterRules): boolean {
  if (kind === 'anywhere') return true;
  if (kind === 'schedule' && !schedulerShape(text, at)) return false;
  return !onPlainImportLine(text, at, rules);
}

/**
 * Whether a file's text may hold a producer, a queue object or a check. `text` is the decoded text, or the raw bytes
 * decoded as latin1 (`bytesAsText`): every needle and pattern is ASCII, and a byte ≥ 0x80 becomes a non-ASCII
 * character that no needle or plain-import pattern accepts, so both give the same answer. Each needle occurs where
 * its anchor character occurs, `offset` characters in.
 */
export function passesPrefilter(text: string, rules: PrefilterRules): boolean {
  let search = compiled.get(rules);
  if (!search) compiled.set(rules, (search = compileNeedles(rules)));
  // Indexed loops: this runs for every file of a monorepo, about two million anchor hits in 12,000 modules.
  const anchors = search.anchors;
  for (let a = 0; a < anchors.length; a++) {
    const { char, needles } = anchors[a]!;
    for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) {
      for (let n = 0; n < needles.length; n++) {
        const needle = needles[n]!;
        const start = at - needle.offset;
        if (start < 0 || text.charCodeAt(start + needle.probe) !== needle.probeCode) continue;
        if (text.startsWith(needle.needle, start) && letsThrough(needle, text, start, rules)) return true;
      }
    }
  }
  return false;
}

/** Raw bytes as a one-byte string (latin1): no UTF-8 decoding for the files the prefilter drops. */
export function bytesAsText(bytes: Buffer): string {
  return bytes.toString('latin1');
}
