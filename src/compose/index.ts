import { InputError } from '../errors.js';
import type { ComposeOptions, ComposeProject } from './model.js';

export type * from './model.js';

/**
 * Reads a project's compose files as docker compose would and returns one merged model per environment.
 * Throws InputError (with a location) for invalid YAML, an invalid compose model, a missing extends file,
 * an extends cycle, an alias bomb, or a dir without a compose file.
 */
export function loadComposeProject(_options: ComposeOptions): ComposeProject {
  throw new InputError('compose loader not implemented yet');
}
