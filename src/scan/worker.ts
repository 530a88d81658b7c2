// A scan worker thread (see parallel.ts): reads, prefilters and analyzes the files it takes from the shared counter.
import { workerData } from 'node:worker_threads';
import { runWorkerShare, type WorkerShare } from './parallel.js';

runWorkerShare(workerData as WorkerShare);
