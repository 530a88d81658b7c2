import type { Word } from '../../shell-words.js';
import { queuesFrom, type WorkerProgram } from '../../workers/programs/program.js';

/**
 * Options of `rq worker` / `rq worker-pool` that take a value, from python-rq's click CLI (rq/cli/cli.py,
 * rq/cli/workers.py and the shared options in rq/cli/helpers.py, 1.x and 2.x). Every other option is a flag.
 */
const RQ_VALUE_OPTIONS = new Set([
  '--url', '-u', '--config', '-c', '--worker-class', '-w', '--job-class', '-j', '--queue-class', '--connection-class',
  '--path', '-P', '--serializer', '-S', '--logging_level', '--logging-level', '-l', '--log-format', '--date-format',
  '--name', '-n', '--results-ttl', '--worker-ttl', '--maintenance-interval', '--job-monitoring-interval',
  '--exception-handler', '--pid', '--max-jobs', '--max-idle-time', '--dequeue-strategy', '-ds', '--sentry-ca-certs',
  '--sentry-debug', '--sentry-dsn', '--num-workers',
]);
/** Short flags of `rq worker`/`worker-pool` (for clustered forms like `-bv`). */
const RQ_SHORT_FLAGS = new Set(['b', 'v', 'q', 'd', 's']);

/** `rq worker [opts] [queues…]`, `rq worker-pool`, `python -m rq.cli worker`: no queue means `default`. */
export const rq: WorkerProgram = {
  queueSyntax: 'words',
  executables: ['rq'],
  pythonModules: ['rq', 'rq.cli'],
  read(args: Word[], invokedAs: string) {
    const sub = args[0]?.value;
    if (sub !== 'worker' && sub !== 'worker-pool') return null;
    const positional: Word[] = [];
    for (let k = 1; k < args.length; k++) {
      const word = args[k]!.value;
      if (word === '--') {
        positional.push(...args.slice(k + 1));
        break;
      }
      if (word.startsWith('--')) {
        if (!word.includes('=') && RQ_VALUE_OPTIONS.has(word)) k++;
      } else if (word.startsWith('-') && word.length > 1) {
        if (RQ_VALUE_OPTIONS.has(word)) {
          k++;
          continue;
        }
        // Clustered short options: flags, then possibly one option whose value is the rest or the next word.
        for (let c = 1; c < word.length; c++) {
          if (RQ_SHORT_FLAGS.has(word[c]!)) continue;
          if (c === word.length - 1) k++;
          break;
        }
      } else positional.push(args[k]!);
    }
    return queuesFrom(positional, `${invokedAs} ${sub}`, 'default');
  },
};
