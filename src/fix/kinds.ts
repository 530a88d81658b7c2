import { composeCommandKind } from './compose-command.js';
import { composeEnvironmentKind } from './compose-environment.js';
import { envFileKind } from './dotenv-line.js';
import { flyCommandKind } from './fly-command.js';
import { kubernetesCommandKind } from './kubernetes-command.js';
import { kubernetesEnvKind } from './kubernetes-env.js';
import { procfileCommandKind } from './procfile-command.js';
import { sidekiqYamlKind } from './sidekiq-yaml.js';
import type { QueueEditKind } from './types.js';

/**
 * The places a worker's queue list can be written in, tried in order; the first kind that recognises the consumer
 * decides. A deployment source with its own places adds its kind here as one file.
 */
export const QUEUE_EDIT_KINDS: QueueEditKind[] = [
  envFileKind,
  composeEnvironmentKind,
  composeCommandKind,
  kubernetesEnvKind,
  kubernetesCommandKind,
  procfileCommandKind,
  flyCommandKind,
  sidekiqYamlKind,
];
