import { FRAMEWORK_PROGRAMS } from '../../frameworks/index.js';
import { nodeScript } from './node-script.js';
import type { WorkerProgram } from './program.js';

export type { ProgramResult, QueueSyntax, WorkerProgram } from './program.js';
export { readProgram } from './program.js';

/**
 * Every worker program: the queue frameworks' own (`rq worker`, `manage.py rqworker`, `celery worker`; each in its
 * framework's folder, see FRAMEWORKS) and the programs that run a language's scripts (`node`, `tsx`: they name the
 * script's language; the worker stage reads the script with that language's reader). Listed here, not in the
 * language's entry, so that languages/ imports nothing from workers/ (the stages' direction).
 */
const SCRIPT_RUNNERS: readonly WorkerProgram[] = [nodeScript];

export const PROGRAMS: readonly WorkerProgram[] = [...FRAMEWORK_PROGRAMS, ...SCRIPT_RUNNERS];
