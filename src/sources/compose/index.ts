import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { DotenvEntry } from './dotenv.js';
import { detectEnvironments, environmentFiles } from './environments.js';
import { ComposeFiles } from './compose-files.js';
import { loadModel, type VariableMap } from './loader.js';
import type { ComposeEnvironment, ComposeOptions, ComposeProject, EnvironmentSpec, ServiceModel } from './model.js';
import { buildService } from './service.js';
import { describeKind, isMap, isNull } from './tree.js';

export type * from './model.js';
export { MAX_ALIAS_EXPANSION_NODES, MAX_COMPOSE_FILE_BYTES } from './yaml.js';

/**
 * Reads a project's compose files as docker compose would and returns one merged model per environment.
 * Throws InputError (with a location) for invalid YAML, an invalid compose model, a missing extends file,
 * an extends cycle, an alias bomb, or a dir without a compose file.
 */
export function loadComposeProject(options: ComposeOptions): ComposeProject {
  try {
    return loadProject(options);
  } catch (error) {
    // A safety net: the limits above should make this unreachable, but never let a hostile file crash the CLI.
    if (error instanceof RangeError) throw new InputError(`compose files too large or too deeply nested: ${error.message}`);
    throw error;
  }
}

function loadProject(options: ComposeOptions): ComposeProject {
  const root = path.posix.normalize(options.root);
  const files = new ComposeFiles(options.fs, root);
  const variables = interpolationVariables(files, options);
  const specs = options.environments ?? detectEnvironments(options.fs, root);
  const environments = specs.map((spec) => loadEnvironment(files, spec, variables, options));
  return { environments };
}

/** Env files (or root/.env), then the shell (only when given; it wins, as in compose), then `--var` (wins). */
function interpolationVariables(files: ComposeFiles, options: ComposeOptions): VariableMap {
  const shell = new Map<string, string>();
  for (const [name, value] of Object.entries(options.shellEnv ?? {})) if (value !== undefined) shell.set(name, value);
  for (const [name, value] of Object.entries(options.vars ?? {})) shell.set(name, value);
  const envFiles = options.envFiles
    ? options.envFiles.map((file) => (path.posix.isAbsolute(file) ? file : path.posix.join(files.root, file)))
    : [path.posix.join(files.root, '.env')].filter((file) => files.fs.exists(file) && !files.fs.isDirectory(file));
  const fromFiles = new Map<string, DotenvEntry>();
  for (const file of envFiles) {
    if (!files.fs.exists(file)) throw new InputError(`env file ${file} not found`);
    files.dotenv(file, fromFiles, (name) => shell.get(name));
  }
  const variables = new Map<string, string>();
  for (const [name, entry] of fromFiles) variables.set(name, entry.value);
  for (const [name, value] of shell) variables.set(name, value);
  return variables;
}

/** Where an interpolation variable's value comes from: an env file line, `--var`, or the shell (`--shell-env`). */
export type VariableOrigin = { kind: 'env-file'; file: string; line: number } | { kind: 'var' } | { kind: 'shell' };

/**
 * The origin of every interpolation variable, with the precedence of interpolationVariables (env files in order,
 * then the shell, then `--var`); files are root-relative. For `fix`, which edits the line that supplies a value.
 */
export function interpolationOrigins(options: ComposeOptions): Map<string, VariableOrigin> {
  const files = new ComposeFiles(options.fs, path.posix.normalize(options.root));
  const origins = new Map<string, VariableOrigin>();
  const shell = new Map<string, string>();
  for (const [name, value] of Object.entries(options.shellEnv ?? {})) if (value !== undefined) shell.set(name, value);
  const envFiles = options.envFiles
    ? options.envFiles.map((file) => (path.posix.isAbsolute(file) ? file : path.posix.join(files.root, file)))
    : [path.posix.join(files.root, '.env')].filter((file) => files.fs.exists(file) && !files.fs.isDirectory(file));
  for (const file of envFiles) {
    if (!files.fs.exists(file)) continue;
    const entries = new Map<string, DotenvEntry>();
    files.dotenv(file, entries, (name) => shell.get(name) ?? options.vars?.[name]);
    for (const [name, entry] of entries) origins.set(name, { kind: 'env-file', file: files.relative(file), line: entry.line });
  }
  for (const name of shell.keys()) origins.set(name, { kind: 'shell' });
  for (const name of Object.keys(options.vars ?? {})) origins.set(name, { kind: 'var' });
  return origins;
}

function loadEnvironment(files: ComposeFiles, spec: EnvironmentSpec, variables: VariableMap, options: ComposeOptions): ComposeEnvironment {
  const composeFiles = environmentFiles(files.fs, files.root, spec);
  const model = loadModel(files, composeFiles, { workingDir: files.root, variables, included: [] });
  if (model.entries.size === 0) throw new InputError(`empty compose file`, { file: files.relative(composeFiles[0]!), line: 1, column: 1 });
  const services: Record<string, ServiceModel> = {};
  const servicesEntry = model.entries.get('services');
  if (servicesEntry && !isNull(servicesEntry.value)) {
    if (!isMap(servicesEntry.value)) {
      throw new InputError(`services must be a mapping, not ${describeKind(servicesEntry.value)}`, servicesEntry.value.pos);
    }
    for (const [name, entry] of servicesEntry.value.entries) services[name] = buildService(files, name, entry, variables);
  }
  return {
    name: spec.name,
    files: composeFiles.map((file) => files.relative(file)),
    profiles: activeProfiles(spec, options, variables),
    services,
  };
}

/** `--profile`/config profiles; without any, COMPOSE_PROFILES from the variables, as docker compose does. */
function activeProfiles(spec: EnvironmentSpec, options: ComposeOptions, variables: VariableMap): string[] {
  const explicit = [...(options.profiles ?? []), ...(spec.profiles ?? [])];
  const profiles = explicit.length > 0 ? explicit : (variables.get('COMPOSE_PROFILES') ?? '').split(',').map((profile) => profile.trim());
  return [...new Set(profiles.filter((profile) => profile !== ''))];
}
