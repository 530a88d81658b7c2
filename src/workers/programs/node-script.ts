import type { Word } from '../../shell-words.js';
import type { WorkerProgram } from './program.js';

const NODE_VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--conditions', '-C']);

/** `node dist/worker.js`, `tsx src/worker.ts`, …: a JS/TS script, read for the queues it consumes. */
export const nodeScript: WorkerProgram = {
  queueSyntax: 'words',
  executables: ['node', 'ts-node', 'tsx', 'bun', 'nodemon', 'ts-node-dev'],
  read(args: Word[], invokedAs: string) {
    let k = 0;
    while (args[k]?.value.startsWith('-')) k += NODE_VALUE_OPTIONS.has(args[k]!.value) ? 2 : 1;
    const script = args[k]?.value;
    if (!script || !/\.(?:[cm]?[jt]s)$/.test(script)) return null;
    return { kind: 'script', language: 'js', candidates: [script], detectedBy: `${invokedAs} ${script}` };
  },
};
