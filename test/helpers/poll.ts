/** How to poll: how long, how often, what is awaited (for the error), and when waiting longer is pointless. */
export interface PollOptions {
  /** What is awaited, for the timeout error ("the worker to register"). */
  what?: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** A reason to stop at once (a process that exited), checked after each miss; its text becomes the error. */
  stopIf?: () => string | undefined;
  /** More context for the timeout error (a process's output so far). */
  context?: () => string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a value other than undefined, and returns that value. A probe that throws
 * counts as a miss (a server still starting); after `timeoutMs` it throws, naming what was awaited and the
 * last error. The only polling loop of the tests.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, options: PollOptions = {}): Promise<T> {
  const { what = 'condition', timeoutMs = 30_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    const stopped = options.stopIf?.();
    if (stopped !== undefined) throw new Error(`${what}: ${stopped}${options.context ? `:\n${options.context()}` : ''}`);
    if (Date.now() > deadline) {
      const detail = `${lastError ? `: ${String(lastError)}` : ''}${options.context ? `\n${options.context()}` : ''}`;
      throw new Error(`${what}: not met within ${timeoutMs} ms${detail}`);
    }
    await sleep(intervalMs);
  }
}
