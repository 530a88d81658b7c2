import * as path from 'node:path';
import type { Location } from './types.js';

/**
 * The tool could not do what was asked because of its input: bad flags, a missing project dir,
 * a compose file that is not valid YAML or not a valid compose model. Exit code 2.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    /** Where the problem is; `file` may be absolute or relative to the cwd, as the user gave it. */
    readonly location?: Location,
  ) {
    super(message);
  }
}

/** A target (Redis, the HTTP API) could not be reached at all. Exit 2 standalone, a finding inside `check`. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
  constructor(
    message: string,
    readonly target: 'redis' | 'http' | 'rabbitmq',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type KnownError = InputError | UnreachableError;

export const isKnownError = (error: unknown): error is KnownError =>
  error instanceof InputError || error instanceof UnreachableError;

/** An error line is one line of at most this many characters, whatever a parser or a server put in its message. */
const MAX_ERROR_MESSAGE = 400;

function shortMessage(message: string): string {
  const line = message.length > MAX_ERROR_MESSAGE * 2 ? message.slice(0, MAX_ERROR_MESSAGE * 2) : message;
  const single = line.replace(/[\r\n]+/g, ' ');
  return single.length > MAX_ERROR_MESSAGE ? `${single.slice(0, MAX_ERROR_MESSAGE - 1)}…` : single;
}

/** `file:line:col: reason`, or just the reason when there is no location; the reason capped to one short line. */
export function formatErrorLine(error: KnownError, cwd: string = process.cwd()): string {
  if (error instanceof InputError && error.location) {
    const { line, column } = error.location;
    // Cores report absolute paths; show them relative to where the user is, so the location is clickable.
    const file = path.isAbsolute(error.location.file) ? path.relative(cwd, error.location.file) || error.location.file : error.location.file;
    return `${file}:${line}${column !== undefined ? `:${column}` : ''}: ${shortMessage(error.message)}`;
  }
  return shortMessage(error.message);
}
