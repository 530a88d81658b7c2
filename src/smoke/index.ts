import { UnreachableError } from '../errors.js';
import type { Finding, SmokeSection } from '../types.js';

export interface SmokeOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:8080 (credentials in it are redacted in output). */
  url: string;
  token?: string;
  /** JSON body of the sync request (default {"mode":"incremental"}). */
  body: string;
  syncPath: string;
  statusPath: string;
  diagnosticsPath: string;
  timeoutMs: number;
  insecure: boolean;
  /** Progress callback for the TTY progress line (status seen, elapsed ms). */
  onProgress?: (status: string, elapsedMs: number) => void;
}

export interface SmokeResult {
  section: SmokeSection;
  findings: Finding[];
}

/** Drives the sync contract end to end (SPEC §6): POST, poll to a final state, time each phase. */
export async function runSmoke(_options: SmokeOptions): Promise<SmokeResult> {
  throw new UnreachableError('smoke stage not implemented yet', 'http');
}
