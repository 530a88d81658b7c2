import type { Report, Severity } from '../types.js';

/** What every formatter is given besides the report. */
export interface FormatOptions {
  /** ANSI colours (only on a TTY, never with NO_COLOR). */
  color: boolean;
  verbose?: boolean;
  /** Table: the findings and the verdict only (the stage views are left out; the verdict still names the stages). */
  quiet?: boolean;
  /** The gate's threshold (default `error`): JUnit counts only findings at or above it as failures. */
  failOn?: Severity;
}

/** A formatter is a pure function of the report. */
export type Formatter = (report: Report, options: FormatOptions) => string;
