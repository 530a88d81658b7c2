import { InputError } from '../errors.js';
import { matchEnvironmentName } from '../sources/environment-name.js';

/**
 * `--environment` (or the config's `live.environment`) names the environment whose configuration the live workers
 * are compared with. These checks are CLI input validation: they run before any network stage, whether or not a
 * live stage runs, so a typo never passes silently.
 */

/** Without a project dir there are no environments to choose from: the option cannot mean anything. */
export function assertEnvironmentHasProject(requested: string | undefined, root: string | undefined): void {
  if (requested !== undefined && root === undefined) {
    throw new InputError(
      `--environment ${requested} needs a project dir: it chooses which environment's configuration the live workers are compared with.`,
    );
  }
}

/**
 * An environment the project does not have is an input error that lists the ones it has. An unprefixed name
 * (`prod`) matches a prefixed one (`kustomize:prod`) when it is unique; an ambiguous one is an input error too.
 */
export function assertKnownEnvironment(names: readonly string[], requested: string | undefined): void {
  if (requested === undefined || matchEnvironmentName([...names], requested) !== undefined) return;
  throw new InputError(`--environment ${requested}: no such environment (have: ${names.join(', ') || 'none'}).`);
}
