import { buildProgram } from './program.js';
import { runProgram, type RunEnd } from './run.js';

/**
 * Settles when the command has run (scripts/code-cache.js runs the CLI several times in one process, one after
 * another). A function's promise rather than a top-level await: the bundle is CommonJS (scripts/bundle.js says why).
 */
export const finished: Promise<RunEnd> = runProgram(buildProgram());
