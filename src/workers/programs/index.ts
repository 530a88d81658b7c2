import { LANGUAGES } from '../../languages/index.js';
import { celery } from './celery.js';
import type { WorkerProgram } from './program.js';
import { rq } from './rq.js';
import { rqworker } from './rqworker.js';

export type { ProgramResult, WorkerProgram } from './program.js';

/**
 * The registry: a worker program with its own command line is one file here plus one line; the programs that run a
 * language's scripts (`node`, `tsx`) come with the language's registry entry (`scriptRunners`).
 */
export const PROGRAMS: readonly WorkerProgram[] = [rq, rqworker, celery, ...LANGUAGES.flatMap((language) => language.scriptRunners ?? [])];
