import { humanDuration } from '../wording.js';
import { oneLine } from './text.js';

/** A one-line, `\r`-updated progress display for a TTY; `done()` erases it so the report starts clean. */
export interface ProgressLine {
  onProgress: (status: string, elapsedMs: number) => void;
  done: () => void;
}

/**
 * The smoke's live progress on `stream`, or undefined when the stream is not a terminal (piped output gets
 * no progress line at all, so logs and CI stay clean).
 */
export function ttyProgress(stream: NodeJS.WriteStream = process.stderr): ProgressLine | undefined {
  if (!stream.isTTY) return undefined;
  let shown = false;
  return {
    onProgress(status, elapsedMs) {
      shown = true;
      stream.write(`\r\x1b[Ksmoke: job ${oneLine(status, 40)} · ${humanDuration(elapsedMs)}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
