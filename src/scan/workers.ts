import * as path from 'node:path';
import type { EnvEntry, ServiceModel } from '../compose/model.js';
import type { FileSystem } from '../fs.js';
import type { Location, QueueSource } from '../types.js';
import type { ValueExpr } from './facts.js';
import { Resolver } from './index.js';
import { lineStarts, positionOf, tokenizeJs } from './js-tokenizer.js';
import { analyzePython } from './python.js';
import { tokenizePython } from './python-tokenizer.js';
import { parseShell, splitShellWords, type Word } from './shell-words.js';

export interface WorkerContext {
  fs: FileSystem;
  /** Absolute project root. */
  root: string;
  /** Queue variables to honour; `RQ_QUEUES` plus any `--queue-var`. */
  queueVariables: string[];
}

/** What makes a service a worker and which queues it consumes. */
export interface WorkerDetection {
  queues: string[];
  queueSource: QueueSource;
  /** The queue variable, when the queues come from one (set, or unset with a code default). */
  variable?: string;
  /** Where the queue list is written (env entry, command, or the code default in the worker script). */
  location?: Location;
  /** How it was recognised: `rq worker`, `manage.py rqworker`, `celery worker`, `RQ_QUEUES`, `python -m server.worker`, … */
  detectedBy: string;
  /** Unset variables with no default interpolated into the queue variable (queue-var-unset). */
  unsetVariables?: string[];
}

/**
 * Options of `rq worker` / `rq worker-pool` that take a value, from python-rq's click CLI (rq/cli/cli.py,
 * rq/cli/workers.py and the shared options in rq/cli/helpers.py, 1.x and 2.x). Every other option is a flag.
 */
const RQ_VALUE_OPTIONS = new Set([
  '--url', '-u', '--config', '-c', '--worker-class', '-w', '--job-class', '-j', '--queue-class', '--connection-class',
  '--path', '-P', '--serializer', '-S', '--logging_level', '--logging-level', '-l', '--log-format', '--date-format',
  '--name', '-n', '--results-ttl', '--worker-ttl', '--maintenance-interval', '--job-monitoring-interval',
  '--exception-handler', '--pid', '--max-jobs', '--max-idle-time', '--dequeue-strategy', '-ds', '--sentry-ca-certs',
  '--sentry-debug', '--sentry-dsn', '--num-workers',
]);
/** Short flags of `rq worker`/`worker-pool` (for clustered forms like `-bv`). */
const RQ_SHORT_FLAGS = new Set(['b', 'v', 'q', 'd', 's']);
/** django-rq `rqworker` (and Django's base command) options that take a value. */
const DJANGO_VALUE_OPTIONS = new Set([
  '--worker-class', '--queue-class', '--job-class', '--worker-ttl', '--name', '--pid', '--sentry-dsn',
  '--sentry-ca-certs', '--sentry-debug', '--max-jobs', '--max-idle-time', '--serializer', '--url', '--verbosity', '-v',
  '--settings', '--pythonpath', '--logging_level', '--dequeue-strategy', '--num-workers', '-n', '--results-ttl',
]);
/** celery options that take a value (global and `worker`), so their values are not mistaken for `worker`. */
const CELERY_VALUE_OPTIONS = new Set([
  '-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir', '-c', '--concurrency',
  '-l', '--loglevel', '-n', '--hostname', '-P', '--pool', '-X', '--exclude-queues', '-E', '--logfile', '-f', '--pidfile',
  '--statedb', '-O', '--autoscale', '--max-tasks-per-child', '--max-memory-per-child', '-s', '--schedule', '-I', '--include',
]);
const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);
const NODE_VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--conditions', '-C']);

/** Splits a queue list on commas and whitespace, trimmed, empties dropped. */
export function splitQueueList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

type ProgramResult =
  | { kind: 'queues'; queues: string[]; fromVariable?: string; detectedBy: string; programDefault: boolean }
  | { kind: 'script'; language: 'python' | 'js'; candidates: string[]; detectedBy: string };

interface ArgvContext {
  service: ServiceModel;
  env: (name: string) => string | undefined;
}

const basename = (word: string) => word.slice(word.lastIndexOf('/') + 1);
const isPython = (word: string) => /^python(?:\d+(?:\.\d+)?)?$/.test(basename(word));

/** Recognises the worker program an argv runs, unwrapping shells, env prefixes, exec and runners. */
function analyzeArgv(words: Word[], context: ArgvContext, depth = 0): ProgramResult | null {
  let argv = words;
  if (depth > 4) return null;
  for (;;) {
    const first = argv[0]?.value;
    if (first === undefined) return null;
    const name = basename(first);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) argv = argv.slice(1);
    else if (name === 'exec' || name === 'tini' || name === 'dumb-init' || name === 'nohup' || first === '--') argv = argv.slice(1);
    else if (name === 'env') {
      argv = argv.slice(1);
      while (argv[0] && (argv[0].value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0].value))) argv = argv.slice(1);
    } else if (['poetry', 'pipenv', 'uv', 'pdm', 'hatch', 'rye'].includes(name) && argv[1]?.value === 'run') {
      argv = argv.slice(2);
      while (argv[0]?.value.startsWith('-')) argv = argv.slice(1);
    } else if (name === 'npx' || name === 'pnpx' || (name === 'pnpm' && argv[1]?.value === 'exec')) {
      argv = argv.slice(name === 'pnpm' ? 2 : 1);
      while (argv[0]?.value.startsWith('-')) argv = argv.slice(1);
    } else break;
  }
  const program = basename(argv[0]!.value);
  const rest = argv.slice(1);

  if (['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh'].includes(program)) {
    let k = 0;
    let hasC = false;
    while (rest[k]?.value.startsWith('-')) {
      if (/^-[a-z]*c[a-z]*$/.test(rest[k]!.value)) hasC = true;
      k++;
      if (hasC) break;
    }
    const script = rest[k]?.value;
    if (!hasC || script === undefined) return null;
    const commands = parseShell(script, { operators: true, expand: context.env });
    for (const command of commands) {
      const result = analyzeArgv(command, context, depth + 1);
      if (result) return result;
    }
    return null;
  }
  if (isPython(program)) {
    let k = 0;
    while (rest[k]?.value.startsWith('-') && rest[k]!.value !== '-m' && rest[k]!.value !== '-c') {
      k += PYTHON_VALUE_OPTIONS.has(rest[k]!.value) ? 2 : 1;
    }
    const option = rest[k]?.value;
    if (option === '-c' || option === undefined) return null;
    if (option === '-m') {
      const module = rest[k + 1]?.value;
      if (!module) return null;
      const args = rest.slice(k + 2);
      if (module === 'rq' || module === 'rq.cli') return rqCli(args, `python -m ${module}`);
      if (module === 'celery') return celery(args);
      const relative = module.split('.').join('/');
      return {
        kind: 'script',
        language: 'python',
        candidates: [`${relative}.py`, `${relative}/__main__.py`],
        detectedBy: `python -m ${module}`,
      };
    }
    if (basename(option) === 'manage.py') return django(rest.slice(k + 1));
    if (option.endsWith('.py')) return { kind: 'script', language: 'python', candidates: [option], detectedBy: `python ${option}` };
    return null;
  }
  if (program === 'rq') return rqCli(rest, 'rq');
  if (program === 'celery') return celery(rest);
  if (program === 'manage.py') return django(rest);
  if (['node', 'ts-node', 'tsx', 'bun', 'nodemon', 'ts-node-dev'].includes(program)) {
    let k = 0;
    while (rest[k]?.value.startsWith('-')) k += NODE_VALUE_OPTIONS.has(rest[k]!.value) ? 2 : 1;
    const script = rest[k]?.value;
    if (!script || !/\.(?:[cm]?[jt]s)$/.test(script)) return null;
    return { kind: 'script', language: 'js', candidates: [script], detectedBy: `${program} ${script}` };
  }
  return null;

  function queuesFrom(args: Word[], detectedBy: string): ProgramResult {
    const queues = args.map((word) => word.value).filter(Boolean);
    const variable = args.flatMap((word) => word.variables)[0];
    return {
      kind: 'queues',
      queues: queues.length ? queues : ['default'],
      ...(variable && queues.length ? { fromVariable: variable } : {}),
      detectedBy,
      programDefault: queues.length === 0,
    };
  }

  function rqCli(args: Word[], command: string): ProgramResult | null {
    const sub = args[0]?.value;
    if (sub !== 'worker' && sub !== 'worker-pool') return null;
    const positional: Word[] = [];
    for (let k = 1; k < args.length; k++) {
      const word = args[k]!.value;
      if (word === '--') {
        positional.push(...args.slice(k + 1));
        break;
      }
      if (word.startsWith('--')) {
        if (!word.includes('=') && RQ_VALUE_OPTIONS.has(word)) k++;
      } else if (word.startsWith('-') && word.length > 1) {
        if (RQ_VALUE_OPTIONS.has(word)) {
          k++;
          continue;
        }
        // Clustered short options: flags, then possibly one option whose value is the rest or the next word.
        for (let c = 1; c < word.length; c++) {
          if (RQ_SHORT_FLAGS.has(word[c]!)) continue;
          if (c === word.length - 1) k++;
          break;
        }
      } else positional.push(args[k]!);
    }
    return queuesFrom(positional, `${command} ${sub}`);
  }

  function django(args: Word[]): ProgramResult | null {
    const sub = args[0]?.value;
    if (sub !== 'rqworker' && sub !== 'rqworker-pool') return null;
    const positional: Word[] = [];
    for (let k = 1; k < args.length; k++) {
      const word = args[k]!.value;
      if (word.startsWith('-')) {
        if (!word.includes('=') && DJANGO_VALUE_OPTIONS.has(word)) k++;
      } else positional.push(args[k]!);
    }
    return queuesFrom(positional, `manage.py ${sub}`);
  }

  function celery(args: Word[]): ProgramResult | null {
    let k = 0;
    for (; k < args.length; k++) {
      const word = args[k]!.value;
      if (word === 'worker') break;
      if (CELERY_VALUE_OPTIONS.has(word)) k++;
    }
    if (k >= args.length) return null;
    const queues: string[] = [];
    let variable: string | undefined;
    for (let j = k + 1; j < args.length; j++) {
      const word = args[j]!.value;
      let list: string | undefined;
      let source: Word | undefined;
      if (word === '-Q' || word === '--queues') {
        source = args[j + 1];
        list = source?.value;
        j++;
      } else if (word.startsWith('--queues=')) {
        list = word.slice('--queues='.length);
        source = args[j];
      } else if (word.startsWith('-Q') && word.length > 2) {
        list = word.slice(2);
        source = args[j];
      }
      if (list !== undefined) {
        queues.push(...list.split(',').map((queue) => queue.trim()).filter(Boolean));
        variable ??= source?.variables[0];
      }
    }
    return {
      kind: 'queues',
      queues: queues.length ? queues : ['celery'],
      ...(variable && queues.length ? { fromVariable: variable } : {}),
      detectedBy: 'celery worker',
      programDefault: queues.length === 0,
    };
  }
}

const toWords = (value: string | string[]): Word[] =>
  (typeof value === 'string' ? splitShellWords(value) : value).map((word) => ({ value: word, variables: [] }));

/** Decides whether a service is a worker and which queues it listens to; null when it is not a worker. */
export function detectWorker(service: ServiceModel, context: WorkerContext): WorkerDetection | null {
  const setVariable = (name: string): EnvEntry | undefined => {
    const entry = service.environment[name];
    return entry && entry.value !== null ? entry : undefined;
  };
  const fromEnvironment = (variable: string, detectedBy: string): WorkerDetection => {
    const entry = setVariable(variable)!;
    const detection: WorkerDetection = {
      queues: splitQueueList(entry.value!),
      queueSource: 'environment',
      variable,
      location: entry.location,
      detectedBy,
    };
    if (entry.unsetVariables.length) detection.unsetVariables = [...entry.unsetVariables];
    return detection;
  };
  const envQueueVariable = context.queueVariables.find((name) => setVariable(name) !== undefined);

  const argv = [
    ...(service.entrypoint ? toWords(service.entrypoint.value) : []),
    ...(service.command ? toWords(service.command.value) : []),
  ];
  const env = (name: string) => service.environment[name]?.value ?? undefined;
  const program = argv.length ? analyzeArgv(argv, { service, env }) : null;
  const commandLocation = service.command?.location ?? service.entrypoint?.location;

  if (program?.kind === 'queues') {
    if (program.fromVariable && setVariable(program.fromVariable)) {
      const entry = setVariable(program.fromVariable)!;
      const detection: WorkerDetection = {
        queues: program.queues,
        queueSource: 'environment',
        variable: program.fromVariable,
        location: entry.location,
        detectedBy: program.detectedBy,
      };
      if (entry.unsetVariables.length) detection.unsetVariables = [...entry.unsetVariables];
      return detection;
    }
    return {
      queues: program.queues,
      queueSource: program.programDefault ? 'program-default' : 'command',
      ...(commandLocation ? { location: commandLocation } : {}),
      detectedBy: program.detectedBy,
    };
  }
  if (program?.kind === 'script') {
    const script = locateScript(program, service, context);
    const reading = script ? readWorkerScript(script, program.language, context) : undefined;
    if (reading?.variable) {
      if (setVariable(reading.variable)) return fromEnvironment(reading.variable, program.detectedBy);
      const detection: WorkerDetection = {
        queues: reading.defaultQueues ?? [],
        queueSource: 'code-default',
        variable: reading.variable,
        detectedBy: program.detectedBy,
      };
      if (reading.location) detection.location = reading.location;
      if (!reading.defaultQueues) detection.unsetVariables = [reading.variable];
      return detection;
    }
    if (reading?.hardcoded) {
      return {
        queues: reading.hardcoded,
        queueSource: 'code-default',
        ...(reading.location ? { location: reading.location } : {}),
        detectedBy: program.detectedBy,
      };
    }
  }
  if (envQueueVariable) return fromEnvironment(envQueueVariable, envQueueVariable);
  return null;
}

/** Maps a script path from the container to the project: build context and working_dir, else the root. */
function locateScript(program: Extract<ProgramResult, { kind: 'script' }>, service: ServiceModel, context: WorkerContext): string | undefined {
  const bases = [...new Set([service.buildContext ?? '', ''].map((base) => base.replace(/^\.\/?/, '').replace(/\/$/, '')))];
  const workingDir = service.workingDir?.replace(/\/$/, '');
  const candidates: string[] = [];
  for (let candidate of program.candidates) {
    if (candidate.startsWith('/')) {
      if (workingDir && candidate.startsWith(`${workingDir}/`)) candidate = candidate.slice(workingDir.length + 1);
      else candidate = candidate.slice(1);
    }
    candidate = path.posix.normalize(candidate).replace(/^\.\//, '');
    const variants = [candidate];
    if (program.language === 'js') variants.unshift(...typescriptSources(candidate, bases, context));
    // An absolute path not under working_dir: try dropping leading directories (`/app/server/worker.py`).
    const parts = candidate.split('/');
    for (let drop = 1; drop < parts.length - 1 && program.candidates[0]!.startsWith('/'); drop++) variants.push(parts.slice(drop).join('/'));
    for (const base of bases) for (const variant of variants) candidates.push(base ? `${base}/${variant}` : variant);
  }
  return candidates.find((candidate) => {
    const absolute = `${context.root}/${candidate}`;
    return context.fs.exists(absolute) && !context.fs.isDirectory(absolute);
  });
}

/** `dist/worker.js` → `src/worker.ts` (tsconfig rootDir/outDir when present, else the usual layouts). */
function typescriptSources(script: string, bases: string[], context: WorkerContext): string[] {
  const stem = script.replace(/\.[cm]?js$/, '');
  const sources: string[] = [];
  const extensions = ['.ts', '.tsx', '.mts', '.cts'];
  for (const base of bases) {
    const tsconfig = `${context.root}/${base ? `${base}/` : ''}tsconfig.json`;
    try {
      if (!context.fs.exists(tsconfig)) continue;
      const text = context.fs.readFile(tsconfig);
      const outDir = /"outDir"\s*:\s*"([^"]+)"/.exec(text)?.[1]?.replace(/^\.\//, '').replace(/\/$/, '');
      const rootDir = /"rootDir"\s*:\s*"([^"]+)"/.exec(text)?.[1]?.replace(/^\.\//, '').replace(/\/$/, '') ?? 'src';
      if (outDir && stem.startsWith(`${outDir}/`)) {
        const inner = stem.slice(outDir.length + 1);
        for (const ext of extensions) sources.push(`${rootDir === '.' ? '' : `${rootDir}/`}${inner}${ext}`);
      }
    } catch {
      // unreadable tsconfig: fall back to the usual layouts
    }
  }
  const match = /^(?:dist|build|lib|out)\/(.*)$/.exec(stem);
  if (match) for (const ext of extensions) sources.push(`src/${match[1]}${ext}`);
  for (const ext of extensions) sources.push(`${stem}${ext}`);
  return sources;
}

interface ScriptReading {
  /** The queue variable the script reads. */
  variable?: string;
  /** Its code default, split into queues. */
  defaultQueues?: string[];
  /** Queues the script hardcodes (`Worker(['high'])`, `new Worker('x', …)`). */
  hardcoded?: string[];
  location?: Location;
}

/** Reads a worker script: which queue variable it reads (and its default), or which queues it hardcodes. */
function readWorkerScript(relative: string, language: 'python' | 'js', context: WorkerContext): ScriptReading | undefined {
  let text: string;
  try {
    text = context.fs.readFile(`${context.root}/${relative}`);
  } catch {
    return undefined;
  }
  const resolver = new Resolver(
    { has: (file) => context.fs.exists(`${context.root}/${file}`) && !context.fs.isDirectory(`${context.root}/${file}`) },
    (file) => {
      try {
        return file === relative ? facts : analyzePython(context.fs.readFile(`${context.root}/${file}`));
      } catch {
        return null;
      }
    },
  );
  const facts = language === 'python' ? analyzePython(text) : null;
  return language === 'python' ? readPythonScript(text, relative, context, (value) => resolver.resolve(relative, value)) : readJsScript(text, relative, context);
}

function readPythonScript(
  text: string,
  relative: string,
  context: WorkerContext,
  resolve: (value: ValueExpr) => string | null,
): ScriptReading | undefined {
  const tokens = tokenizePython(text);
  const valueAt = (index: number): { value: string | null; end: number } => {
    const t = tokens[index];
    if (!t) return { value: null, end: index };
    if (t.type === 'string') {
      let value = '';
      let j = index;
      for (; tokens[j]?.type === 'string'; j++) {
        if (tokens[j]!.formatted) return { value: null, end: j };
        value += tokens[j]!.value;
      }
      return { value, end: j };
    }
    if (t.type === 'name') return { value: resolve({ kind: 'ref', name: t.value }), end: index + 1 };
    return { value: null, end: index + 1 };
  };
  let reading: ScriptReading | undefined;
  let hardcoded: ScriptReading | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // os.getenv(X, D) / getenv(X, D) / os.environ.get(X, D) / environ.get(X, D) / os.environ[X]
    const isGetenv = t.value === 'getenv' && tokens[i + 1]?.value === '(';
    const isEnvironGet = t.value === 'environ' && tokens[i + 1]?.value === '.' && tokens[i + 2]?.value === 'get' && tokens[i + 3]?.value === '(';
    const isEnvironIndex = t.value === 'environ' && tokens[i + 1]?.value === '[';
    if (t.type === 'name' && (isGetenv || isEnvironGet || isEnvironIndex)) {
      const argStart = isEnvironGet ? i + 4 : i + 2;
      const name = valueAt(argStart);
      if (!name.value || !context.queueVariables.includes(name.value)) continue;
      const candidate: ScriptReading = { variable: name.value };
      if (!isEnvironIndex && tokens[name.end]?.value === ',') {
        const fallback = valueAt(name.end + 1);
        if (fallback.value !== null) {
          candidate.defaultQueues = splitQueueList(fallback.value);
          const at = tokens[name.end + 1]!;
          candidate.location = { file: relative, line: at.line, column: at.column };
        }
      }
      // The first variable in --queue-var order wins when a script reads several.
      if (!reading || context.queueVariables.indexOf(candidate.variable!) < context.queueVariables.indexOf(reading.variable!)) reading = candidate;
      continue;
    }
    // Worker(['high', 'default']) / Worker([Queue('high')]) / Worker(queues=['a'])
    if (!hardcoded && t.type === 'name' && /^(?:[A-Z]\w*)?Worker$/.test(t.value) && tokens[i + 1]?.value === '(' && tokens[i - 1]?.value !== 'def') {
      let j = i + 2;
      if (tokens[j]?.value === 'queues' && tokens[j + 1]?.value === '=') j += 2;
      if (tokens[j]?.value !== '[' && tokens[j]?.value !== '(') continue;
      const queues: string[] = [];
      let ok = true;
      let depth = 0;
      for (let k = j; k < tokens.length; k++) {
        const v = tokens[k]!;
        if (v.value === '[' || v.value === '(') {
          depth++;
          continue;
        }
        if (v.value === ']' || v.value === ')') {
          depth--;
          if (depth === 0) break;
          continue;
        }
        if (v.value === ',' || v.value === 'connection' || v.value === '=') continue;
        if (v.type === 'name' && v.value === 'Queue' && tokens[k + 1]?.value === '(') continue;
        if (v.type === 'name' && depth === 2 && tokens[k - 1]?.value === '=') continue; // Queue('x', connection=conn)
        const value = valueAt(k);
        if (value.value === null) {
          ok = false;
          break;
        }
        queues.push(value.value);
        k = value.end - 1;
      }
      if (ok && queues.length) hardcoded = { hardcoded: queues, location: { file: relative, line: t.line, column: t.column } };
    }
  }
  return reading ?? hardcoded;
}

function readJsScript(text: string, relative: string, context: WorkerContext): ScriptReading | undefined {
  const tokens = tokenizeJs(text);
  const starts = lineStarts(text);
  const at = (index: number): Location => ({ file: relative, ...positionOf(starts, tokens[index]!.start) });
  const constants = new Map<string, string>();
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (['const', 'let', 'var'].includes(tokens[i]!.value) && tokens[i + 1]!.type === 'name' && tokens[i + 2]!.value === '=') {
      const t = tokens[i + 3]!;
      if ((t.type === 'string' || t.type === 'template') && !t.formatted) constants.set(tokens[i + 1]!.value, t.value);
    }
  }
  const literalAt = (index: number): string | undefined => {
    const t = tokens[index];
    if (!t) return undefined;
    if ((t.type === 'string' || t.type === 'template') && !t.formatted) return t.value;
    if (t.type === 'name') return constants.get(t.value);
    return undefined;
  };
  let reading: ScriptReading | undefined;
  const hardcoded: string[] = [];
  let hardcodedAt: Location | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.value === 'process' && tokens[i + 1]?.value === '.' && tokens[i + 2]?.value === 'env') {
      let variable: string | undefined;
      let next: number;
      if (tokens[i + 3]?.value === '.' || tokens[i + 3]?.value === '?.') {
        variable = tokens[i + 4]?.value;
        next = i + 5;
      } else if (tokens[i + 3]?.value === '[') {
        variable = literalAt(i + 4);
        next = i + 6;
      } else continue;
      if (!variable || !context.queueVariables.includes(variable)) continue;
      const candidate: ScriptReading = { variable };
      const operator = tokens[next]?.value;
      if (operator === '??' || operator === '||') {
        const fallback = literalAt(next + 1);
        if (fallback !== undefined) {
          candidate.defaultQueues = splitQueueList(fallback);
          candidate.location = at(next + 1);
        }
      }
      if (!reading || context.queueVariables.indexOf(variable) < context.queueVariables.indexOf(reading.variable!)) reading = candidate;
    }
    if (t.value === 'new' && tokens[i + 1]?.value === 'Worker' && tokens[i + 2]?.value === '(') {
      const queue = literalAt(i + 3);
      if (queue !== undefined && tokens[i + 4]?.value === ',') {
        hardcoded.push(queue);
        hardcodedAt ??= at(i);
      }
    }
  }
  if (reading) return reading;
  if (hardcoded.length) return { hardcoded: [...new Set(hardcoded)], ...(hardcodedAt ? { location: hardcodedAt } : {}) };
  return undefined;
}
