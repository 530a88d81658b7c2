import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/**
 * A Node built-in module loaded on first use. Start-up is part of the contract (docs/CONTRACT.md §8): node:crypto,
 * node:tls and node:zlib each pull in a dozen internal modules, and most runs never call them (no baseline, no
 * `rediss://`, no compressed job data).
 */
export function lazyBuiltin<T>(id: `node:${string}`): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireBuiltin(id) as T);
}
