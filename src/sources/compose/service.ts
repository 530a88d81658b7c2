import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { Location } from '../../types.js';
import type { DotenvEntry } from './dotenv.js';
import type { ComposeFiles } from './compose-files.js';
import type { VariableMap } from './loader.js';
import type { EnvEntry, Located, ServiceModel } from './model.js';
import { describeKind, isMap, isNull, scalarText, type YEntry, type YMap, type YNode } from './tree.js';

/** The ServiceModel of one merged `services.<name>` entry, validated as compose's schema would. */
export function buildService(files: ComposeFiles, name: string, entry: YEntry, variables: VariableMap): ServiceModel {
  const service = entry.value;
  if (!isMap(service)) throw new InputError(`services.${name} must be a mapping, not ${describeKind(service)}`, service.pos);
  const field = (key: string): YEntry | undefined => {
    const found = service.entries.get(key);
    return found && !isNull(found.value) ? found : undefined;
  };
  const model: ServiceModel = {
    name,
    location: entry.keyPos,
    environment: resolveEnvironment(files, name, service, variables),
    profiles: stringList(field('profiles'), `services.${name}.profiles`),
  };
  const command = commandLike(field('command'), `services.${name}.command`);
  if (command) model.command = command;
  const entrypoint = commandLike(field('entrypoint'), `services.${name}.entrypoint`);
  if (entrypoint) model.entrypoint = entrypoint;
  const deploy = field('deploy');
  if (deploy) {
    if (!isMap(deploy.value)) throw new InputError(`services.${name}.deploy must be a mapping`, deploy.value.pos);
    const replicas = integer(deploy.value.entries.get('replicas')?.value, `services.${name}.deploy.replicas`);
    if (replicas !== undefined) model.replicas = replicas;
  }
  const scale = integer(field('scale')?.value, `services.${name}.scale`);
  if (scale !== undefined) model.scale = scale;
  const image = optionalString(field('image'), `services.${name}.image`);
  if (image !== undefined) model.image = image;
  const workingDir = optionalString(field('working_dir'), `services.${name}.working_dir`);
  if (workingDir !== undefined) model.workingDir = workingDir;
  const mounts = bindMounts(field('volumes'), (absolute) => files.relative(absolute));
  if (mounts.length) model.codeMounts = mounts;
  const build = field('build');
  if (build) {
    const context = isMap(build.value) ? build.value.entries.get('context')?.value : build.value;
    if (context && !isNull(context)) {
      if (context.kind !== 'scalar' || typeof context.value !== 'string') {
        throw new InputError(`services.${name}.build must be a string or a mapping with a string \`context\``, context.pos);
      }
      model.buildContext = path.posix.isAbsolute(context.value) ? files.relative(context.value) : context.value;
    } else if (isMap(build.value)) {
      model.buildContext = '.';
    }
  }
  return model;
}

/**
 * The project paths a service bind-mounts (`./src:/app`, `.:/code:ro`, `{type: bind, source: ./src}`): code it may
 * run without building it. Named volumes are not the project's code; shapes compose would refuse are left to it.
 */
function bindMounts(entry: YEntry | undefined, relative: (absolute: string) => string): string[] {
  if (!entry || entry.value.kind !== 'seq') return [];
  const sources: string[] = [];
  for (const item of entry.value.items) {
    let source: string | undefined;
    if (item.kind === 'scalar' && typeof item.value === 'string') source = item.value.split(':')[0];
    else if (isMap(item)) {
      const type = item.entries.get('type')?.value;
      const given = item.entries.get('source')?.value;
      if (type?.kind === 'scalar' && type.value === 'bind' && given?.kind === 'scalar' && typeof given.value === 'string') source = given.value;
    }
    // A bind mount's source is a path (`.`, `./x`, `../x`, `/x`); a bare name is a named volume.
    if (source === undefined || !/^(?:\.|\/)/.test(source)) continue;
    sources.push(path.posix.isAbsolute(source) ? relative(source) : source);
  }
  return sources;
}

function commandLike(entry: YEntry | undefined, where: string): Located<string | string[]> | undefined {
  if (!entry) return undefined;
  const node = entry.value;
  if (node.kind === 'scalar') {
    if (typeof node.value !== 'string') throw new InputError(`${where} must be a string or a list of strings, not ${describeKind(node)}`, node.pos);
    return { value: node.value, location: entry.keyPos };
  }
  if (node.kind === 'seq') {
    const items = node.items.map((item) => {
      if (item.kind !== 'scalar' || item.value === null) throw new InputError(`${where} must be a list of strings`, item.pos);
      return scalarText(item.value);
    });
    return { value: items, location: entry.keyPos };
  }
  throw new InputError(`${where} must be a string or a list of strings, not a mapping`, node.pos);
}

function stringList(entry: YEntry | undefined, where: string): string[] {
  if (!entry) return [];
  if (entry.value.kind !== 'seq') throw new InputError(`${where} must be a list of strings`, entry.value.pos);
  return entry.value.items.map((item) => {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') throw new InputError(`${where} must be a list of strings`, item.pos);
    return item.value;
  });
}

function optionalString(entry: YEntry | undefined, where: string): string | undefined {
  if (!entry) return undefined;
  const node = entry.value;
  if (node.kind !== 'scalar' || typeof node.value !== 'string') throw new InputError(`${where} must be a string`, node.pos);
  return node.value;
}

/** compose-go casts `replicas`/`scale` from strings (after interpolation) with Go's strconv.Atoi. */
function integer(node: YNode | undefined, where: string): number | undefined {
  if (!node || isNull(node)) return undefined;
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
    if (typeof node.value === 'string' && /^[+-]?\d+$/.test(node.value)) return Number.parseInt(node.value, 10);
  }
  throw new InputError(`${where} must be an integer, not ${node.kind === 'scalar' ? JSON.stringify(node.value) : describeKind(node)}`, node.pos);
}

interface EnvFileRef {
  file: string;
  required: boolean;
  pos: Location;
}

function envFileRefs(service: YMap, where: string): EnvFileRef[] {
  const node = service.entries.get('env_file')?.value;
  if (!node || isNull(node)) return [];
  const one = (item: YNode): EnvFileRef => {
    if (item.kind === 'scalar' && typeof item.value === 'string') return { file: item.value, required: true, pos: item.pos };
    if (isMap(item)) {
      const file = item.entries.get('path')?.value;
      if (file?.kind !== 'scalar' || typeof file.value !== 'string') throw new InputError(`${where}.env_file entries need a string \`path\``, item.pos);
      const required = item.entries.get('required')?.value;
      if (required && !isNull(required) && (required.kind !== 'scalar' || typeof required.value !== 'boolean')) {
        throw new InputError(`${where}.env_file.required must be a boolean`, required.pos);
      }
      return { file: file.value, required: required?.kind === 'scalar' ? required.value !== false : true, pos: file.pos };
    }
    throw new InputError(`${where}.env_file must be a path, a list, or {path, required}`, item.pos);
  };
  return node.kind === 'seq' ? node.items.map(one) : [one(node)];
}

/**
 * compose-go's WithServicesEnvironmentResolved: env_file values first (later files win), then
 * `environment` on top (it wins, even a bare `KEY`); a bare `KEY` takes the project variable if set.
 */
function resolveEnvironment(files: ComposeFiles, name: string, service: YMap, variables: VariableMap): Record<string, EnvEntry> {
  const where = `services.${name}`;
  const declared = new Map<string, EnvEntry>();
  const node = service.entries.get('environment')?.value;
  if (node && !isNull(node)) {
    if (isMap(node)) {
      for (const [key, entry] of node.entries) {
        const value = entry.value;
        if (value.kind !== 'scalar') throw new InputError(`${where}.environment.${key} must be a string, number, boolean or null`, value.pos);
        declared.set(key, {
          value: value.value === null ? null : scalarText(value.value),
          location: entry.keyPos,
          source: 'environment',
          unsetVariables: value.unset ?? [],
        });
      }
    } else if (node.kind === 'seq') {
      for (const item of node.items) {
        if (item.kind !== 'scalar' || typeof item.value !== 'string') throw new InputError(`${where}.environment must be a list of strings`, item.pos);
        const index = item.value.indexOf('=');
        const key = index === -1 ? item.value : item.value.slice(0, index);
        declared.set(key, {
          value: index === -1 ? null : item.value.slice(index + 1),
          location: item.pos,
          source: 'environment',
          unsetVariables: item.unset ?? [],
        });
      }
    } else {
      throw new InputError(`${where}.environment must be a mapping or a list, not ${describeKind(node)}`, node.pos);
    }
  }
  for (const [key, entry] of declared) {
    if (entry.value !== null) continue;
    const value = variables.get(key);
    if (value !== undefined) declared.set(key, { ...entry, value });
  }

  const fromFiles = new Map<string, EnvEntry>();
  for (const ref of envFileRefs(service, where)) {
    if (!files.fs.exists(ref.file) || files.fs.isDirectory(ref.file)) {
      if (ref.required) throw new InputError(`env file ${files.relative(ref.file)} not found`, ref.pos);
      continue;
    }
    const parsed = new Map<string, DotenvEntry>();
    files.dotenv(
      ref.file,
      parsed,
      (key) => variables.get(key) ?? declared.get(key)?.value ?? parsed.get(key)?.value ?? fromFiles.get(key)?.value ?? undefined,
      ref.pos,
    );
    const file = files.relative(ref.file);
    for (const [key, entry] of parsed) {
      fromFiles.set(key, { value: entry.value, location: { file, line: entry.line }, source: 'env_file', unsetVariables: entry.unset ?? [] });
    }
  }
  const environment: Record<string, EnvEntry> = {};
  for (const [key, entry] of fromFiles) environment[key] = entry;
  for (const [key, entry] of declared) environment[key] = entry;
  return environment;
}
