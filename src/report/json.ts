import type { Report } from '../types.js';

/** The stable JSON contract of docs/CONTRACT.md §3. */
export const formatJson = (report: Report): string => `${JSON.stringify(report, null, 2)}\n`;
