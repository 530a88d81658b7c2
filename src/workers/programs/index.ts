import { celery } from './celery.js';
import { nodeScript } from './node-script.js';
import type { WorkerProgram } from './program.js';
import { rq } from './rq.js';
import { rqworker } from './rqworker.js';

export type { ProgramResult, WorkerProgram } from './program.js';

/** The registry: a worker program with its own command line is one file here plus one line. */
export const PROGRAMS: readonly WorkerProgram[] = [rq, rqworker, celery, nodeScript];
