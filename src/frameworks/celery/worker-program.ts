import type { Word } from '../../shell-words.js';
import type { ProgramResult, ProjectCode, ProjectDefault, WorkerProgram } from '../../workers/programs/program.js';
import { celeryWorkerData } from './project-step.js';

/** celery options that take a value (global and `worker`), so their values are not mistaken for `worker`. */
const CELERY_VALUE_OPTIONS = new Set([
  '-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir', '-c', '--concurrency',
  '-l', '--loglevel', '-n', '--hostname', '-P', '--pool', '-X', '--exclude-queues', '-E', '--logfile', '-f', '--pidfile',
  '--statedb', '-O', '--autoscale', '--max-tasks-per-child', '--max-memory-per-child', '-s', '--schedule', '-I', '--include',
]);

const splitList = (list: string) => list.split(',').map((queue) => queue.trim()).filter(Boolean);

/** The value of `-Q a`, `-Qa`, `--queues a`, `--queues=a` (and `-Q:node a` under `celery multi`) at `j`. */
function optionValue(args: Word[], j: number, short: string, long: string): { list: string; word: Word; skip: number } | undefined {
  const word = args[j]!.value;
  if (word === short || word === long || (word.startsWith(`${short}:`) && !word.includes('='))) {
    const next = args[j + 1];
    return next ? { list: next.value, word: next, skip: 1 } : undefined;
  }
  if (word.startsWith(`${long}=`)) return { list: word.slice(long.length + 1), word: args[j]!, skip: 0 };
  if (word.startsWith(short) && word.length > 2 && word[2] !== ':') return { list: word.slice(2), word: args[j]!, skip: 0 };
  return undefined;
}

/**
 * `celery … worker -Q a,b -X c` (also `--queues=a,b`, `-Qa,b`, repeated) and `celery multi start w1 … -Q a`
 * (`-Q:w1 a` per node: the queues of all nodes). No `-Q`: the app's `task_queues`, else its `task_default_queue`
 * (Celery's default `celery`), read from the project's Celery configuration; `-X` removes queues from either.
 */
export const celery: WorkerProgram = {
  queueSyntax: 'commas',
  executables: ['celery'],
  pythonModules: ['celery'],
  read(args: Word[]): ProgramResult | null {
    // `-A proj`, `--app proj`, `--app=proj`, `-Aproj`: the app `find_app` loads (a global option, before the command).
    let app: string | undefined;
    let k = 0;
    for (; k < args.length; k++) {
      const given = optionValue(args, k, '-A', '--app');
      if (given) app = given.list;
      const word = args[k]!.value;
      if (word === 'worker' || word === 'multi') break;
      if (CELERY_VALUE_OPTIONS.has(word)) k++;
    }
    if (k >= args.length) return null;
    const multi = args[k]!.value === 'multi';
    const queues: string[] = [];
    const excluded: string[] = [];
    let variable: string | undefined;
    const unknown: string[] = [];
    for (let j = k + 1; j < args.length; j++) {
      const queue = optionValue(args, j, '-Q', '--queues');
      const exclude = queue ? undefined : optionValue(args, j, '-X', '--exclude-queues');
      const found = queue ?? exclude;
      if (!found) continue;
      // `-Q $QUEUES` with QUEUES unset where the doctor can see: the list is unknown, not empty.
      if (found.word.unknown) {
        if (queue) unknown.push(...found.word.unknown);
      } else (queue ? queues : excluded).push(...splitList(found.list));
      if (queue) variable ??= found.word.variables[0];
      j += found.skip;
    }
    const given = queues.filter((queue) => !excluded.includes(queue));
    const detectedBy = multi ? 'celery multi' : 'celery worker';
    const loads = app !== undefined ? { app: (code: ProjectCode) => appLabel(code, app) } : {};
    if (queues.length || unknown.length) {
      const unknownVariables = unknown.length ? { unknownVariables: [...new Set(unknown)] } : {};
      return { kind: 'queues', queues: given, ...(variable ? { fromVariable: variable } : {}), detectedBy, programDefault: false, ...loads, ...unknownVariables };
    }
    return {
      kind: 'queues',
      queues: ['celery'].filter((queue) => !excluded.includes(queue)),
      detectedBy,
      programDefault: true,
      projectDefault: (code) => appDefault(code, excluded, detectedBy, app),
      ...loads,
    };
  },
};

/** The app `-A` loads, as reports name it, when the project has several (one app: no name needed). */
function appLabel(code: ProjectCode, app: string): string | undefined {
  const project = celeryWorkerData(code.frameworkData);
  return project && project.apps.length > 1 ? project.find(app)?.label : undefined;
}

/** A worker without `-Q` consumes the app's declared `task_queues`, else its default queue, minus `-X`. */
function appDefault(code: ProjectCode, excluded: string[], detectedBy: string, app: string | undefined): ProjectDefault | undefined {
  const project = celeryWorkerData(code.frameworkData);
  // With several apps, the one `-A` names (none found: Celery's own default queue, as the program default says).
  const config = project && project.apps.length > 1 ? (app !== undefined ? project.find(app) : undefined) : project;
  if (!config) return undefined;
  const declared = config.queues ?? ('file' in config.defaultQueue ? { ...config.defaultQueue, value: [config.defaultQueue.value] } : undefined);
  if (!declared) return undefined;
  return {
    queues: declared.value.filter((queue) => !excluded.includes(queue)),
    location: { file: declared.file, line: declared.position.line, column: declared.position.column },
    detectedBy: `${detectedBy} (the ${config.label && project!.apps.length > 1 ? `app \`${config.label}\`'s` : "app's"} ${declared.setting} in ${declared.file})`,
  };
}
