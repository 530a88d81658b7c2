/**
 * Where any of a set of needles starts in a file's bytes, in one pass: the prefilter's byte search. The search runs in
 * WebAssembly SIMD (needle-search.wat, Teddy's shape): per 16 positions, three bytes' nibbles pick the buckets whose
 * needles can start there, and only those needles are compared. Without WebAssembly (`node --jitless`) there is no
 * engine and the caller falls back to its string search.
 *
 * Why not JavaScript: a file of a monorepo is mostly code without any needle, and every needle's rarest character is
 * still common in code (`.`, `k`, `h`): searching character by character stopped about two million times in
 * 12,000 modules (76 MB); this pass stops about 120,000 times, each a real needle.
 */
import { NEEDLE_SEARCH_WASM } from './needle-search-wasm.js';

/** The part of the WebAssembly global used here (this project's TypeScript libs declare no WebAssembly types). */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

/**
 * Printable ASCII from the rarest to the most common in source code (mean byte frequency over 2,656 Python files of
 * Debian's dist-packages and 1,009 TypeScript files of this project's node_modules; others rank last).
 */
const RARITY = '^Z&Q!$~%XYJ+K79H@qVGz6<Uj?8W5\\4B}{|3F>][LODM#2P-NIC1A;R=`EwkST0xv/")(by_g*\'.:h,mfupdclisaonrte ';

/** A character's rank from the rarest (0) to the most common; unlisted characters rank last. */
export function rarity(char: string): number {
  const rank = RARITY.indexOf(char);
  return rank < 0 ? RARITY.length : rank;
}

/** Bytes of the configuration block of a needle set (layout in needle-search.wat); it sits at address 0. */
const CONFIG_BYTES = 1024;
const BUCKETS_AT = 96;
const NEEDLES_AT = 160;
const NEEDLE_BYTES_AT = 432;
const MAX_NEEDLES = (NEEDLE_BYTES_AT - 16 - NEEDLES_AT) / 8;
const BUCKETS = 8;
/** A file's bytes follow the configuration block. */
const TEXT_AT = CONFIG_BYTES;
/** Readable bytes the vector loads need past a file's end. */
const SLACK = 16;
const PAGE = 65536;

interface Engine {
  memory: WebAssembly.Memory;
  find: (config: number, pos: number, end: number) => number;
  view: Uint8Array;
  /** The needle set whose block is in memory now (a scan of two languages switches with a 1 KiB copy). */
  configured?: NeedleSearch;
}

/** The instantiated module, null when this Node has no WebAssembly; made on first use. */
let engine: Engine | null | undefined;

function theEngine(): Engine | null {
  if (engine !== undefined) return engine;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(NEEDLE_SEARCH_WASM, 'base64')), {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    engine = { memory, find: instance.exports.find as Engine['find'], view: new Uint8Array(memory.buffer) };
  } catch {
    engine = null;
  }
  return engine;
}

/** Relative byte frequencies (summing to 1) from RARITY: each rank about 10% more common than the one before. */
let byteWeights: Float64Array | undefined;

function weights(): Float64Array {
  if (byteWeights) return byteWeights;
  byteWeights = new Float64Array(256).fill(1);
  for (let rank = 0; rank < RARITY.length; rank++) byteWeights[RARITY.charCodeAt(rank)] = Math.exp(rank / 10);
  const total = byteWeights.reduce((sum, weight) => sum + weight, 0);
  for (let byte = 0; byte < 256; byte++) byteWeights[byte]! /= total;
  return byteWeights;
}

/** How often a bucket's three-byte fingerprint would accept a position of ordinary code (estimated). */
function acceptRate(needles: readonly string[]): number {
  const weight = weights();
  let rate = 1;
  for (let j = 0; j < 3; j++) {
    let lows = 0;
    let highs = 0;
    let short = false;
    for (const needle of needles) {
      if (needle.length <= j) short = true;
      lows |= 1 << (needle.charCodeAt(j) & 15);
      highs |= 1 << (needle.charCodeAt(j) >> 4);
    }
    if (short) continue;
    let accepted = 0;
    // The fingerprint accepts every byte made of an accepted high and an accepted low nibble.
    for (let high = 0; high < 16; high++) {
      if (!(highs & (1 << high))) continue;
      for (let low = 0; low < 16; low++) if (lows & (1 << low)) accepted += weight[high * 16 + low]!;
    }
    rate *= accepted;
  }
  return rate;
}

/**
 * At most eight buckets: needles in case-folded order, then the neighbouring pair whose merged fingerprint adds the
 * fewest estimated false starts is merged, until eight are left (a short needle such as `@` accepts everything past
 * its end, so it stays on its own).
 */
function bucketsOf(needles: readonly string[]): string[][] {
  const folded = (needle: string) => needle.toLowerCase();
  const buckets = [...needles].sort((a, b) => (folded(a) < folded(b) ? -1 : folded(a) > folded(b) ? 1 : a < b ? -1 : 1)).map((needle) => [needle]);
  const rates = buckets.map(acceptRate);
  // pairs[i]: the rate of buckets i and i + 1 merged; only the pairs next to a merge change.
  const pairRate = (i: number) => acceptRate([...buckets[i]!, ...buckets[i + 1]!]);
  const pairs = buckets.slice(1).map((_, i) => pairRate(i));
  while (buckets.length > BUCKETS) {
    let best = 0;
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i]! - rates[i]! - rates[i + 1]! < pairs[best]! - rates[best]! - rates[best + 1]!) best = i;
    }
    buckets.splice(best, 2, [...buckets[best]!, ...buckets[best + 1]!]);
    rates.splice(best, 2, pairs[best]!);
    pairs.splice(best, 1);
    if (best > 0) pairs[best - 1] = pairRate(best - 1);
    if (best < pairs.length) pairs[best] = pairRate(best);
  }
  return buckets;
}

/** A compiled needle set. `starts` finds, in a file's bytes, each position where one of the needles starts. */
export class NeedleSearch {
  /** The configuration block, made on first use. */
  private block: Uint8Array | undefined;

  constructor(readonly needles: readonly string[]) {
    const bytes = needles.reduce((sum, needle) => sum + needle.length, 0);
    if (needles.length > MAX_NEEDLES || needles.some((needle) => !needle || /[^\x20-\x7e]/.test(needle)) || NEEDLE_BYTES_AT + bytes > CONFIG_BYTES) {
      throw new Error(`needle search: 1 to ${MAX_NEEDLES} printable ASCII needles of ${CONFIG_BYTES - NEEDLE_BYTES_AT} bytes in all`);
    }
  }

  /** The tables, bucket records and needle bytes, as the block at address 0 holds them. */
  private configuration(): Uint8Array {
    if (this.block) return this.block;
    const block = new Uint8Array(CONFIG_BYTES);
    const data = new DataView(block.buffer);
    let index = 0;
    let bytesAt = NEEDLE_BYTES_AT;
    bucketsOf(this.needles).forEach((bucket, b) => {
      data.setInt32(BUCKETS_AT + b * 8, index, true);
      data.setInt32(BUCKETS_AT + b * 8 + 4, bucket.length, true);
      for (const needle of bucket) {
        data.setInt32(NEEDLES_AT + index * 8, needle.length, true);
        data.setInt32(NEEDLES_AT + index * 8 + 4, bytesAt, true);
        for (let i = 0; i < needle.length; i++) block[bytesAt + i] = needle.charCodeAt(i);
        bytesAt += needle.length;
        index++;
        for (let j = 0; j < 3; j++) {
          for (let nibble = 0; nibble < 16; nibble++) {
            const code = needle.charCodeAt(j);
            if (j >= needle.length || (code & 15) === nibble) block[32 * j + nibble]! |= 1 << b;
            if (j >= needle.length || code >> 4 === nibble) block[32 * j + 16 + nibble]! |= 1 << b;
          }
        }
      }
    });
    return (this.block = block);
  }

  /**
   * Calls `found` with each position of `bytes` where a needle starts, in order, until it returns true (then true);
   * false when none does; undefined when there is no engine (the caller searches another way).
   */
  starts(bytes: Uint8Array, found: (start: number) => boolean): boolean | undefined {
    const engine = theEngine();
    if (!engine) return undefined;
    const end = TEXT_AT + bytes.length;
    if (end + SLACK > engine.memory.buffer.byteLength) {
      engine.memory.grow(Math.ceil((end + SLACK - engine.memory.buffer.byteLength) / PAGE));
      engine.view = new Uint8Array(engine.memory.buffer);
    }
    if (engine.configured !== this) {
      engine.view.set(this.configuration(), 0);
      engine.configured = this;
    }
    engine.view.set(bytes, TEXT_AT);
    for (let at = engine.find(0, TEXT_AT, end); at >= 0; at = engine.find(0, at + 1, end)) {
      if (found(at - TEXT_AT)) return true;
    }
    return false;
  }
}
