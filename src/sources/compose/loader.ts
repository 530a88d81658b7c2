import * as path from 'node:path';
import { InputError } from '../../errors.js';
import { ExpansionBudget, ExpansionTooLargeError } from '../../expansion.js';
import type { Location } from '../../types.js';
import type { ComposeFiles } from './compose-files.js';
import type { DotenvEntry } from './dotenv.js';
import { applyResets, enforceUnicity, mergeMappings, mergeYaml } from './merge.js';
import { InvalidTemplateError, MissingRequiredError, substitute } from './template.js';
import { cloneNode, emptyMap, isMap, isNull, pathString, scalar, type YMap, type YNode } from './tree.js';

/** Variables available to interpolation (`.env`, `--var`, the shell when asked), name → value. */
export type VariableMap = ReadonlyMap<string, string>;

/** What one load of compose files needs to know besides the files. */
export interface LoadOptions {
  /** Absolute dir relative paths (env_file, build, extends, include) resolve against. */
  workingDir: string;
  variables: VariableMap;
  skipInclude?: boolean;
  skipExtends?: boolean;
  /** The include chain, for cycle detection (absolute files). */
  included: string[];
}

interface ServiceRef {
  file: string;
  service: string;
}

/** compose-go's loadYamlModel: the files merged in order, each interpolated, included and extended first. */
export function loadModel(files: ComposeFiles, composeFiles: string[], options: LoadOptions): YMap {
  let model: YMap | undefined;
  for (const file of composeFiles) model = loadFile(files, file, options, model).model;
  const merged = model ?? emptyMap({ file: files.relative(composeFiles[0] ?? files.root), line: 1, column: 1 });
  resolveListEnvironment(merged, options.variables);
  return merged;
}

/** compose-go's loadYamlFile: every document of `file` merged into `model`. */
function loadFile(
  files: ComposeFiles,
  file: string,
  options: LoadOptions,
  model: YMap | undefined,
  from?: Location,
): { model: YMap | undefined; resetPaths: string[][] } {
  let resetPaths: string[][] = [];
  files.countLoad(file, from);
  for (const document of files.documents(file, from)) {
    if (!document.root) continue;
    if (!isMap(document.root)) throw new InputError('top-level object must be a mapping', document.root.pos);
    const config = document.root;
    interpolate(config, [], options.variables, new ExpansionBudget());
    resolveRelativePaths(config, options.workingDir);
    resetPaths = document.resetPaths;
    if (!options.skipInclude) applyInclude(files, file, config, { ...options, included: [...options.included, file] }, resetPaths);
    if (model) applyResets(model, resetPaths);
    if (!options.skipExtends) applyExtends(files, file, config, options, resetPaths);
    model = model ? mergeMappings(model, config, []) : config;
    enforceUnicity(model);
  }
  return { model, resetPaths };
}

/** Substitutes variables in every string value (keys are never interpolated, `x-` blocks are). */
function interpolate(node: YNode, at: string[], variables: VariableMap, budget: ExpansionBudget): void {
  if (node.kind === 'map') {
    for (const [key, entry] of node.entries) interpolate(entry.value, [...at, key], variables, budget);
  } else if (node.kind === 'seq') {
    node.items.forEach((item, index) => interpolate(item, [...at, `[${index}]`], variables, budget));
  } else if (typeof node.value === 'string' && node.value.includes('$')) {
    try {
      const { value, unset } = substitute(node.value, (name) => variables.get(name), budget);
      node.value = value;
      if (unset.length > 0) node.unset = unset;
    } catch (error) {
      if (error instanceof MissingRequiredError || error instanceof InvalidTemplateError || error instanceof ExpansionTooLargeError) {
        throw new InputError(`error while interpolating ${pathString(at)}: ${error.message}`, node.pos);
      }
      throw error;
    }
  }
}

const isRemote = (value: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith('git@') || value.startsWith('github.com/');

const absolute = (workingDir: string, value: string): string =>
  path.posix.isAbsolute(value) ? path.posix.normalize(value) : path.posix.join(workingDir, value);

/** Makes the relative paths the loader follows absolute, against the file's working dir (as compose-go does). */
function resolveRelativePaths(config: YMap, workingDir: string): void {
  const services = config.entries.get('services')?.value;
  if (!isMap(services)) return;
  const fix = (node: YNode | undefined): void => {
    if (node?.kind === 'scalar' && typeof node.value === 'string' && node.value !== '' && !isRemote(node.value)) {
      node.value = absolute(workingDir, node.value);
    }
  };
  for (const { value: service } of services.entries.values()) {
    if (!isMap(service)) continue;
    const envFile = service.entries.get('env_file')?.value;
    if (envFile?.kind === 'seq') {
      for (const item of envFile.items) fix(isMap(item) ? item.entries.get('path')?.value : item);
    } else if (isMap(envFile)) fix(envFile.entries.get('path')?.value);
    else fix(envFile);
    const build = service.entries.get('build')?.value;
    fix(isMap(build) ? build.entries.get('context')?.value : build);
    const extendsNode = service.entries.get('extends')?.value;
    if (isMap(extendsNode)) fix(extendsNode.entries.get('file')?.value);
  }
}

/** compose-go's ResolveEnvironment: a `- KEY` list entry takes the model's variable when there is one. */
function resolveListEnvironment(model: YMap, variables: VariableMap): void {
  const services = model.entries.get('services')?.value;
  if (!isMap(services)) return;
  for (const { value: service } of services.entries.values()) {
    const environment = isMap(service) ? service.entries.get('environment')?.value : undefined;
    if (environment?.kind !== 'seq') continue;
    for (const item of environment.items) {
      if (item.kind !== 'scalar' || typeof item.value !== 'string' || item.value.includes('=')) continue;
      const value = variables.get(item.value);
      if (value !== undefined) item.value = `${item.value}=${value}`;
    }
  }
}

function servicesOf(config: YMap, file: string, files: ComposeFiles): YMap | undefined {
  const services = config.entries.get('services');
  if (!services || isNull(services.value)) return undefined;
  if (!isMap(services.value)) throw new InputError(`services must be a mapping in ${files.relative(file)}`, services.value.pos);
  return services.value;
}

/** compose-go's ApplyExtends for one file's services. */
function applyExtends(files: ComposeFiles, file: string, config: YMap, options: LoadOptions, resetPaths: string[][]): void {
  const services = servicesOf(config, file, files);
  if (!services) return;
  for (const name of [...services.entries.keys()]) extendService(files, name, services, file, options, [], resetPaths);
}

function extendService(
  files: ComposeFiles,
  name: string,
  services: YMap,
  file: string,
  options: LoadOptions,
  chain: ServiceRef[],
  resetPaths: string[][],
): YNode | undefined {
  const entry = services.entries.get(name);
  if (!entry || isNull(entry.value)) return undefined;
  const service = entry.value;
  if (!isMap(service)) throw new InputError(`services.${name} must be a mapping`, service.pos);
  const extendsEntry = service.entries.get('extends');
  if (!extendsEntry) return service;
  const extendsNode = extendsEntry.value;
  let ref: string;
  let refFile: YNode | undefined;
  if (isMap(extendsNode)) {
    const refNode = extendsNode.entries.get('service')?.value;
    if (refNode?.kind !== 'scalar' || typeof refNode.value !== 'string') {
      throw new InputError(`extends.${name}.service is required`, extendsNode.pos);
    }
    ref = refNode.value;
    refFile = extendsNode.entries.get('file')?.value;
  } else if (extendsNode.kind === 'scalar' && typeof extendsNode.value === 'string') {
    ref = extendsNode.value;
  } else {
    throw new InputError(`services.${name}.extends must be a string or a mapping`, extendsNode.pos);
  }

  const refChain = [...chain, { file, service: name }];
  let baseServices = services;
  let baseFile = file;
  let baseResets = resetPaths;
  let baseOptions = options;
  if (refFile && !isNull(refFile)) {
    if (refFile.kind !== 'scalar' || typeof refFile.value !== 'string') {
      throw new InputError(`services.${name}.extends.file must be a string`, refFile.pos);
    }
    baseFile = refFile.value;
    baseOptions = {
      ...options,
      workingDir: path.posix.dirname(baseFile),
      skipInclude: true,
      skipExtends: true,
    };
    const loaded = loadFile(files, baseFile, baseOptions, undefined, refFile.pos);
    const loadedServices = loaded.model ? servicesOf(loaded.model, baseFile, files) : undefined;
    if (!loadedServices) {
      throw new InputError(`cannot extend service "${name}": no services section in ${files.relative(baseFile)}`, refFile.pos);
    }
    if (!loadedServices.entries.has(ref)) {
      throw new InputError(`cannot extend service "${name}": service "${ref}" not found in ${files.relative(baseFile)}`, extendsNode.pos);
    }
    baseServices = loadedServices;
    baseResets = loaded.resetPaths;
  } else if (!services.entries.has(ref)) {
    throw new InputError(`cannot extend service "${name}" in ${files.relative(file)}: service "${ref}" not found`, extendsNode.pos);
  }
  if (refChain.some((seen) => seen.file === baseFile && seen.service === ref)) {
    const cycle = [...refChain, { file: baseFile, service: ref }].map((step) => `${step.service} (${files.relative(step.file)})`).join(' → ');
    throw new InputError(`extends cycle: ${cycle}`, extendsNode.pos);
  }

  const base = extendService(files, ref, baseServices, baseFile, baseOptions, refChain, baseResets);
  if (!base) return service;
  const source = cloneNode(base) as YNode;
  applyResets(
    { kind: 'map', pos: service.pos, entries: new Map([['services', { keyPos: service.pos, value: { kind: 'map', pos: service.pos, entries: new Map([[name, { keyPos: entry.keyPos, value: source }]]) } }]]) },
    resetPaths,
  );
  const merged = mergeYaml(source, service, ['services', 'x']);
  if (isMap(merged)) merged.entries.delete('extends');
  services.entries.set(name, { keyPos: entry.keyPos, value: merged });
  return merged;
}

/** compose-go's ApplyInclude: each included project is loaded on its own, then its resources imported. */
function applyInclude(files: ComposeFiles, file: string, config: YMap, options: LoadOptions, resetPaths: string[][]): void {
  const includeEntry = config.entries.get('include');
  if (!includeEntry) return;
  config.entries.delete('include');
  const include = includeEntry.value;
  if (isNull(include)) return;
  if (include.kind !== 'seq') throw new InputError('`include` must be a list', include.pos);
  for (const item of include.items) {
    const spec = includeSpec(item);
    const paths = spec.paths.map((value) => absolute(options.workingDir, value));
    const main = paths[0]!;
    const projectDirectory = spec.projectDirectory ? absolute(options.workingDir, spec.projectDirectory) : path.posix.dirname(main);
    if (options.included.includes(main)) {
      const chain = [...options.included, main].map((step) => files.relative(step)).join(' → ');
      throw new InputError(`include cycle: ${chain}`, item.pos);
    }
    let envFiles = spec.envFiles.filter((envFile) => envFile !== '/dev/null').map((envFile) => absolute(options.workingDir, envFile));
    if (spec.envFiles.length === 0) {
      const dotenv = path.posix.join(projectDirectory, '.env');
      envFiles = files.fs.exists(dotenv) && !files.fs.isDirectory(dotenv) ? [dotenv] : [];
    }
    const fromFiles = new Map<string, DotenvEntry>();
    for (const envFile of envFiles) files.dotenv(envFile, fromFiles, (name) => options.variables.get(name), item.pos);
    // The including project's variables win over the included project's env files.
    const variables = new Map(options.variables);
    for (const [name, entry] of fromFiles) if (!variables.has(name)) variables.set(name, entry.value);
    for (const composeFile of paths) {
      if (!files.fs.exists(composeFile)) throw new InputError(`included file ${files.relative(composeFile)} not found`, item.pos);
    }
    // The same included project (same files, dir and variables) loads to the same model: load it once.
    const key = JSON.stringify([paths, projectDirectory, [...variables]]);
    let imported = files.includes.get(key);
    if (imported) imported = cloneNode(imported) as YMap;
    else {
      imported = loadModel(files, paths, { workingDir: projectDirectory, variables, included: options.included });
      files.includes.set(key, cloneNode(imported) as YMap);
    }
    importResources(imported, config, resetPaths);
  }
}

function includeSpec(item: YNode): { paths: string[]; projectDirectory?: string; envFiles: string[] } {
  const strings = (node: YNode | undefined, what: string): string[] => {
    if (!node || isNull(node)) return [];
    if (node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
    if (node.kind === 'seq') {
      return node.items.map((entry) => {
        if (entry.kind !== 'scalar' || typeof entry.value !== 'string') throw new InputError(`include ${what} must be strings`, entry.pos);
        return entry.value;
      });
    }
    throw new InputError(`include ${what} must be a string or a list of strings`, node.pos);
  };
  if (item.kind === 'scalar' && typeof item.value === 'string') return { paths: [item.value], envFiles: [] };
  if (!isMap(item)) throw new InputError('an include entry must be a path or a mapping with `path`', item.pos);
  const paths = strings(item.entries.get('path')?.value, 'path');
  if (paths.length === 0) throw new InputError('include entry needs a `path`', item.pos);
  const projectDirectory = strings(item.entries.get('project_directory')?.value, 'project_directory')[0];
  return { paths, envFiles: strings(item.entries.get('env_file')?.value, 'env_file'), ...(projectDirectory ? { projectDirectory } : {}) };
}

const IMPORTED_RESOURCES = ['services', 'volumes', 'networks', 'secrets', 'configs', 'models'];

/** Imported definitions are added; one the including file also defines is merged under it (the local one wins). */
function importResources(source: YMap, target: YMap, resetPaths: string[][]): void {
  for (const key of IMPORTED_RESOURCES) {
    const from = source.entries.get(key);
    if (!from || !isMap(from.value)) continue;
    let to = target.entries.get(key);
    if (!to || !isMap(to.value)) {
      to = { keyPos: from.keyPos, value: emptyMap(from.value.pos) };
      target.entries.set(key, to);
    }
    const toMap = to.value as YMap;
    for (const [name, entry] of from.value.entries) {
      const conflict = toMap.entries.get(name);
      if (!conflict) {
        toMap.entries.set(name, entry);
        continue;
      }
      const holder: YMap = emptyMap(entry.keyPos);
      holder.entries.set(key, { keyPos: entry.keyPos, value: { kind: 'map', pos: entry.keyPos, entries: new Map([[name, entry]]) } });
      applyResets(holder, resetPaths);
      const imported = (holder.entries.get(key)!.value as YMap).entries.get(name)?.value ?? scalar(null, entry.keyPos);
      toMap.entries.set(name, { keyPos: conflict.keyPos, value: mergeYaml(imported, conflict.value, [key, name]) });
    }
  }
}
