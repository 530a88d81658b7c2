/**
 * Bounds of variable expansion. Expansion is where a small hostile file becomes a huge one: `.env` lines
 * `V2=${V1}${V1}` … `V30=${V29}${V29}` (300 bytes) double thirty times, Kubernetes `$(Vn)` = `$(Vn-1)$(Vn-1)` in a
 * 1.3 KB manifest printed 251 MB. Every expansion (compose and `.env` interpolation, Kubernetes `$(VAR)`) checks
 * its output while building it, and one file's expansions share a total.
 */

/** The longest value one expansion may produce; real values (a command, a URL, a queue list) are far shorter. */
export const MAX_EXPANDED_CHARS = 256 * 1024;

/** The most characters all expansions of one file may produce together. */
export const MAX_EXPANDED_TOTAL_CHARS = 4 * 1024 * 1024;

/** An expansion went over its bound: an input error at the value that made it. */
export class ExpansionTooLargeError extends Error {
  constructor(readonly total: boolean) {
    super(
      total
        ? `variable expansions in this file produce more than ${MAX_EXPANDED_TOTAL_CHARS / 1024 / 1024} MiB in all (variables that repeat each other?); refused`
        : `a variable expansion is longer than ${MAX_EXPANDED_CHARS / 1024} KiB (variables that repeat each other?); refused`,
    );
  }
}

/** The characters the expansions of one file may still produce. */
export class ExpansionBudget {
  private remaining = MAX_EXPANDED_TOTAL_CHARS;

  /** Checks a value being built (`length` so far); throws past the per-value bound. */
  static check(length: number): void {
    if (length > MAX_EXPANDED_CHARS) throw new ExpansionTooLargeError(false);
  }

  /** Charges a finished value to the file's total; throws past it. */
  charge(length: number): void {
    this.remaining -= length;
    if (this.remaining < 0) throw new ExpansionTooLargeError(true);
  }
}
