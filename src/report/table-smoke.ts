import type { ChalkInstance } from 'chalk';
import type { SmokeSection } from '../types.js';

/** Phase timings of the smoke stage. */
export function renderSmoke(_smoke: SmokeSection, _c: ChalkInstance): string[] {
  return [];
}
