import { LANGUAGES } from '../../languages/index.js';
import { celery } from '../../frameworks/celery/worker-program.js';
import type { WorkerProgram } from './program.js';
import { rq } from '../../frameworks/rq/worker-program.js';
import { rqworker } from '../../frameworks/django-rq/worker-program.js';

export type { ProgramResult, WorkerProgram } from './program.js';

/**
 * The registry: a worker program with its own command line is one file here plus one line; the programs that run a
 * language's scripts (`node`, `tsx`) come with the language's registry entry (`scriptRunners`).
 */
export const PROGRAMS: readonly WorkerProgram[] = [rq, rqworker, celery, ...LANGUAGES.flatMap((language) => language.scriptRunners ?? [])];
