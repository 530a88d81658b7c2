import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { DeploymentSource } from '../source.js';

/** Helm output larger than this on stdin is refused (rendered charts are KiBs to a few MiB). */
const MAX_STDIN_BYTES = 10 * 1024 * 1024;

/**
 * Helm charts, as their rendered output (`helm template … > rendered.yaml`, or `-` for stdin): read as Kubernetes
 * manifests. Charts are not rendered here (no helm binary is bundled), so nothing is discovered.
 */
export const helmSource: DeploymentSource = {
  id: 'helm',
  looksFor: '',
  detect: () => false,
  load: async () => [],
  async loadDeclared(fs, root, declaration, options) {
    const [{ declaredManifests }, { manifestEnvironment, parseManifests }] = await Promise.all([
      import('../kubernetes/discover.js'),
      import('../kubernetes/manifests.js'),
    ]);
    const name = declaration.environment ?? 'default';
    if (declaration.path === '-') {
      if (!options.readStdin) throw new InputError('--source helm=-: stdin is not available here');
      const text = await options.readStdin();
      if (Buffer.byteLength(text) > MAX_STDIN_BYTES) throw new InputError(`rendered manifests on stdin are larger than ${MAX_STDIN_BYTES / 1024 / 1024} MiB`);
      return [manifestEnvironment(name, 'helm', ['<stdin>'], parseManifests(text, '<stdin>')).environment];
    }
    return [declaredManifests(fs, root, path.posix.normalize(declaration.path).replace(/\/$/, '') || '.', name, 'helm')];
  },
};
