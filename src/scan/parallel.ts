import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { nodeFileSystem } from '../fs.js';
import type { ModuleFacts } from '../languages/facts.js';
import { languageById, type LanguageId } from '../languages/index.js';
import { ModuleIndex } from '../languages/modules.js';
import { UnreadableFiles } from '../model.js';
import type { ModuleReader, SourceFile } from './index.js';

/**
 * Reading, prefiltering and analyzing the walked files on every core (docs/CONTRACT.md §8: a dense monorepo within 5×
 * of ripgrep, which searches on every core). Each file is independent; the main thread and the worker threads take
 * the next file from one shared counter, so a worker that starts late (a thread costs tens of milliseconds to boot)
 * takes fewer files instead of making the others wait. Results come back in one message per worker and are adopted in
 * walk order, so the scan's output is the same as on one thread.
 *
 * Below PARALLEL_MIN_FILES the threads would cost more than they save; a one-core machine uses none.
 */
export const PARALLEL_MIN_FILES = 1_000;
const MAX_WORKERS = 3;
/** A worker that posted nothing for this long is broken, not slow (one file is at most 2 MiB). */
const WORKER_STALL_MS = 60_000;

/** Slots of the shared Int32Array: the next file index, then one state per worker. */
const NEXT = 0;
const WAITING = 0;
const WORKING = 1;
const FINISHED = 2;
const CANCELLED = 3;

export interface WorkerShare {
  root: string;
  files: { relative: string; language: LanguageId; listedRegular: boolean }[];
  shared: SharedArrayBuffer;
  slot: number;
  port: MessagePort;
}

interface ShareResult {
  /** How many files this worker took. */
  taken: number;
  facts: [index: number, facts: ModuleFacts][];
  unreadable: { file: string; reason: string }[];
  parsed: number;
  error?: string;
}

/** Takes files from the shared counter until none are left; what a worker thread and the main thread both run. */
function takeFiles(
  files: WorkerShare['files'],
  counter: Int32Array,
  modules: ModuleIndex,
  onFacts: (index: number, facts: ModuleFacts) => void,
): number {
  let taken = 0;
  for (let index = Atomics.add(counter, NEXT, 1); index < files.length; index = Atomics.add(counter, NEXT, 1)) {
    taken++;
    const { relative, language, listedRegular } = files[index]!;
    const text = modules.readCandidate(relative, languageById(language), listedRegular);
    if (text !== undefined) onFacts(index, modules.analyze(relative, languageById(language), text));
  }
  return taken;
}

/** The worker thread's side (src/scan/worker.ts): claim the slot, take files, post the results, finish. */
export function runWorkerShare(share: WorkerShare): void {
  const state = new Int32Array(share.shared);
  if (Atomics.compareExchange(state, share.slot, WAITING, WORKING) !== WAITING) return; // cancelled before it began
  Atomics.notify(state, share.slot);
  const unreadable = new UnreadableFiles();
  const modules = new ModuleIndex(nodeFileSystem, share.root, unreadable);
  const result: ShareResult = { taken: 0, facts: [], unreadable: [], parsed: 0 };
  try {
    result.taken = takeFiles(share.files, state, modules, (index, facts) => result.facts.push([index, facts]));
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  result.unreadable = unreadable.list();
  result.parsed = modules.parsed;
  share.port.postMessage(result);
  Atomics.store(state, share.slot, FINISHED);
  Atomics.notify(state, share.slot);
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** How the last parallel read shared its files (observed by the tests: a worker that never takes a file is no proof). */
export const lastParallelRead = { workers: 0, takenByWorkers: 0 };

export interface ParallelReadOptions {
  /** Fewer walked files than this are read on this thread alone (default PARALLEL_MIN_FILES). */
  minFiles?: number;
  /** Whether this thread takes files too (default); the tests turn it off to make the workers take them all. */
  mainThreadTakes?: boolean;
}

/**
 * A ModuleReader over worker threads, for the disk file system only (a thread opens the files itself). Declines (one
 * thread then reads) when the project is small, the machine has one core, or the worker module is absent (running
 * from sources under a test runner).
 */
export function parallelModuleReader(options: ParallelReadOptions = {}): ModuleReader {
  const minFiles = options.minFiles ?? PARALLEL_MIN_FILES;
  const mainThreadTakes = options.mainThreadTakes ?? true;
  return (files, modules) => {
    const workerCount = Math.min(MAX_WORKERS, availableParallelism() - 1);
    if (files.length < minFiles || workerCount < 1 || !existsSync(fileURLToPath(WORKER_URL))) return undefined;
    const shared = new SharedArrayBuffer(4 * (1 + workerCount));
    const state = new Int32Array(shared);
    const list = files.map(({ relative, language, listedRegular }) => ({ relative, language: language.id, listedRegular }));
    const workers: { worker: Worker; port: MessagePort; slot: number }[] = [];
    for (let slot = 1; slot <= workerCount; slot++) {
      const { port1, port2 } = new MessageChannel();
      const share: WorkerShare = { root: modules.root, files: list, shared, slot, port: port2 };
      const worker = new Worker(WORKER_URL, { workerData: share, transferList: [port2] });
      // The result travels through the port, read synchronously below; nothing here may keep the process alive.
      worker.unref();
      workers.push({ worker, port: port1, slot });
    }

    const matched = new Set<number>();
    lastParallelRead.workers = workerCount;
    lastParallelRead.takenByWorkers = 0;
    try {
      if (mainThreadTakes) takeFiles(list, state, modules, (index) => matched.add(index));
      for (const { port, slot } of workers) {
        // A worker that has not begun yet never will take a file now: cancel it instead of waiting for its boot.
        if (mainThreadTakes && Atomics.compareExchange(state, slot, WAITING, CANCELLED) === WAITING) continue;
        const deadline = Date.now() + WORKER_STALL_MS;
        for (let current = Atomics.load(state, slot); current !== FINISHED; current = Atomics.load(state, slot)) {
          if (Atomics.wait(state, slot, current, Math.max(0, deadline - Date.now())) === 'timed-out') {
            throw new Error('a scan worker thread stopped answering');
          }
        }
        const result = receiveMessageOnPort(port)?.message as ShareResult | undefined;
        if (!result) throw new Error('a scan worker thread finished without its result');
        if (result.error) throw new Error(`a scan worker thread failed: ${result.error}`);
        lastParallelRead.takenByWorkers += result.taken;
        for (const [index, facts] of result.facts) {
          modules.adopt(files[index]!.relative, facts);
          matched.add(index);
        }
        for (const { file, reason } of result.unreadable) modules.unreadable.record(file, reason);
        modules.parsed += result.parsed;
      }
    } finally {
      for (const { worker, port } of workers) {
        port.close();
        void worker.terminate();
      }
    }
    return [...matched].sort((a, b) => a - b).map((index) => files[index]!.relative);
  };
}

export const readModulesInParallel: ModuleReader = parallelModuleReader();
