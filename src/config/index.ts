import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { SOURCE_NAMES, type EnvironmentSpec, type SourceDeclaration } from '../sources/index.js';
import { InputError } from '../errors.js';
import { FILE_TOO_LARGE, NOT_REGULAR_FILE, OUTSIDE_PROJECT, OUTSIDE_PROJECT_REASON, readFailureReason, type FileSystem } from '../fs.js';
import { BACKENDS as LIVE_BACKENDS, type Backend } from '../frameworks/index.js';
import { RULES } from '../rules.js';
import { apiUrlProblem } from '../smoke/api-url.js';

/** `receipts-doctor.config.{json,yaml,yml}` in the project root: defaults for any static/live/smoke option. */
export interface ProjectConfig {
  /** The config file, relative to the root, when one was found. */
  file?: string;
  environments?: EnvironmentSpec[];
  /** Deployment sources declared explicitly: `{source, path, environment?}` (or `KIND[:ENV]=PATH` strings). */
  sources?: SourceDeclaration[];
  profiles?: string[];
  queueVariables?: string[];
  ignore?: string[];
  includeTests?: boolean;
  /** Queues that must have a live worker. */
  queues?: string[];
  envFiles?: string[];
  vars?: Record<string, string>;
  live?: {
    redis?: string | string[] | Record<string, string[]>;
    /** Celery's RabbitMQ brokers, in the same shapes as `redis`. */
    broker?: string | string[] | Record<string, string[]>;
    rabbitmqApi?: string;
    backend?: Backend | 'auto';
    prefix?: string;
    stuckAfter?: number;
    environment?: string;
  };
  smoke?: { url?: string; body?: string; syncPath?: string; statusPath?: string; diagnosticsPath?: string; timeout?: number };
  /** Severity override per rule id; `off` drops the rule's findings. */
  rules?: Record<string, 'error' | 'warning' | 'info' | 'off'>;
}

export const CONFIG_FILE_NAMES = ['receipts-doctor.config.json', 'receipts-doctor.config.yaml', 'receipts-doctor.config.yml'];

/** Config files are small; anything bigger is a mistake, not a config. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const RULE_LEVELS = ['error', 'warning', 'info', 'off'] as const;
const BACKENDS = [...LIVE_BACKENDS, 'auto'] as const;

/** Walks the parsed YAML/JSON nodes, so every error can name the line of the offending key or value. */
class ConfigReader {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  fail(node: Node | Pair | null | undefined, reason: string): never {
    const range = node && 'range' in node ? node.range : node && 'key' in node && isScalar(node.key) ? node.key.range : undefined;
    if (!range) throw new InputError(reason, { file: this.file, line: 1, column: 1 });
    const { line, col } = this.lines.linePos(range[0]);
    throw new InputError(reason, { file: this.file, line, column: col });
  }

  resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) this.fail(node, `unresolved alias *${node.source}`);
      return target as Node;
    }
    return node as Node;
  }

  /** Plain data of a node, aliases resolved; bounded so an alias bomb is an error, not a hang. */
  data(node: Node | null, where: string, budget = { nodes: 10_000 }): unknown {
    if (--budget.nodes < 0) this.fail(node, `${where} is too large`);
    if (node === null) return null;
    if (isScalar(node)) return node.value;
    if (isSeq(node)) return node.items.map((item) => this.data(this.resolve(item), where, budget));
    if (isMap(node)) {
      return Object.fromEntries(
        this.entries(node, where).map(([key, value]) => [key, this.data(value, where, budget)]),
      );
    }
    return this.fail(node, `${where} holds an unsupported value`);
  }

  /** The key/value pairs of a mapping, rejecting keys not in `known` (when given). */
  entries(node: Node | null, where: string, known?: readonly string[]): [string, Node | null, Pair][] {
    if (!isMap(node)) return this.fail(node, `${where} must be a mapping`);
    const seen = new Set<string>();
    return node.items.map((pair): [string, Node | null, Pair] => {
      const key = this.resolve(pair.key);
      if (!isScalar(key) || typeof key.value !== 'string') return this.fail(key ?? pair, `${where}: keys must be strings`);
      // Checked here rather than by the parser, which reports a duplicate at the start of its mapping.
      if (seen.has(key.value)) this.fail(key, `duplicate key \`${key.value}\` in ${where}`);
      seen.add(key.value);
      if (known && !known.includes(key.value)) {
        this.fail(key, `unknown key \`${key.value}\` in ${where} (allowed: ${known.join(', ')})`);
      }
      return [key.value, this.resolve(pair.value), pair];
    });
  }

  string(node: Node | null, where: string, { empty = false } = {}): string {
    if (!isScalar(node) || typeof node.value !== 'string') return this.fail(node, `${where} must be a string`);
    if (!empty && node.value.trim() === '') this.fail(node, `${where} must not be empty`);
    return node.value;
  }

  number(node: Node | null, where: string, min: number): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
      return this.fail(node, `${where} must be a number`);
    }
    if (node.value < min) this.fail(node, `${where} must be ≥ ${min}`);
    return node.value;
  }

  boolean(node: Node | null, where: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') return this.fail(node, `${where} must be true or false`);
    return node.value;
  }

  oneOf<T extends string>(node: Node | null, where: string, values: readonly T[]): T {
    const value = this.string(node, where);
    if (!(values as readonly string[]).includes(value)) this.fail(node, `${where} must be one of ${values.join(', ')}, got \`${value}\``);
    return value as T;
  }

  /** A list of non-empty strings; a single string is accepted as a one-item list. */
  strings(node: Node | null, where: string): string[] {
    if (isScalar(node) && typeof node.value === 'string') return [this.string(node, where)];
    if (!isSeq(node)) return this.fail(node, `${where} must be a list of strings`);
    return node.items.map((item, index) => this.string(this.resolve(item), `${where}[${index}]`));
  }
}

const TOP_LEVEL_KEYS = [
  '$schema',
  'environments',
  'sources',
  'profiles',
  'queueVariables',
  'ignore',
  'includeTests',
  'queues',
  'envFiles',
  'vars',
  'live',
  'smoke',
  'rules',
] as const;
const LIVE_KEYS = ['redis', 'broker', 'rabbitmqApi', 'backend', 'prefix', 'stuckAfter', 'environment'] as const;
const SMOKE_KEYS = ['url', 'body', 'syncPath', 'statusPath', 'diagnosticsPath', 'timeout'] as const;
const ENVIRONMENT_KEYS = ['files', 'profiles'] as const;
const SOURCE_KEYS = ['source', 'path', 'environment'] as const;

/** `sources:` a list of `{source, path, environment?}` mappings or `KIND[:ENV]=PATH` strings. */
function readSources(reader: ConfigReader, node: Node | null): SourceDeclaration[] {
  if (!isSeq(node)) return reader.fail(node, '`sources` must be a list');
  return node.items.map((raw, index) => {
    const item = reader.resolve(raw);
    const where = `sources[${index}]`;
    if (isScalar(item)) {
      const match = /^([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_.-]+))?=(.+)$/.exec(reader.string(item, where));
      if (!match) return reader.fail(item, `${where} must be KIND[:ENV]=PATH or a mapping {source, path, environment}`);
      if (!SOURCE_NAMES.includes(match[1]!)) reader.fail(item, `${where}: unknown source \`${match[1]}\` (known: ${SOURCE_NAMES.join(', ')})`);
      return { source: match[1]!, path: match[3]!, ...(match[2] ? { environment: match[2] } : {}) };
    }
    const declaration: Partial<SourceDeclaration> = {};
    for (const [key, value] of reader.entries(item, where, SOURCE_KEYS)) {
      if (key === 'source') declaration.source = reader.oneOf(value, `${where}.source`, SOURCE_NAMES);
      else if (key === 'path') declaration.path = reader.string(value, `${where}.path`);
      else {
        const name = reader.string(value, `${where}.environment`);
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) reader.fail(value, `${where}.environment may only use letters, digits, _ . -`);
        declaration.environment = name;
      }
    }
    if (!declaration.source || !declaration.path) reader.fail(item, `${where} needs \`source\` and \`path\``);
    return declaration as SourceDeclaration;
  });
}

function readEnvironments(reader: ConfigReader, node: Node | null): EnvironmentSpec[] {
  return reader.entries(node, '`environments`').map(([name, value, pair]) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) reader.fail(pair, `environment name \`${name}\` may only use letters, digits, _ . -`);
    const where = `environment \`${name}\``;
    // Shorthand: `prod: [docker-compose.yml, docker-compose.prod.yml]` or a single file.
    if (isSeq(value) || isScalar(value)) return { name, files: reader.strings(value, `${where}`) };
    const spec: EnvironmentSpec = { name, files: [] };
    let hasFiles = false;
    for (const [key, item] of reader.entries(value, where, ENVIRONMENT_KEYS)) {
      if (key === 'files') {
        spec.files = reader.strings(item, `${where}: files`);
        hasFiles = true;
      } else spec.profiles = reader.strings(item, `${where}: profiles`);
    }
    if (!hasFiles || spec.files.length === 0) reader.fail(value, `${where} needs \`files\`: the compose files merged, in order`);
    return spec;
  });
}

function readVars(reader: ConfigReader, node: Node | null): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of reader.entries(node, '`vars`')) {
    if (!isScalar(value) || !['string', 'number', 'boolean'].includes(typeof value.value)) {
      reader.fail(value, `vars.${name} must be a string, number or boolean`);
    }
    vars[name] = String(value.value);
  }
  return vars;
}

function readRules(reader: ConfigReader, node: Node | null): NonNullable<ProjectConfig['rules']> {
  const known: readonly string[] = RULES.map((rule) => rule.id);
  const rules: NonNullable<ProjectConfig['rules']> = {};
  for (const [id, value, pair] of reader.entries(node, '`rules`')) {
    if (!known.includes(id)) reader.fail(pair, `unknown rule \`${id}\` in \`rules\` (known rules: ${known.join(', ')})`);
    rules[id] = reader.oneOf(value, `rules.${id}`, RULE_LEVELS);
  }
  return rules;
}

function readLive(reader: ConfigReader, node: Node | null): NonNullable<ProjectConfig['live']> {
  const live: NonNullable<ProjectConfig['live']> = {};
  for (const [key, value] of reader.entries(node, '`live`', LIVE_KEYS)) {
    const where = `live.${key}`;
    if (key === 'backend') live.backend = reader.oneOf(value, where, BACKENDS);
    else if (key === 'stuckAfter') live.stuckAfter = reader.number(value, where, 0);
    // One URL, a list (several Redis), or per environment: `redis: { prod: [...], staging: redis://… }`.
    else if (key === 'redis' || key === 'broker') {
      live[key] = isMap(value)
        ? Object.fromEntries(reader.entries(value, where).map(([environment, urls]) => [environment, reader.strings(urls, `${where}.${environment}`)]))
        : isSeq(value)
          ? reader.strings(value, where)
          : reader.string(value, where);
    }
    else if (key === 'prefix') live.prefix = reader.string(value, where);
    else if (key === 'rabbitmqApi') live.rabbitmqApi = reader.string(value, where);
    else live.environment = reader.string(value, where);
  }
  return live;
}

function readSmoke(reader: ConfigReader, node: Node | null): NonNullable<ProjectConfig['smoke']> {
  const smoke: NonNullable<ProjectConfig['smoke']> = {};
  for (const [key, value] of reader.entries(node, '`smoke`', SMOKE_KEYS)) {
    const where = `smoke.${key}`;
    if (key === 'timeout') smoke.timeout = reader.number(value, where, 0);
    else if (key === 'body') {
      // The body may be written as YAML/JSON data or as a JSON string.
      if (isScalar(value) && typeof value.value === 'string') {
        try {
          JSON.parse(value.value);
        } catch {
          reader.fail(value, 'smoke.body must be JSON (a mapping, or a string holding JSON)');
        }
        smoke.body = value.value;
      } else if (isMap(value) || isSeq(value)) smoke.body = JSON.stringify(reader.data(value, 'smoke.body'));
      else reader.fail(value, 'smoke.body must be JSON (a mapping, or a string holding JSON)');
    } else if (key === 'url') {
      const url = reader.string(value, where);
      if (apiUrlProblem(url)) reader.fail(value, 'smoke.url must be an http:// or https:// URL');
      smoke.url = url;
    } else {
      const route = reader.string(value, where);
      if (!route.startsWith('/')) reader.fail(value, `${where} must start with /`);
      smoke[key as 'syncPath' | 'statusPath' | 'diagnosticsPath'] = route;
    }
  }
  return smoke;
}

/** Validates a parsed config document; throws InputError at the offending key or value. */
function readConfig(reader: ConfigReader, root: Node | null): ProjectConfig {
  const config: ProjectConfig = {};
  if (root === null || (isScalar(root) && root.value === null)) return config;
  for (const [key, value] of reader.entries(root, 'the config file', TOP_LEVEL_KEYS)) {
    switch (key) {
      case '$schema':
        reader.string(value, '$schema');
        break;
      case 'environments':
        config.environments = readEnvironments(reader, value);
        break;
      case 'sources':
        config.sources = readSources(reader, value);
        break;
      case 'profiles':
      case 'queueVariables':
      case 'ignore':
      case 'queues':
      case 'envFiles':
        config[key] = reader.strings(value, `\`${key}\``);
        break;
      case 'includeTests':
        config.includeTests = reader.boolean(value, '`includeTests`');
        break;
      case 'vars':
        config.vars = readVars(reader, value);
        break;
      case 'live':
        config.live = readLive(reader, value);
        break;
      case 'smoke':
        config.smoke = readSmoke(reader, value);
        break;
      case 'rules':
        config.rules = readRules(reader, value);
        break;
    }
  }
  if (config.queueVariables) {
    for (const name of config.queueVariables) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) reader.fail(root, `queueVariables: \`${name}\` is not an environment variable name`);
    }
  }
  return config;
}

/** Parses and validates config text (JSON is parsed as YAML, which it is, to keep node positions). */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) {
    const position = error.linePos?.[0];
    const reason = `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${error.message.split('\n')[0]}`;
    throw new InputError(reason, { file, line: position?.line ?? 1, ...(position ? { column: position.col } : {}) });
  }
  const reader = new ConfigReader(doc, lines, file);
  return readConfig(reader, reader.resolve(doc.contents));
}

/** How a path under `root` is shown in an error: relative to the cwd when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Loads and validates the project config file; {} when there is none. Throws InputError with file:line. */
export function loadProjectConfig(root: string, fs: FileSystem): ProjectConfig {
  const found = CONFIG_FILE_NAMES.filter((name) => fs.exists(path.posix.join(root, name)) && !fs.isDirectory(path.posix.join(root, name)));
  if (found.length === 0) return {};
  if (found.length > 1) {
    throw new InputError(`${displayPath(root)}: found ${found.join(' and ')}; keep only one receipts-doctor config file.`);
  }
  const name = found[0]!;
  const absolute = path.join(root, name);
  const shown = displayPath(absolute);
  let text: string;
  try {
    text = fs.readFile(absolute, MAX_CONFIG_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === FILE_TOO_LARGE) throw new InputError(`${shown}: config file is larger than the limit of ${MAX_CONFIG_BYTES} bytes.`);
    if (code === NOT_REGULAR_FILE) throw new InputError(`${shown}: config file is not a regular file.`);
    if (code === OUTSIDE_PROJECT) throw new InputError(`${shown}: config file is ${OUTSIDE_PROJECT_REASON}.`);
    throw new InputError(`Cannot read ${shown}: ${readFailureReason(error)}`);
  }
  return { ...parseProjectConfig(text, shown), file: name };
}
