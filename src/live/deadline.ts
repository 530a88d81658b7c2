/**
 * Runs `work` against a deadline: after `ms` the promise rejects with `expired()` and the signal handed to `work`
 * aborts with the same error, so whatever `work` opened (a socket mid-handshake) is closed instead of keeping the
 * process alive. The timer is cleared whatever happens: nothing is left pending after the answer.
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, expired: () => Error): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error of a connection attempt that ran out of time (describeConnectError reads its code). */
export const connectTimedOut = () => Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
