import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { SmokeSection } from '../types.js';
import { humanDuration } from '../wording.js';
import { TABLE_STYLE } from './style.js';

const FINAL_OK = new Set(['finished', 'completed']);
const FINAL_BAD = new Set(['failed', 'stopped', 'canceled', 'cancelled']);

function colourStatus(status: string | undefined, c: ChalkInstance): string {
  if (!status) return c.dim('–');
  if (FINAL_OK.has(status)) return c.green(status);
  if (FINAL_BAD.has(status)) return c.red(status);
  return c.yellow(status);
}

/** Smoke summary (URL, sync answer, job, final status) and the phase timings: when each status was first seen, how long it lasted. */
export function renderSmoke(smoke: SmokeSection, c: ChalkInstance): string[] {
  const lines = [`${c.bold('Smoke')} ${smoke.url}`];
  const answer = smoke.httpStatus !== undefined ? `HTTP ${smoke.httpStatus}` : c.dim('no answer');
  lines.push(`  sync     ${answer}${smoke.jobId ? `, job ${smoke.jobId}` : ''}`);
  lines.push(
    smoke.finalStatus
      ? `  status   ${colourStatus(smoke.finalStatus, c)} after ${humanDuration(smoke.durationMs)}`
      : `  status   ${c.dim('no job was started')} (${humanDuration(smoke.durationMs)})`,
  );
  if (smoke.diagnostics) lines.push(`  ${c.dim('workers')}  ${smoke.diagnostics.summary}`);
  // A job that did not end is still in the API's queue: say so, with the id to find it by.
  if (smoke.jobId && !(smoke.finalStatus && (FINAL_OK.has(smoke.finalStatus) || FINAL_BAD.has(smoke.finalStatus)))) {
    const running = smoke.finalStatus === 'started' || smoke.finalStatus === 'active';
    const where = running ? 'is still running on a worker (the smoke does not cancel it)' : 'is still in the queue (the smoke does not remove it)';
    lines.push(`  ${c.yellow('left')}     job ${smoke.jobId} ${where}`);
  }
  if (smoke.phases.length > 0) {
    const phases = new Table({ head: ['phase', 'first seen', 'lasted'], style: TABLE_STYLE });
    smoke.phases.forEach((phase, index) => {
      const next = smoke.phases[index + 1];
      const stillIn = !next && !FINAL_OK.has(phase.status) && !FINAL_BAD.has(phase.status);
      const lasted = next
        ? humanDuration(next.atMs - phase.atMs)
        : stillIn
          ? c.dim(`${humanDuration(Math.max(0, smoke.durationMs - phase.atMs))}+`)
          : c.dim('–');
      phases.push([colourStatus(phase.status, c), `+${humanDuration(phase.atMs)}`, lasted]);
    });
    lines.push(phases.toString());
  }
  return lines;
}
