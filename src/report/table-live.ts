import type { ChalkInstance } from 'chalk';
import type { LiveSection } from '../types.js';

/** Workers and queues tables of the live stage (the view `rq info` gives). */
export function renderLive(_live: LiveSection, _c: ChalkInstance): string[] {
  return [];
}
