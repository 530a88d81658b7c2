import type { MetricsFlavor } from '../report/openmetrics.js';
import type { Report } from '../types.js';
import { renderSnapshot, type ExpectedQueue, type ExporterSnapshot } from './metrics.js';

export interface ReadsOptions {
  /** One read of every target: the live stage's report. Throws when a target cannot be read. */
  read: () => Promise<Report>;
  intervalMs: number;
  maxSeries: number;
  expected: readonly ExpectedQueue[];
  /** A failed read (its error); a first good read after failures (how many). */
  onError: (error: unknown, consecutive: number) => void;
  onRecovered?: (failures: number) => void;
  /** Injected for tests. */
  now?: () => number;
}

/**
 * The exporter's reads and what scrapes are answered from. One loop reads, waits out the rest of the interval, and
 * reads again: at most one read per interval, never two at once, whatever the scrape rate; scrapes only render the
 * last snapshot (each text is rendered once per read and reused). A failed read keeps the last good series and marks
 * them with `receipts_doctor_up 0`.
 */
export class Reads {
  private snapshot: ExporterSnapshot;
  /** Each flavor's text as the bytes a scrape gets, rendered on the first scrape after a read. */
  private readonly bodies = new Map<MetricsFlavor, Buffer>();
  private consecutiveFailures = 0;
  private stopped = false;
  private wake?: () => void;
  private running?: Promise<void>;
  /** The read in flight, if any (stop waits for it: its connections close in its own `finally`). */
  private current?: Promise<void>;
  readonly now: () => number;

  constructor(private readonly options: ReadsOptions) {
    this.now = options.now ?? Date.now;
    this.snapshot = { up: false, readErrors: 0, expected: options.expected, maxSeries: options.maxSeries };
  }

  /**
   * One read now (the first, before the server listens; then the loop's). A failure is recorded and logged, except
   * one `fatal` says to throw (the first read's input errors: a wrong --backend for the topology exits 2).
   */
  readOnce(fatal: (error: unknown) => boolean = () => false): Promise<void> {
    this.current = this.options.read().then(
      (report) => {
        if (this.consecutiveFailures > 0) this.options.onRecovered?.(this.consecutiveFailures);
        this.consecutiveFailures = 0;
        this.update({ report, up: true, lastReadSeconds: this.now() / 1000 });
      },
      (error: unknown) => {
        if (fatal(error)) throw error;
        this.consecutiveFailures += 1;
        this.update({ up: false, readErrors: this.snapshot.readErrors + 1 });
        this.options.onError(error, this.consecutiveFailures);
      },
    );
    return this.current;
  }

  /** New expected queues (the static stage ran again on SIGHUP). */
  setExpected(expected: readonly ExpectedQueue[]): void {
    this.update({ expected });
  }

  /** Reads every interval (the first one `firstDelayMs` from now) until stop(). */
  start(firstDelayMs: number = this.options.intervalMs): void {
    this.running ??= this.loop(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await this.current?.catch(() => {});
  }

  /** The bytes a scrape of this flavor gets (UTF-8). */
  body(flavor: MetricsFlavor): Buffer {
    let body = this.bodies.get(flavor);
    if (body === undefined) {
      body = Buffer.from(renderSnapshot(this.snapshot, flavor), 'utf8');
      this.bodies.set(flavor, body);
    }
    return body;
  }

  /** The text a scrape of this flavor gets. */
  text(flavor: MetricsFlavor): string {
    return this.body(flavor).toString('utf8');
  }

  private update(change: Partial<ExporterSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.bodies.clear();
  }

  private async loop(firstDelayMs: number): Promise<void> {
    let delay = firstDelayMs;
    while (!this.stopped) {
      await this.sleep(delay);
      if (this.stopped) return;
      const started = this.now();
      await this.readOnce();
      // A read slower than the interval is followed at once by the next, never overlapped by it.
      delay = Math.max(0, this.options.intervalMs - (this.now() - started));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
