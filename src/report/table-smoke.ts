import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { SmokeSection } from '../types.js';
import { humanDuration, TABLE_STYLE } from './style.js';

const FINAL_OK = new Set(['finished', 'completed']);
const FINAL_BAD = new Set(['failed', 'stopped', 'canceled', 'cancelled']);

function colourStatus(status: string | undefined, c: ChalkInstance): string {
  if (!status) return c.dim('–');
  if (FINAL_OK.has(status)) return c.green(status);
  if (FINAL_BAD.has(status)) return c.red(status);
  return c.yellow(status);
}

/** Smoke summary (URL, job, final status) and the phase timings: when each status was first seen, how long it lasted. */
export function renderSmoke(smoke: SmokeSection, c: ChalkInstance): string[] {
  const lines = [c.bold('Smoke')];
  const summary = new Table({ style: TABLE_STYLE });
  summary.push(
    { url: smoke.url },
    { 'sync answer': smoke.httpStatus !== undefined ? `HTTP ${smoke.httpStatus}` : c.dim('none') },
    { job: smoke.jobId ?? c.dim('–') },
    { 'final status': colourStatus(smoke.finalStatus, c) },
    { duration: humanDuration(smoke.durationMs) },
  );
  lines.push(summary.toString());
  if (smoke.phases.length > 0) {
    const phases = new Table({ head: ['phase', 'first seen', 'lasted'], style: TABLE_STYLE });
    smoke.phases.forEach((phase, index) => {
      const next = smoke.phases[index + 1];
      const final = index === smoke.phases.length - 1;
      const lasted = next
        ? humanDuration(next.atMs - phase.atMs)
        : final && !FINAL_OK.has(phase.status) && !FINAL_BAD.has(phase.status)
          ? c.dim(`${humanDuration(Math.max(0, smoke.durationMs - phase.atMs))}+`)
          : c.dim('–');
      phases.push([colourStatus(phase.status, c), `+${humanDuration(phase.atMs)}`, lasted]);
    });
    lines.push(phases.toString());
  }
  if (smoke.diagnostics) lines.push(`${c.dim('Diagnostics:')} ${smoke.diagnostics.summary}`);
  return lines;
}
