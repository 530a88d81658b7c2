import { loadComposeProject } from '../../src/sources/compose/index.js';
import type { ComposeOptions, ComposeProject, ServiceModel } from '../../src/sources/compose/model.js';
import { InputError } from '../../src/errors.js';
import { memoryFileSystem } from '../../src/fs.js';

export const ROOT = '/project';

/** Loads an in-memory project whose files are given relative to ROOT. */
export function load(files: Record<string, string>, options: Partial<Omit<ComposeOptions, 'fs' | 'root'>> = {}): ComposeProject {
  const absolute = Object.fromEntries(Object.entries(files).map(([name, text]) => [name.startsWith('/') ? name : `${ROOT}/${name}`, text]));
  return loadComposeProject({ fs: memoryFileSystem(absolute), root: ROOT, ...options });
}

export function service(project: ComposeProject, environment: string, name: string): ServiceModel {
  const found = project.environments.find((env) => env.name === environment)?.services[name];
  if (!found) throw new Error(`no service ${name} in ${environment}`);
  return found;
}

/** The InputError thrown by `run` (fails the test when none is thrown). */
export function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

export const env = (model: ServiceModel): Record<string, string | null> =>
  Object.fromEntries(Object.entries(model.environment).map(([key, entry]) => [key, entry.value]));
