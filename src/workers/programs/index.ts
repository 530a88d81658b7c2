import { FRAMEWORK_PROGRAMS } from '../../frameworks/index.js';
import { LANGUAGES } from '../../languages/index.js';
import type { WorkerProgram } from './program.js';

export type { ProgramResult, WorkerProgram } from './program.js';

/**
 * Every worker program: the queue frameworks' own (`rq worker`, `manage.py rqworker`, `celery worker`; each in its
 * framework's folder, see FRAMEWORKS) and the programs that run a language's scripts (`node`, `tsx`; with the
 * language's registry entry, `scriptRunners`).
 */
export const PROGRAMS: readonly WorkerProgram[] = [...FRAMEWORK_PROGRAMS, ...LANGUAGES.flatMap((language) => language.scriptRunners ?? [])];
