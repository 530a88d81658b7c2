import { splitShellWords } from '../../shell-words.js';
import type { DeploymentEnvironment, DeploymentService, EnvEntry } from '../../model.js';
import type { ComposeEnvironment, ServiceModel } from './model.js';

/** Why a compose service does not run in an environment: no active profile of its own, `deploy.replicas: 0`, `scale: 0`. */
export function inactiveReason(service: ServiceModel, activeProfiles: string[]): string | undefined {
  // `--profile '*'` activates every profile, as in docker compose.
  const allProfiles = activeProfiles.includes('*');
  if (service.profiles.length > 0 && !allProfiles && !service.profiles.some((profile) => activeProfiles.includes(profile))) {
    return `its profile${service.profiles.length > 1 ? 's' : ''} ${service.profiles.map((p) => `\`${p}\``).join(', ')} ${service.profiles.length > 1 ? 'are' : 'is'} not active`;
  }
  if (service.replicas === 0) return 'it has `deploy.replicas: 0`';
  if (service.scale === 0) return 'it has `scale: 0`';
  return undefined;
}

/** Exec form as is; shell form split into words as compose does (it does not run a shell). */
const words = (value: string | string[]): string[] => (typeof value === 'string' ? splitShellWords(value) : value);

/** `build.context` as a project-relative code root: './backend/' → 'backend', '.' → ''. */
const codeRoot = (dir: string): string => dir.replace(/^\.\/?/, '').replace(/\/$/, '');

/**
 * The project dirs a service's code comes from: its build context and bind mounts, then the root. A service with
 * neither (an `image: redis:7` with an `env_file`) runs none of the project's code: no roots (static.ts gives it
 * the root back when its command names a project file, as `image: app` + `python manage.py rqworker` does).
 */
function serviceRoots(service: ServiceModel): string[] {
  const own = [...(service.buildContext !== undefined ? [service.buildContext] : []), ...(service.codeMounts ?? [])];
  if (own.length === 0) return [];
  return [...new Set([...own.map(codeRoot), ''])];
}

/** One compose service in the source-neutral shape, given the profiles active in its environment. */
export function composeService(service: ServiceModel, activeProfiles: string[]): DeploymentService {
  const argv = [...(service.entrypoint ? words(service.entrypoint.value) : []), ...(service.command ? words(service.command.value) : [])];
  const commandLocation = service.command?.location ?? service.entrypoint?.location;
  const environment: Record<string, EnvEntry> = {};
  for (const [name, entry] of Object.entries(service.environment)) {
    environment[name] = {
      value: entry.value,
      location: entry.location,
      unsetVariables: entry.unsetVariables,
      ...(entry.source === 'env_file' ? { fromEnvFile: true } : {}),
    };
  }
  const reason = inactiveReason(service, activeProfiles);
  const replicas = service.replicas ?? service.scale;
  return {
    name: service.name,
    location: service.location,
    ...(argv.length && commandLocation ? { command: { argv, location: commandLocation } } : {}),
    environment,
    profiles: service.profiles,
    ...(reason ? { inactiveReason: reason } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    ...(service.image ? { image: service.image } : {}),
    code: {
      roots: serviceRoots(service),
      ...(service.workingDir ? { workingDir: service.workingDir } : {}),
    },
  };
}

/** A merged compose environment in the source-neutral shape. */
export function composeEnvironment(environment: ComposeEnvironment): DeploymentEnvironment {
  return {
    name: environment.name,
    source: 'compose',
    files: environment.files,
    profiles: environment.profiles,
    services: Object.values(environment.services).map((service) => composeService(service, environment.profiles)),
  };
}
