import { InputError } from '../../errors.js';
import { ExpansionBudget, ExpansionTooLargeError } from '../../expansion.js';
import type { DeploymentEnvironment, DeploymentService, EnvEntry } from '../../model.js';
import type { Location } from '../../types.js';
import { describeKind, isMap, isNull, scalarText, type YEntry, type YMap, type YNode } from '../compose/tree.js';
import { parseComposeYaml } from '../compose/yaml.js';

/**
 * Kubernetes manifests → the neutral model. Multi-document YAML (and `kind: List`) is read with the positioned YAML
 * reader the compose source uses (alias and nesting limits included); every workload's containers become services:
 * their argv is `command` + `args` with `$(VAR)` expanded as the kubelet does, their environment is `envFrom`
 * ConfigMaps, then `env` (values, `configMapKeyRef` from ConfigMaps in the same set). Secrets are named, never read:
 * a value from a Secret is unknown (null). Init containers are not services.
 */

/** Workload kinds and where their pod spec is. */
export const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
/** Kinds with `spec.replicas` (default 1). */
const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/** One object of a manifest set. */
export interface KubeObject {
  kind: string;
  name: string;
  namespace?: string;
  node: YMap;
  /** Where `metadata.name` is written (else the object). */
  location: Location;
}

/** Where a service came from, for sources that map rendered positions back to their inputs (kustomize). */
export interface ServiceOrigin {
  kind: string;
  workload: string;
  container: string;
  /** `command` + `args` as written, before `$(VAR)` expansion. */
  rawArgv: string[];
  /** The ConfigMap key each env entry was read from, by variable name. */
  configMapKeys: Map<string, { configMap: string; key: string }>;
}

export interface ManifestEnvironment {
  environment: DeploymentEnvironment;
  origins: Map<DeploymentService, ServiceOrigin>;
}

/** Parses the text of one manifest file into its objects; `file` names it in locations. */
export function parseManifests(text: string, file: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseComposeYaml(text, file)) {
    if (!document.root || isNull(document.root)) continue;
    collectObjects(document.root, objects);
  }
  return objects;
}

function collectObjects(node: YNode, into: KubeObject[]): void {
  if (!isMap(node)) return;
  const kind = stringAt(node, ['kind']);
  if (kind === undefined) return;
  if (kind.endsWith('List') && node.entries.get('items')?.value.kind === 'seq') {
    for (const item of (node.entries.get('items')!.value as { items: YNode[] }).items) collectObjects(item, into);
    return;
  }
  const metadata = node.entries.get('metadata')?.value;
  const nameEntry = isMap(metadata) ? metadata.entries.get('name') : undefined;
  const name = nameEntry?.value.kind === 'scalar' && nameEntry.value.value !== null ? scalarText(nameEntry.value.value) : '';
  const namespace = isMap(metadata) ? stringAt(metadata, ['namespace']) : undefined;
  into.push({ kind, name, ...(namespace ? { namespace } : {}), node, location: nameEntry?.keyPos ?? node.pos });
}

function entryAt(node: YNode | undefined, path: string[]): YEntry | undefined {
  let entry: YEntry | undefined;
  let current = node;
  for (const key of path) {
    if (!isMap(current)) return undefined;
    entry = current.entries.get(key);
    current = entry?.value;
  }
  return entry;
}

function stringAt(node: YNode | undefined, path: string[]): string | undefined {
  const value = entryAt(node, path)?.value;
  return value?.kind === 'scalar' && value.value !== null ? scalarText(value.value) : undefined;
}

function integerAt(node: YNode, path: string[], where: string): number | undefined {
  const value = entryAt(node, path)?.value;
  if (!value || isNull(value)) return undefined;
  if (value.kind === 'scalar' && typeof value.value === 'number' && Number.isInteger(value.value)) return value.value;
  throw new InputError(`${where} must be an integer, not ${describeKind(value)}`, value.pos);
}

/** A list of strings (`command`, `args`); a Kubernetes API server refuses anything else, and so do we. */
function stringList(entry: YEntry | undefined, where: string): string[] | undefined {
  if (!entry || isNull(entry.value)) return undefined;
  if (entry.value.kind !== 'seq') throw new InputError(`${where} must be a list of strings, not ${describeKind(entry.value)}`, entry.value.pos);
  return entry.value.items.map((item) => {
    if (item.kind !== 'scalar' || item.value === null || typeof item.value === 'object') throw new InputError(`${where} must be a list of strings`, item.pos);
    return scalarText(item.value);
  });
}

/**
 * The kubelet's `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion): `$(NAME)` becomes the
 * variable's value when it is defined and stays as written when not; `$$` is a literal `$`. Linear.
 */
export function expandKubernetesVariables(text: string, lookup: (name: string) => string | undefined, budget?: ExpansionBudget): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    // `$(V30)` = `$(V29)$(V29)` … doubles: checked as it grows, and charged to the manifests' total.
    ExpansionBudget.check(out.length);
    const ch = text[i]!;
    if (ch !== '$' || i + 1 >= text.length) {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close === -1) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close + 1;
    } else {
      out += ch + next;
      i += 2;
    }
  }
  ExpansionBudget.check(out.length);
  budget?.charge(out.length);
  return out;
}

/** `expandKubernetesVariables` with a bound crossed reported as an InputError at `at`. */
function expandAt(text: string, lookup: (name: string) => string | undefined, budget: ExpansionBudget, at: Location | undefined, what: string): string {
  try {
    return expandKubernetesVariables(text, lookup, budget);
  } catch (error) {
    if (error instanceof ExpansionTooLargeError) throw new InputError(`${what}: ${error.message}`, at);
    throw error;
  }
}

interface ConfigMapData {
  entries: Map<string, { value: string; location: Location }>;
}

function configMaps(objects: KubeObject[]): Map<string, ConfigMapData> {
  const maps = new Map<string, ConfigMapData>();
  for (const object of objects) {
    if (object.kind !== 'ConfigMap') continue;
    const entries = new Map<string, { value: string; location: Location }>();
    const data = object.node.entries.get('data')?.value;
    if (isMap(data)) {
      for (const [key, entry] of data.entries) {
        if (entry.value.kind === 'scalar' && entry.value.value !== null) entries.set(key, { value: scalarText(entry.value.value), location: entry.keyPos });
      }
    }
    maps.set(configMapKey(object.name, object.namespace), { entries });
    if (!maps.has(configMapKey(object.name))) maps.set(configMapKey(object.name), { entries });
  }
  return maps;
}

const configMapKey = (name: string, namespace?: string) => `${namespace ?? ''}/${name}`;

/** Why a workload does not run: zero replicas, a suspended CronJob, a Job with no parallelism. */
function inactiveReason(object: KubeObject, where: string): { reason?: string; replicas?: number } {
  if (REPLICATED.has(object.kind)) {
    const replicas = integerAt(object.node, ['spec', 'replicas'], `${where}.spec.replicas`);
    if (replicas === 0) return { reason: 'it has `replicas: 0`', replicas };
    return replicas === undefined ? {} : { replicas };
  }
  if (object.kind === 'CronJob' && entryAt(object.node, ['spec', 'suspend'])?.value.kind === 'scalar') {
    const suspend = entryAt(object.node, ['spec', 'suspend'])!.value;
    if (suspend.kind === 'scalar' && suspend.value === true) return { reason: 'the CronJob is suspended (`suspend: true`)' };
  }
  if (object.kind === 'Job' && integerAt(object.node, ['spec', 'parallelism'], `${where}.spec.parallelism`) === 0) {
    return { reason: 'it has `parallelism: 0`', replicas: 0 };
  }
  return {};
}

/** The objects of one environment → its services (containers of workloads), in document order. */
export function manifestEnvironment(name: string, source: string, files: string[], objects: KubeObject[]): ManifestEnvironment {
  const maps = configMaps(objects);
  const services: DeploymentService[] = [];
  const origins = new Map<DeploymentService, ServiceOrigin>();
  const taken = new Set<string>();
  const budget = new ExpansionBudget();
  for (const object of objects) {
    const specPath = POD_SPEC_PATHS[object.kind];
    if (!specPath) continue;
    const where = `${object.kind} ${object.name || '(unnamed)'}`;
    const podSpec = entryAt(object.node, specPath)?.value;
    if (!isMap(podSpec)) continue;
    const containers = podSpec.entries.get('containers')?.value;
    if (!containers || containers.kind !== 'seq') continue;
    const { reason, replicas } = inactiveReason(object, where);
    for (const container of containers.items) {
      if (!isMap(container)) throw new InputError(`${where}: containers must be mappings`, container.pos);
      const containerName = stringAt(container, ['name']) ?? '';
      let serviceName = containers.items.length > 1 ? `${object.name}/${containerName}` : object.name;
      if (taken.has(serviceName)) serviceName = `${object.kind.toLowerCase()}/${serviceName}`;
      if (taken.has(serviceName) && object.namespace) serviceName = `${serviceName}@${object.namespace}`;
      taken.add(serviceName);
      const origin: ServiceOrigin = { kind: object.kind, workload: object.name, container: containerName, rawArgv: [], configMapKeys: new Map() };
      const environment = containerEnvironment(container, object.namespace, maps, `${where} container ${containerName}`, origin, budget);
      const lookup = (variable: string) => environment[variable]?.value ?? undefined;
      const commandEntry = container.entries.get('command');
      const argsEntry = container.entries.get('args');
      const command = stringList(commandEntry, `${where}: command`) ?? [];
      const args = stringList(argsEntry, `${where}: args`) ?? [];
      origin.rawArgv = [...command, ...args];
      const commandLocation = (argsEntry && args.length ? argsEntry : commandEntry)?.keyPos;
      const argv = origin.rawArgv.map((word) => expandAt(word, lookup, budget, commandLocation, `${where} container ${containerName}: $(VAR) in its command`));
      const image = stringAt(container, ['image']);
      const workingDir = stringAt(container, ['workingDir']);
      const service: DeploymentService = {
        name: serviceName,
        location: object.location,
        ...(argv.length && commandLocation ? { command: { argv, location: commandLocation } } : {}),
        environment,
        profiles: [],
        ...(reason ? { inactiveReason: reason } : {}),
        ...(replicas !== undefined ? { replicas } : {}),
        ...(image ? { image } : {}),
        code: { roots: [''], ...(workingDir ? { workingDir } : {}) },
      };
      services.push(service);
      origins.set(service, origin);
    }
  }
  return { environment: { name, source, files, profiles: [], services }, origins };
}

/** `envFrom` ConfigMaps (with their prefix), then `env` in order; `$(VAR)` in values expands from what came before. */
function containerEnvironment(
  container: YMap,
  namespace: string | undefined,
  maps: Map<string, ConfigMapData>,
  where: string,
  origin: ServiceOrigin,
  budget: ExpansionBudget,
): Record<string, EnvEntry> {
  const environment: Record<string, EnvEntry> = {};
  const findMap = (name: string) => maps.get(configMapKey(name, namespace)) ?? maps.get(configMapKey(name));
  const envFrom = container.entries.get('envFrom')?.value;
  if (envFrom && envFrom.kind === 'seq') {
    for (const item of envFrom.items) {
      if (!isMap(item)) continue;
      const prefix = stringAt(item, ['prefix']) ?? '';
      const mapName = stringAt(item, ['configMapRef', 'name']);
      // A Secret's keys are not read: its values never enter the model.
      if (mapName === undefined) continue;
      for (const [key, entry] of findMap(mapName)?.entries ?? []) {
        environment[prefix + key] = { value: entry.value, location: entry.location, unsetVariables: [] };
        origin.configMapKeys.set(prefix + key, { configMap: mapName, key });
      }
    }
  }
  const env = container.entries.get('env')?.value;
  if (env && !isNull(env)) {
    if (env.kind !== 'seq') throw new InputError(`${where}: env must be a list, not ${describeKind(env)}`, env.pos);
    for (const item of env.items) {
      if (!isMap(item)) throw new InputError(`${where}: env entries must be mappings`, item.pos);
      const variable = stringAt(item, ['name']);
      if (variable === undefined) throw new InputError(`${where}: env entries need a \`name\``, item.pos);
      const valueEntry = item.entries.get('value');
      const valueFrom = item.entries.get('valueFrom');
      const at = valueEntry?.keyPos ?? valueFrom?.keyPos ?? item.entries.get('name')!.keyPos;
      origin.configMapKeys.delete(variable);
      if (valueEntry && valueEntry.value.kind === 'scalar') {
        const raw = valueEntry.value.value === null ? '' : scalarText(valueEntry.value.value);
        const value = expandAt(raw, (name) => environment[name]?.value ?? undefined, budget, at, `${where}: $(VAR) in env ${variable}`);
        environment[variable] = { value, location: at, unsetVariables: [] };
        continue;
      }
      const mapRef = entryAt(valueFrom?.value, ['configMapKeyRef']);
      if (mapRef) {
        const mapName = stringAt(mapRef.value, ['name']);
        const key = stringAt(mapRef.value, ['key']);
        const found = mapName !== undefined && key !== undefined ? findMap(mapName)?.entries.get(key) : undefined;
        if (found) {
          environment[variable] = { value: found.value, location: found.location, unsetVariables: [] };
          origin.configMapKeys.set(variable, { configMap: mapName!, key: key! });
        } else environment[variable] = { value: null, location: at, unsetVariables: [] };
        continue;
      }
      // secretKeyRef, fieldRef, resourceFieldRef: set at run time, unknown here (a Secret is never read).
      environment[variable] = { value: valueFrom ? null : '', location: at, unsetVariables: [] };
    }
  }
  return environment;
}
