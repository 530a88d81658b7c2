// What bin/receipts-doctor.js runs: the bundled CLI (compile.ts says why it is one CommonJS file), with its code cache.
import { readFileSync } from 'node:fs';
import { CACHE_FILE, compileBundle, runBundle } from './compile.js';

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(CACHE_FILE);
} catch {
  // Built without a cache (or it was removed): the bundle is compiled as usual.
}
runBundle(compileBundle(cachedData));
