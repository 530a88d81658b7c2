/**
 * Line positions in a text, one implementation for the analyzers, the fixer and the diff: offsets where each line
 * starts (a line ends at '\n'; a '\r' before it belongs to that line), and offsets → lines by binary search.
 */

/** Offsets where each line starts: 0, then one past every '\n'. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** 0-based index of the line holding `offset`: the last start at or before it. */
export function lineIndexAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** 1-based line and column of `offset` (columns count UTF-16 code units). */
export function positionOf(starts: readonly number[], offset: number): { line: number; column: number } {
  const index = lineIndexAt(starts, offset);
  return { line: index + 1, column: offset - starts[index]! + 1 };
}

/** 1-based line of one offset, without building the starts (a single question about a text). */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}
