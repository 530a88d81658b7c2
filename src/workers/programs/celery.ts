import type { Word } from '../../shell-words.js';
import type { WorkerProgram } from './program.js';

/** celery options that take a value (global and `worker`), so their values are not mistaken for `worker`. */
const CELERY_VALUE_OPTIONS = new Set([
  '-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir', '-c', '--concurrency',
  '-l', '--loglevel', '-n', '--hostname', '-P', '--pool', '-X', '--exclude-queues', '-E', '--logfile', '-f', '--pidfile',
  '--statedb', '-O', '--autoscale', '--max-tasks-per-child', '--max-memory-per-child', '-s', '--schedule', '-I', '--include',
]);

/** `celery … worker -Q a,b` (also `--queues=a,b`, `-Qa,b`): no queue means `celery`. */
export const celery: WorkerProgram = {
  executables: ['celery'],
  pythonModules: ['celery'],
  read(args: Word[]) {
    let k = 0;
    for (; k < args.length; k++) {
      const word = args[k]!.value;
      if (word === 'worker') break;
      if (CELERY_VALUE_OPTIONS.has(word)) k++;
    }
    if (k >= args.length) return null;
    const queues: string[] = [];
    let variable: string | undefined;
    for (let j = k + 1; j < args.length; j++) {
      const word = args[j]!.value;
      let list: string | undefined;
      let source: Word | undefined;
      if (word === '-Q' || word === '--queues') {
        source = args[j + 1];
        list = source?.value;
        j++;
      } else if (word.startsWith('--queues=')) {
        list = word.slice('--queues='.length);
        source = args[j];
      } else if (word.startsWith('-Q') && word.length > 2) {
        list = word.slice(2);
        source = args[j];
      }
      if (list !== undefined) {
        queues.push(...list.split(',').map((queue) => queue.trim()).filter(Boolean));
        variable ??= source?.variables[0];
      }
    }
    return {
      kind: 'queues',
      queues: queues.length ? queues : ['celery'],
      ...(variable && queues.length ? { fromVariable: variable } : {}),
      detectedBy: 'celery worker',
      programDefault: queues.length === 0,
    };
  },
};
