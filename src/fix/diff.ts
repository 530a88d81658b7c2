import type { TextEdit } from './types.js';
import { lineIndexAt, lineStarts } from '../lines.js';

/** Context lines around each change, as `diff -u` and `git diff` print. */
const CONTEXT = 3;

/** Applies edits (offsets into `text`, not overlapping) to `text`. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** Lines with their endings kept ('\r\n', '\n', or none for a last line without one). */
const splitLines = (text: string): string[] => (text === '' ? [] : text.split(/(?<=\n)/));

/** Control characters (other than tab, CR, LF) shown as `\xNN`, so a hostile file cannot drive the terminal. */
export const visible = (line: string): string =>
  line.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);

function emit(prefix: string, line: string, out: string[]): void {
  if (line.endsWith('\n')) out.push(`${prefix}${visible(line.slice(0, -1))}\n`);
  else out.push(`${prefix}${visible(line)}\n`, '\\ No newline at end of file\n');
}

/**
 * A unified diff (`--- a/file`, `+++ b/file`, `@@` hunks with 3 lines of context) from the original text and the
 * edits: the changed lines are those the edits touch, so the diff is exactly the edited span.
 */
export function unifiedDiff(file: string, original: string, edits: TextEdit[]): string {
  if (edits.length === 0) return '';
  const lines = splitLines(original);
  const starts = lineStarts(original);
  // lineStarts also counts the empty line after a final '\n', which splitLines has not: an edit at the very end
  // belongs to the last line.
  const lineOf = (at: number): number => Math.max(0, Math.min(lineIndexAt(starts, at), lines.length - 1));
  // Changed blocks: line ranges [first, last] of the original and their new lines; edits on touching lines merge.
  const blocks: { first: number; last: number; edits: TextEdit[] }[] = [];
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    const first = lineOf(edit.start);
    const last = Math.max(first, lineOf(Math.max(edit.start, edit.end - 1)));
    const previous = blocks.at(-1);
    if (previous && first <= previous.last) {
      previous.last = Math.max(previous.last, last);
      previous.edits.push(edit);
    } else blocks.push({ first, last, edits: [edit] });
  }
  const changes = blocks.map((block) => {
    const from = starts[block.first] ?? original.length;
    const to = block.last + 1 < starts.length ? starts[block.last + 1]! : original.length;
    const segment = applyEdits(
      original.slice(from, to),
      block.edits.map((edit) => ({ ...edit, start: edit.start - from, end: edit.end - from })),
    );
    return { first: block.first, old: lines.slice(block.first, block.last + 1), new: splitLines(segment) };
  });
  const out = [`--- a/${file}\n`, `+++ b/${file}\n`];
  let index = 0;
  let shift = 0;
  while (index < changes.length) {
    // One hunk: changes whose context overlaps.
    let end = index;
    while (end + 1 < changes.length && changes[end + 1]!.first - (changes[end]!.first + changes[end]!.old.length) <= 2 * CONTEXT) end++;
    const hunkStart = Math.max(0, changes[index]!.first - CONTEXT);
    const lastChange = changes[end]!;
    const hunkEnd = Math.min(lines.length, lastChange.first + lastChange.old.length + CONTEXT);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let cursor = hunkStart;
    const hunkShift = shift;
    for (let k = index; k <= end; k++) {
      const change = changes[k]!;
      for (; cursor < change.first; cursor++, oldCount++, newCount++) emit(' ', lines[cursor]!, body);
      for (const line of change.old) emit('-', line, body);
      for (const line of change.new) emit('+', line, body);
      oldCount += change.old.length;
      newCount += change.new.length;
      cursor += change.old.length;
      shift += change.new.length - change.old.length;
    }
    for (; cursor < hunkEnd; cursor++, oldCount++, newCount++) emit(' ', lines[cursor]!, body);
    const oldStart = oldCount === 0 ? hunkStart : hunkStart + 1;
    const newStart = newCount === 0 ? hunkStart + hunkShift : hunkStart + hunkShift + 1;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n`, ...body);
    index = end + 1;
  }
  return out.join('');
}
