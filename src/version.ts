import { readFileSync } from 'node:fs';

/** Inlined by the bundler (scripts/bundle.js); undefined in the unbundled build, which reads package.json. */
declare const __RECEIPTS_DOCTOR_VERSION__: string | undefined;

/** The package version. */
export const VERSION: string =
  typeof __RECEIPTS_DOCTOR_VERSION__ === 'string'
    ? __RECEIPTS_DOCTOR_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
