import type { Word } from '../../shell-words.js';
import { queuesFrom, type WorkerProgram } from '../../workers/programs/program.js';
import { readRqworkerOverride } from './rqworker-override.js';

/** django-rq `rqworker` (and Django's base command) options that take a value. */
const DJANGO_VALUE_OPTIONS = new Set([
  '--worker-class', '--queue-class', '--job-class', '--worker-ttl', '--name', '--pid', '--sentry-dsn',
  '--sentry-ca-certs', '--sentry-debug', '--max-jobs', '--max-idle-time', '--serializer', '--url', '--verbosity', '-v',
  '--settings', '--pythonpath', '--logging_level', '--dequeue-strategy', '--num-workers', '-n', '--results-ttl',
]);

/**
 * django-rq's `manage.py rqworker [queues…]` / `rqworker-pool`: no queue means `default` — unless the application
 * overrides the `rqworker` command with its own default (read from its code).
 */
export const rqworker: WorkerProgram = {
  queueSyntax: 'words',
  executables: ['manage.py'],
  pythonScripts: ['manage.py'],
  read(args: Word[]) {
    const sub = args[0]?.value;
    if (sub !== 'rqworker' && sub !== 'rqworker-pool') return null;
    const positional: Word[] = [];
    for (let k = 1; k < args.length; k++) {
      const word = args[k]!.value;
      if (word.startsWith('-')) {
        if (!word.includes('=') && DJANGO_VALUE_OPTIONS.has(word)) k++;
      } else positional.push(args[k]!);
    }
    const result = queuesFrom(positional, `manage.py ${sub}`, 'default');
    return sub === 'rqworker' && result.kind === 'queues' && result.programDefault ? { ...result, projectDefault: readRqworkerOverride } : result;
  },
};
