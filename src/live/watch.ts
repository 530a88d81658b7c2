/** Clears the screen and homes the cursor, as `rq info --interval` does between refreshes. */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/**
 * Runs `refresh` every `intervalMs` until SIGINT/SIGTERM (or `signal` aborts); the first refresh runs at once.
 * Returns how many refreshes ran. A refresh that throws ends the loop with that error.
 */
export async function watchLoop(refresh: () => Promise<void>, intervalMs: number, signal?: AbortSignal): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal?.addEventListener('abort', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let runs = 0;
  try {
    while (!controller.signal.aborted) {
      await refresh();
      runs += 1;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          controller.signal.removeEventListener('abort', wake);
          resolve();
        }, intervalMs);
        controller.signal.addEventListener('abort', wake, { once: true });
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    signal?.removeEventListener('abort', stop);
  }
  return runs;
}
