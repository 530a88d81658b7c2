import * as path from 'node:path';
import type { FileSystem } from '../fs.js';
import type { AvailabilityCheck, Producer } from '../types.js';
import type { ModuleFacts, ValueExpr } from './facts.js';
import { compileIgnorePattern, isIgnored, parseGitignore, type IgnoreFile } from './gitignore.js';
import { analyzeJs } from './javascript.js';
import { analyzePython } from './python.js';

export interface ScanOptions {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Scan tests too (tests/, test_*.py, *_test.py, *.test.ts, *.spec.ts). */
  includeTests?: boolean;
  /** Extra ignore globs (from the config file), relative to root. */
  ignore?: string[];
}

export interface ScanResult {
  producers: Producer[];
  checks: AvailabilityCheck[];
  /** Source files the walk found (after ignores). */
  filesScanned: number;
  /** Files that passed the text prefilter (or were imported for a constant) and were tokenized. */
  filesParsed: number;
}

/** Directories never scanned, whatever .gitignore says. */
const ALWAYS_SKIPPED_DIRS = new Set([
  'node_modules', '.venv', 'venv', 'dist', 'build', '.git', '__pycache__', 'site-packages', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.hg', '.svn', '.next', '.turbo', 'coverage',
]);
const TEST_DIRS = new Set(['tests', 'test', '__tests__']);
const PYTHON_FILE = /\.py$/;
const JS_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const SKIPPED_JS_FILE = /\.d\.[cm]?ts$|\.min\.js$/;
const PYTHON_TEST_FILE = /^test_.*\.py$|_test\.py$|^conftest\.py$/;
const JS_TEST_FILE = /\.(?:test|spec)\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Files larger than this are generated or vendored, not hand-written queue code. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The prefilter: a file whose text cannot contain a producer or a check is never tokenized. Every producer the
 * recogniser accepts names `Queue`, `get_queue`, `enqueue`, `queueName` (all contain `ueue`) or is a `@job`
 * decorator (`@job`, `@rq.job`, `@django_rq.job`); every check calls a function whose name contains `worker`
 * (`orker`/`ORKER`; mixed-case spellings such as `WoRkEr` are not recognised).
 */
export function mayContainQueueCode(text: string, language: 'python' | 'js'): boolean {
  if (text.includes('ueue') || text.includes('orker') || text.includes('ORKER')) return true;
  return language === 'python' && text.includes('job') && JOB_DECORATOR.test(text);
}

const JOB_DECORATOR = /@[ \t]*(?:[A-Za-z_][\w.]*\.)?job\b/;
const NEEDLES = ['ueue', 'orker', 'ORKER'].map((needle) => Buffer.from(needle));
const JOB = Buffer.from('job');

/** The same test on raw bytes: native substring search, no UTF-8 decoding for the files that fail it. */
function bytesMayContainQueueCode(bytes: Buffer, language: 'python' | 'js'): boolean {
  for (const needle of NEEDLES) if (bytes.indexOf(needle) >= 0) return true;
  return language === 'python' && bytes.indexOf(JOB) >= 0 && JOB_DECORATOR.test(bytes.toString('utf8'));
}

interface SourceFile {
  relative: string;
  language: 'python' | 'js';
}

/** Walks the project: .gitignore files (root and nested), `ignore` globs, always-skipped dirs, tests. */
export function listSourceFiles(options: ScanOptions): SourceFile[] {
  const { fs, root } = options;
  const files: SourceFile[] = [];
  const extra: IgnoreFile = {
    base: '',
    rules: (options.ignore ?? []).map(compileIgnorePattern).filter((rule) => rule !== undefined),
  };
  const walk = (relativeDir: string, stack: IgnoreFile[]) => {
    const absoluteDir = relativeDir ? `${root}/${relativeDir}` : root;
    let entries;
    try {
      entries = fs.readdir(absoluteDir);
    } catch {
      return;
    }
    // A virtualenv under any name.
    if (relativeDir && entries.some((entry) => entry.name === 'pyvenv.cfg' && entry.isFile)) return;
    let ownStack = stack;
    if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile)) {
      try {
        const rules = parseGitignore(fs.readFile(`${absoluteDir}/.gitignore`));
        if (rules.length) ownStack = [...stack, { base: relativeDir, rules }];
      } catch {
        // unreadable .gitignore: scan as if absent
      }
    }
    const fullStack = extra.rules.length ? [...ownStack, extra] : ownStack;
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      // Symlinked directories are not followed (no loops, as ripgrep by default); symlinked files are read.
      const isDirectory = entry.isDirectory;
      const isFile = entry.isFile || (entry.isSymbolicLink && !fs.isDirectory(`${absoluteDir}/${entry.name}`));
      if (isDirectory) {
        if (ALWAYS_SKIPPED_DIRS.has(entry.name)) continue;
        if (!options.includeTests && TEST_DIRS.has(entry.name)) continue;
        if (isIgnored(fullStack, relative, true)) continue;
        walk(relative, ownStack);
      } else if (isFile) {
        let language: 'python' | 'js';
        if (PYTHON_FILE.test(entry.name)) {
          language = 'python';
          if (!options.includeTests && PYTHON_TEST_FILE.test(entry.name)) continue;
        } else if (JS_FILE.test(entry.name) && !SKIPPED_JS_FILE.test(entry.name)) {
          language = 'js';
          if (!options.includeTests && JS_TEST_FILE.test(entry.name)) continue;
        } else continue;
        if (isIgnored(fullStack, relative, false)) continue;
        files.push({ relative, language });
      }
    }
  };
  walk('', []);
  return files;
}

/** Finds every enqueue site and availability check in the project's Python and TS/JS sources. */
export function scanSources(options: ScanOptions): ScanResult {
  const root = options.root.replace(/\\/g, '/').replace(/\/+$/, '') || '/';
  const fs = options.fs;
  const files = listSourceFiles({ ...options, root });
  const known = new Set(files.map((file) => file.relative));
  const facts = new Map<string, ModuleFacts | null>();
  let filesParsed = 0;

  const read = (relative: string): string | undefined => {
    const absolute = `${root}/${relative}`;
    try {
      if (fs.readBytesTransient) {
        const bytes = fs.readBytesTransient(absolute);
        return bytes.length > MAX_FILE_BYTES ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
      }
      const size = fs.size(absolute);
      if (size === undefined || size > MAX_FILE_BYTES) return undefined;
      return fs.readFile(absolute);
    } catch {
      return undefined;
    }
  };
  /** Reads a file and returns its text only when it passes the prefilter. */
  const readCandidate = (relative: string, language: 'python' | 'js'): string | undefined => {
    const absolute = `${root}/${relative}`;
    try {
      if (fs.readBytesTransient) {
        const raw = fs.readBytesTransient(absolute);
        if (raw.length > MAX_FILE_BYTES) return undefined;
        const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
        return bytesMayContainQueueCode(bytes, language) ? bytes.toString('utf8') : undefined;
      }
    } catch {
      return undefined;
    }
    const text = read(relative);
    return text !== undefined && mayContainQueueCode(text, language) ? text : undefined;
  };
  const analyze = (relative: string, language: 'python' | 'js', text: string): ModuleFacts => {
    filesParsed++;
    const result = language === 'python' ? analyzePython(text) : analyzeJs(text);
    facts.set(relative, result);
    return result;
  };
  /** Facts of a module imported for a constant: parsed on demand even when it failed the prefilter. */
  const factsOf = (relative: string): ModuleFacts | null => {
    const cached = facts.get(relative);
    if (cached !== undefined) return cached;
    const text = read(relative);
    if (text === undefined) {
      facts.set(relative, null);
      return null;
    }
    return analyze(relative, PYTHON_FILE.test(relative) ? 'python' : 'js', text);
  };

  const matched: string[] = [];
  for (const file of files) {
    const text = readCandidate(file.relative, file.language);
    if (text === undefined) continue;
    analyze(file.relative, file.language, text);
    matched.push(file.relative);
  }

  const resolver = new Resolver(known, factsOf);
  const producers: Producer[] = [];
  const checks: AvailabilityCheck[] = [];
  for (const file of matched) {
    const module = facts.get(file)!;
    for (const raw of module.producers) {
      const queue = resolver.resolve(file, raw.queue);
      const producer: Producer = {
        queue,
        kind: raw.kind,
        location: { file, line: raw.position.line, column: raw.position.column },
      };
      if (queue === null) producer.expression = raw.expression;
      if (raw.scope) producer.scope = raw.scope;
      producers.push(producer);
    }
    for (const raw of module.checks) {
      const queue = resolver.resolve(file, raw.queue);
      if (queue === null) continue;
      const check: AvailabilityCheck = {
        queue,
        location: { file, line: raw.position.line, column: raw.position.column },
        callee: raw.callee,
      };
      if (raw.scope) check.scope = raw.scope;
      checks.push(check);
    }
  }
  return { producers, checks, filesScanned: files.length, filesParsed };
}

/** Resolves name references through module constants and imports, across modules, never guessing. */
export class Resolver {
  constructor(
    /** Whether a project file (relative path) exists and may be read. */
    private readonly known: { has(relative: string): boolean },
    private readonly factsOf: (relative: string) => ModuleFacts | null,
  ) {}

  resolve(file: string, value: ValueExpr, depth = 0): string | null {
    if (value.kind === 'literal') return value.value;
    if (value.kind === 'unknown' || depth > 16) return null;
    return this.resolveName(file, value.name, depth + 1);
  }

  resolveName(file: string, name: string, depth: number): string | null {
    if (depth > 16) return null;
    const module = this.factsOf(file);
    const binding = module?.bindings.get(name);
    if (!binding) return null;
    if (binding.kind === 'value') return this.resolve(file, binding.value, depth + 1);
    if (binding.name === '*module*' || binding.name === '*') return null;
    const target = module!.language === 'python' ? this.pythonModule(file, binding.module) : this.jsModule(file, binding.module);
    if (!target) return null;
    return this.resolveName(target, binding.name, depth + 1);
  }

  /** `from pkg.mod import X` / `from .mod import X` → the module's file, relative to the root. */
  pythonModule(file: string, module: string): string | undefined {
    const dots = /^\.*/.exec(module)![0].length;
    const parts = module.slice(dots).split('.').filter(Boolean);
    const candidates = (dir: string) => {
      const base = [dir, ...parts].filter(Boolean).join('/');
      return parts.length ? [`${base}.py`, `${base}/__init__.py`] : [`${base ? `${base}/` : ''}__init__.py`];
    };
    let dir = path.posix.dirname(file);
    if (dir === '.') dir = '';
    if (dots > 0) {
      for (let up = 1; up < dots; up++) dir = dir.includes('/') ? path.posix.dirname(dir) : '';
      return candidates(dir).find((candidate) => this.known.has(candidate));
    }
    // Absolute import: the importing file's directory and its ancestors are the possible source roots.
    for (;;) {
      const found = candidates(dir).find((candidate) => this.known.has(candidate));
      if (found) return found;
      if (!dir) break;
      dir = dir.includes('/') ? path.posix.dirname(dir) : '';
    }
    for (const candidate of candidates('src')) if (this.known.has(candidate)) return candidate;
    return undefined;
  }

  /** `import { X } from './mod'` → './mod.ts', './mod/index.ts', './mod.js' (a `.js` specifier may be a `.ts` source). */
  jsModule(file: string, specifier: string): string | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
    const candidates = [
      base,
      ...['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'].map((ext) => stem + ext),
      ...['ts', 'tsx', 'js', 'mjs'].map((ext) => `${base}/index.${ext}`),
    ];
    return candidates.find((candidate) => this.known.has(candidate));
  }
}
