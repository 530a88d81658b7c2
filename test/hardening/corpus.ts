/**
 * Deterministic fuzz inputs for the parsers: mutations of the repository's real compose files and
 * sources, and hand-made pathological inputs (binary, huge, deep, alias bombs, non-UTF-8).
 * Every generator takes a seed, so a failing input can be regenerated from the test's message.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fixture } from '../helpers/cli.js';

/** mulberry32: a tiny, fast PRNG; the same seed gives the same inputs on every machine. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: () => number, max: number) => Math.floor(random() * max);

/** A real file of the repository, as bytes. */
export interface SeedFile {
  /** Path relative to fixtures/. */
  name: string;
  bytes: Buffer;
}

function walk(dir: string, accept: (name: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__pycache__' || entry.name === 'fuzz-regressions') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, accept, out);
    else if (entry.isFile() && accept(entry.name) && statSync(full).size < 256 * 1024) out.push(full);
  }
  return out.sort();
}

const FIXTURES = fixture();

function seeds(accept: (name: string) => boolean): SeedFile[] {
  return walk(FIXTURES, accept).map((file) => ({ name: relative(FIXTURES, file), bytes: readFileSync(file) }));
}

/** Every compose file of fixtures/ (valid and deliberately bad ones). */
export const composeSeeds = () => seeds((name) => /^(docker-)?compose.*\.ya?ml$/.test(name));
/** Every .env / *.env file of fixtures/. */
export const dotenvSeeds = () => seeds((name) => name === '.env' || name.endsWith('.env'));
/** Every Python source of fixtures/. */
export const pythonSeeds = () => seeds((name) => name.endsWith('.py'));
/** Every TypeScript/JavaScript source of fixtures/. */
export const scriptSeeds = () => seeds((name) => /\.(ts|js|mjs|cjs|tsx)$/.test(name));

export type MutationName =
  | 'byte-flip'
  | 'truncate'
  | 'duplicate-lines'
  | 'remove-lines'
  | 'reindent'
  | 'insert-special'
  | 'swap-lines'
  | 'splice-bytes';

/** Characters that are meaningful to YAML, Python, TS, dotenv and compose interpolation. */
const SPECIAL = [
  '$', '$$', '${', '}', '${A:-${B:-x}}', '${X:?boom}', '${', '{', '[', ']', '(', ')', '"', "'", '`', '\\', '#', ':', '- ',
  '&a ', '*a', '<<: *a', '!reset ', '!override ', '!!binary ', '%YAML 1.1\n', '---\n', '...\n', '\t', '\r', '\0', '\u2028',
  '\ufeff', '"""', "'''", '/*', '*/', '//', '${{', 'Queue(', "Queue('", 'enqueue(', 'new Queue(', '\\x', '\\u{', 'f"{', '\xff',
];

/** One random, structure-unaware mutation of `bytes`. */
export function mutate(bytes: Buffer, random: () => number): { mutation: MutationName; bytes: Buffer } {
  const mutation = pick<MutationName>(random, [
    'byte-flip', 'truncate', 'duplicate-lines', 'remove-lines', 'reindent', 'insert-special', 'swap-lines', 'splice-bytes',
  ]);
  const copy = Buffer.from(bytes);
  const lines = () => copy.toString('latin1').split('\n');
  const fromLines = (items: string[]) => Buffer.from(items.join('\n'), 'latin1');
  switch (mutation) {
    case 'byte-flip': {
      for (let n = 1 + int(random, 8); n > 0 && copy.length; n--) copy[int(random, copy.length)] ^= 1 << int(random, 8);
      return { mutation, bytes: copy };
    }
    case 'truncate':
      return { mutation, bytes: copy.subarray(0, int(random, copy.length + 1)) };
    case 'duplicate-lines': {
      const items = lines();
      const start = int(random, items.length);
      const block = items.slice(start, start + 1 + int(random, 6));
      items.splice(int(random, items.length + 1), 0, ...block);
      return { mutation, bytes: fromLines(items) };
    }
    case 'remove-lines': {
      const items = lines();
      items.splice(int(random, items.length), 1 + int(random, 4));
      return { mutation, bytes: fromLines(items) };
    }
    case 'reindent': {
      const items = lines();
      for (let n = 1 + int(random, 5); n > 0; n--) {
        const index = int(random, items.length);
        const line = items[index]!.replace(/^[ \t]*/, '');
        items[index] = pick(random, ['', ' ', '   ', '\t', '        ', ' \t ']) + line;
      }
      return { mutation, bytes: fromLines(items) };
    }
    case 'insert-special': {
      const text = copy.toString('latin1');
      let out = text;
      for (let n = 1 + int(random, 4); n > 0; n--) {
        const at = int(random, out.length + 1);
        out = out.slice(0, at) + pick(random, SPECIAL) + out.slice(at);
      }
      return { mutation, bytes: Buffer.from(out, 'latin1') };
    }
    case 'swap-lines': {
      const items = lines();
      const a = int(random, items.length);
      const b = int(random, items.length);
      [items[a], items[b]] = [items[b]!, items[a]!];
      return { mutation, bytes: fromLines(items) };
    }
    case 'splice-bytes': {
      const noise = Buffer.from(Array.from({ length: 1 + int(random, 64) }, () => int(random, 256)));
      const at = int(random, copy.length + 1);
      return { mutation, bytes: Buffer.concat([copy.subarray(0, at), noise, copy.subarray(at)]) };
    }
  }
}

/** `count` mutants of the seed files, round-robin over the seeds, each labelled for failure messages. */
export function mutants(files: SeedFile[], count: number, seed: number): { label: string; name: string; bytes: Buffer }[] {
  const random = prng(seed);
  const out: { label: string; name: string; bytes: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const file = files[i % files.length]!;
    // Stacked mutations find more than single ones; keep most inputs close to valid so they reach deep code.
    let bytes = file.bytes;
    const applied: string[] = [];
    for (let n = 1 + int(random, 3); n > 0; n--) {
      const result = mutate(bytes, random);
      bytes = result.bytes;
      applied.push(result.mutation);
    }
    out.push({ label: `seed ${seed} #${i} ${file.name} [${applied.join('+')}]`, name: file.name, bytes });
  }
  return out;
}

/** Random bytes (not text at all). */
export function binary(size: number, seed: number): Buffer {
  const random = prng(seed);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = int(random, 256);
  return out;
}

/** A valid-looking compose file of about `bytes` bytes: many services with environments, every 100th a worker. */
export function hugeCompose(bytes: number): string {
  const parts = ['services:\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < bytes; i++) {
    const worker = i % 100 === 0;
    const command = worker ? 'rq worker high default low' : `gunicorn app${i}:wsgi`;
    const variable = worker ? `RQ_QUEUES: q${i},default` : `APP_ID: "${i}"`;
    const service = `  svc${i}:\n    image: app:${i}\n    command: ${command}\n    environment:\n      ${variable}\n      PAD: ${'x'.repeat(200)}\n`;
    parts.push(service);
    size += service.length;
  }
  return parts.join('');
}

/** One enormous line (no newline at all): the worst case for line-based tools. */
export function hugeLine(bytes: number, unit = 'a'): string {
  return unit.repeat(Math.ceil(bytes / unit.length));
}

/** A Python module of about `bytes` bytes with many enqueue sites. */
export function hugePython(bytes: number): string {
  const header = 'from rq import Queue\nfrom redis import Redis\nconn = Redis()\n';
  const parts = [header];
  let size = header.length;
  for (let i = 0; size < bytes; i++) {
    const chunk = `def job_${i}():\n    Queue('q${i % 97}', connection=conn).enqueue('tasks.run', ${i})\n    return "${'y'.repeat(80)}"\n\n`;
    parts.push(chunk);
    size += chunk.length;
  }
  return parts.join('');
}

/** YAML nested `depth` levels, in flow (`[[[…]]]`) or block (`a:\n  a:\n …`) style, under a service. */
export function deepYaml(depth: number, style: 'flow-seq' | 'flow-map' | 'block-map' | 'block-seq'): string {
  switch (style) {
    case 'flow-seq':
      return `services:\n  worker:\n    image: app\n    command: ${'['.repeat(depth)}x${']'.repeat(depth)}\n`;
    case 'flow-map':
      return `services:\n  worker:\n    image: app\n    x-deep: ${'{a: '.repeat(depth)}x${'}'.repeat(depth)}\n`;
    case 'block-map': {
      const lines = ['services:', '  worker:', '    image: app', '    x-deep:'];
      for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(6 + i)}a${i}:`);
      lines.push(`${' '.repeat(6 + depth)}x`);
      return `${lines.join('\n')}\n`;
    }
    case 'block-seq': {
      const lines = ['services:', '  worker:', '    image: app', '    x-deep:'];
      for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(6 + i)}-`);
      lines.push(`${' '.repeat(6 + depth)}x`);
      return `${lines.join('\n')}\n`;
    }
  }
}

/** Python/TS source nested `depth` brackets deep around an enqueue call. */
export function deepBrackets(depth: number, language: 'python' | 'ts'): string {
  const call = language === 'python' ? "Queue('default', connection=conn).enqueue(f)" : "new Queue('default').add('x', {})";
  const prefix = language === 'python' ? 'from rq import Queue\nx = ' : "import { Queue } from 'bullmq';\nconst x = ";
  return `${prefix}${'(['.repeat(depth)}${call}${'])'.repeat(depth)}\n`;
}

/** Billion laughs: `levels` levels of `width` aliases each (width^levels nodes when expanded). */
export function aliasBomb(levels: number, width: number, where: 'extension' | 'environment' | 'command' | 'merge-key'): string {
  const lines = ['x-bomb:'];
  lines.push(`  l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(',')}]`);
  for (let level = 1; level < levels; level++) {
    lines.push(`  l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(',')}]`);
  }
  const top = `*l${levels - 1}`;
  lines.push('services:', '  worker:', '    image: app');
  if (where === 'command') lines.push(`    command: ${top}`);
  if (where === 'environment') lines.push(`    environment:`, `      RQ_QUEUES: default`, `      BOMB: ${top}`);
  if (where === 'extension') lines.push(`    x-bomb: ${top}`);
  if (where === 'merge-key') {
    // Mappings that merge each other: a bomb through `<<` rather than sequences.
    const maps = ['x-maps:', '  m0: &m0 {a: 1, b: 2, c: 3}'];
    for (let level = 1; level < levels; level++) {
      maps.push(`  m${level}: &m${level} {${Array.from({ length: width }, (_, i) => `k${i}: *m${level - 1}`).join(', ')}}`);
    }
    return `${maps.join('\n')}\nservices:\n  worker:\n    image: app\n    <<: *m${levels - 1}\n`;
  }
  return `${lines.join('\n')}\n`;
}

/** Bytes that are not valid UTF-8 (lone continuation bytes, overlongs, surrogates, 0xFF) around real content. */
export function nonUtf8(around: string): Buffer {
  const bad = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80, 0xff, 0xfe, 0xc0, 0xaf]);
  const text = Buffer.from(around, 'utf8');
  const middle = Math.floor(text.length / 2);
  return Buffer.concat([bad, text.subarray(0, middle), bad, text.subarray(middle), bad]);
}

/** UTF-16 with a BOM: text in an encoding nobody expects in a compose file. */
export function utf16(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
