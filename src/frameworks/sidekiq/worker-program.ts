import { parseDocument, isMap, isScalar, isSeq, LineCounter, type Node } from 'yaml';
import type { Word } from '../../shell-words.js';
import type { ProgramResult, ProjectCode, ProjectDefault, WorkerProgram } from '../../workers/programs/program.js';

/** Options of `sidekiq` that take a value (Sidekiq::CLI#option_parser, sidekiq 6.4 lib/sidekiq/cli.rb). */
const VALUE_OPTIONS = new Set(['-c', '--concurrency', '-e', '--environment', '-g', '--tag', '-q', '--queue', '-r', '--require', '-t', '--timeout', '-C', '--config', '-L', '--logfile', '-P', '--pidfile']);

/** The value of `-x v`, `-xv`, `--long v`, `--long=v` at `k`, and how many extra words it took. */
function optionAt(args: Word[], k: number, short: string, long: string): { value: Word; skip: number } | undefined {
  const word = args[k]!.value;
  if (word === short || word === long) return args[k + 1] ? { value: args[k + 1]!, skip: 1 } : undefined;
  if (word.startsWith(`${long}=`)) return { value: { ...args[k]!, value: word.slice(long.length + 1) }, skip: 0 };
  if (word.startsWith(short) && word.length > 2 && !word.startsWith('--')) return { value: { ...args[k]!, value: word.slice(2) }, skip: 0 };
  return undefined;
}

/** Sidekiq::CLI#parse_queue: a queue with weight w is listed max(w, 1) times; the doctor keeps each name once. */
function addQueue(queues: string[], entry: string): boolean {
  const [name] = entry.split(',');
  if (!name) return true;
  if (queues.includes(name)) return false;
  queues.push(name);
  return true;
}

/**
 * `sidekiq [-q name[,weight]]… [-C file] [-e env] [-r path]` (also as `bundle exec sidekiq`, `bin/sidekiq`). Queues
 * given with `-q` win over the config file's (Sidekiq::CLI#setup_options merges the command line over it); without
 * them, the config file (`-C`, else `<-r dir>/config/sidekiq.yml` or `.yml.erb`) is read for the service's
 * environment; no queue anywhere means `default`.
 */
export const sidekiq: WorkerProgram = {
  queueSyntax: 'flags',
  executables: ['sidekiq'],
  read(args: Word[], invokedAs: string): ProgramResult | null {
    const queues: string[] = [];
    const unknown: string[] = [];
    let variable: string | undefined;
    let config: string | undefined;
    let environment: string | undefined;
    let requirePath: string | undefined;
    let duplicate = false;
    for (let k = 0; k < args.length; k++) {
      const queue = optionAt(args, k, '-q', '--queue');
      if (queue) {
        if (queue.value.unknown) unknown.push(...queue.value.unknown);
        else if (!addQueue(queues, queue.value.value)) duplicate = true;
        variable ??= queue.value.variables[0];
        k += queue.skip;
        continue;
      }
      const given = optionAt(args, k, '-C', '--config') ?? optionAt(args, k, '-e', '--environment') ?? optionAt(args, k, '-r', '--require');
      if (given) {
        const word = args[k]!.value;
        if (word.startsWith('-C') || word.startsWith('--config')) config = given.value.value;
        else if (word.startsWith('-e') || word.startsWith('--environment')) environment = given.value.value;
        else requirePath = given.value.value;
        k += given.skip;
        continue;
      }
      if (VALUE_OPTIONS.has(args[k]!.value)) k++;
    }
    const detectedBy = invokedAs === 'sidekiq' ? 'sidekiq' : `${invokedAs}`;
    if (duplicate) {
      // Sidekiq::CLI#parse_queue raises "cannot be defined twice": the process does not start.
      return { kind: 'queues', queues: [], detectedBy: `${detectedBy} (a queue given twice: Sidekiq refuses to start)`, programDefault: false };
    }
    if (queues.length || unknown.length) {
      return { kind: 'queues', queues, ...(variable ? { fromVariable: variable } : {}), detectedBy, programDefault: false, ...(unknown.length ? { unknownVariables: [...new Set(unknown)] } : {}) };
    }
    return {
      kind: 'queues',
      queues: ['default'],
      detectedBy,
      programDefault: true,
      projectDefault: (code, env) => configQueues(code, env ?? (() => undefined), { config, environment, requirePath, detectedBy }),
    };
  },
};

interface ConfigChoice {
  config: string | undefined;
  environment: string | undefined;
  requirePath: string | undefined;
  detectedBy: string;
}

/** A path as the container sees it (`/app/config/sidekiq.yml`, `./config/sidekiq.yml`) → the project file, when one matches. */
function projectPath(code: ProjectCode, path: string): string | undefined {
  const parts = path.replace(/^\.\//, '').split('/').filter((part) => part && part !== '.');
  for (let start = 0; start < parts.length && start < 8; start++) {
    const candidate = parts.slice(start).join('/');
    if (code.isFile(candidate) && code.read(candidate) !== undefined) return candidate;
    if (!path.startsWith('/')) break;
  }
  return undefined;
}

/** The queues the service's Sidekiq reads from its config file; undefined when there is none (then `default`). */
function configQueues(code: ProjectCode, env: (name: string) => string | undefined, choice: ConfigChoice): ProjectDefault | undefined {
  const candidates = choice.config !== undefined
    ? [choice.config]
    : [`${choice.requirePath && !choice.requirePath.endsWith('.rb') ? `${choice.requirePath.replace(/\/+$/, '')}/` : ''}config/sidekiq.yml`, `${choice.requirePath && !choice.requirePath.endsWith('.rb') ? `${choice.requirePath.replace(/\/+$/, '')}/` : ''}config/sidekiq.yml.erb`];
  let file: string | undefined;
  for (const candidate of candidates) {
    file = projectPath(code, candidate);
    if (file) break;
  }
  if (!file) {
    if (choice.config === undefined) return undefined;
    // `-C missing.yml`: Sidekiq raises "No such file" and never starts (when the file is not in the repository either).
    return { queues: [], location: { file: choice.config, line: 1 }, detectedBy: `${choice.detectedBy} -C ${choice.config} (not in the project: Sidekiq refuses to start without it)` };
  }
  const environment = choice.environment ?? env('APP_ENV') ?? env('RAILS_ENV') ?? env('RACK_ENV') ?? 'development';
  const read = readSidekiqYaml(code.read(file)!, env, environment);
  if (!read) return undefined;
  const from = read.section ? `${file}, ${read.section} section` : file;
  return {
    queues: read.queues.length || read.unknownVariables.length ? read.queues : ['default'],
    location: { file, line: read.line },
    detectedBy: `${choice.detectedBy} (${from}${read.queues.length || read.unknownVariables.length ? '' : ': no queues, so default'})`,
    ...(read.unknownVariables.length ? { unknownVariables: read.unknownVariables } : {}),
  };
}

/** What a sidekiq.yml gives one environment: its queues (the environment's section over the top level) and where. */
export interface SidekiqYamlQueues {
  queues: string[];
  line: number;
  /** The environment section the queues come from, when they do. */
  section?: string;
  unknownVariables: string[];
  concurrency?: number;
}

const ERB_ENV = /^\s*ENV(?:\[\s*(['"])(\w+)\1\s*\]|\.fetch\(\s*(['"])(\w+)\3\s*(?:,\s*(['"])([^'"]*)\5\s*)?\)(?:\s*\{\s*(['"])([^'"]*)\7\s*\})?)(?:\s*\|\|\s*(['"])([^'"]*)\9)?\s*$/;
/** Longer ERB tags are not an environment read. */
const MAX_ERB_TAG = 400;

/**
 * ERB as Sidekiq renders it before YAML (Sidekiq::CLI#parse_config): `<%= ENV['X'] %>`, `<%= ENV.fetch('X', 'd') %>`,
 * `<%= ENV['X'] || 'd' %>` take the service's value; any other output tag, or a variable unset with no default,
 * writes a marker (`\0n\0`, index into `unknown`) that the queue list reports as unknown. One pass over the text.
 */
function renderErb(text: string, env: (name: string) => string | undefined, unknown: string[]): string {
  const marker = (what: string) => {
    if (!unknown.includes(what)) unknown.push(what);
    return `\u0000${unknown.indexOf(what)}\u0000`;
  };
  let out = '';
  let at = 0;
  for (let open = text.indexOf('<%', at); open >= 0; open = text.indexOf('<%', at)) {
    const close = text.indexOf('%>', open + 2);
    if (close < 0) break;
    out += text.slice(at, open);
    at = close + 2;
    const body = text.slice(open + 2, close).replace(/-$/, '');
    if (!body.startsWith('=')) continue;
    const match = body.length <= MAX_ERB_TAG ? ERB_ENV.exec(body.slice(1)) : null;
    if (!match) {
      out += marker(`<%=${body.slice(1, 60).trim()}%>`);
      continue;
    }
    const name = match[2] ?? match[4]!;
    const value = env(name) ?? match[6] ?? match[8] ?? match[10];
    out += value ?? marker(name);
  }
  return out + text.slice(at);
}

const symbolName = (value: unknown): string | undefined => (typeof value === 'string' ? value.replace(/^:/, '') : typeof value === 'number' ? String(value) : undefined);

/** Reads a sidekiq.yml for one environment; undefined when it is not YAML or not a mapping. */
export function readSidekiqYaml(text: string, env: (name: string) => string | undefined, environment: string): SidekiqYamlQueues | undefined {
  const unknown: string[] = [];
  const rendered = renderErb(text, env, unknown);
  const lineCounter = new LineCounter();
  const document = parseDocument(rendered, { lineCounter, uniqueKeys: false, merge: false, prettyErrors: false });
  if (document.errors.length || !isMap(document.contents)) return undefined;
  const entry = (map: Node, key: string): { value: Node; line: number } | undefined => {
    if (!isMap(map)) return undefined;
    for (const pair of map.items) {
      if (isScalar(pair.key) && symbolName(pair.key.value) === key) {
        return pair.value ? { value: pair.value as Node, line: lineCounter.linePos(pair.key.range?.[0] ?? 0).line } : undefined;
      }
    }
    return undefined;
  };
  const top = document.contents as Node;
  const section = entry(top, environment);
  // Sidekiq::CLI#parse_config: `opts.merge(opts.delete(environment))` — the section's keys replace the top level's.
  const queuesEntry = (section && entry(section.value, 'queues')) ?? entry(top, 'queues');
  const result: SidekiqYamlQueues = { queues: [], line: queuesEntry?.line ?? 1, unknownVariables: [] };
  if (section && queuesEntry && entry(section.value, 'queues')) result.section = environment;
  const concurrency = (section && entry(section.value, 'concurrency')) ?? entry(top, 'concurrency');
  if (concurrency && isScalar(concurrency.value) && typeof concurrency.value.value === 'number') result.concurrency = concurrency.value.value;
  if (queuesEntry && isSeq(queuesEntry.value)) {
    for (const item of queuesEntry.value.items) {
      // `- name` or `- [name, weight]`.
      const scalar = isSeq(item) ? item.items[0] : item;
      const name = isScalar(scalar) ? symbolName(scalar.value) : undefined;
      if (name === undefined) continue;
      const marked = /\u0000(\d+)\u0000/.exec(name);
      if (marked) result.unknownVariables.push(unknown[Number(marked[1])]!);
      else if (!result.queues.includes(name)) result.queues.push(name);
    }
  }
  return result;
}
