import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadComposeProject } from '../../src/sources/compose/index.js';
import type { ServiceModel } from '../../src/sources/compose/model.js';
import { nodeFileSystem } from '../../src/fs.js';

/**
 * Differential tests against the reference: docker-compose 1.29 renders `config` without an engine.
 * Only features where 1.29 and compose v2 agree are used here (no !reset/!override/include, no `:+`,
 * no nested defaults); those are unit-tested against compose-go's rules instead.
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose');

const PROJECTS: { dir: string; files: string[] }[] = [
  { dir: 'merge', files: ['docker-compose.yml', 'docker-compose.prod.yml'] },
  { dir: 'interpolation', files: ['docker-compose.yml'] },
  { dir: 'env-file', files: ['docker-compose.yml'] },
  { dir: 'extends', files: ['docker-compose.yml'] },
  { dir: 'anchors', files: ['docker-compose.yml'] },
  { dir: 'bare-keys-profiles', files: ['docker-compose.yml', 'docker-compose.jobs.yml'] },
  { dir: '../prosaas', files: ['docker-compose.yml'] },
  { dir: '../prosaas', files: ['docker-compose.yml', 'docker-compose.prod.yml'] },
];

interface Effective {
  command: unknown;
  entrypoint: unknown;
  environment: Record<string, string | null>;
  profiles: string[];
  replicas: number | null;
}

/** `docker-compose config` escapes `$` as `$$` in its output; undo that. */
function unescape(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$$', '$');
  if (Array.isArray(value)) return value.map(unescape);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescape(v)]));
  return value;
}

function referenceConfig(dir: string, files: string[]): Record<string, Effective> {
  let output: string;
  try {
    output = execFileSync('docker-compose', [...files.flatMap((file) => ['-f', file]), '--project-directory', '.', 'config'], {
      cwd: dir,
      // A clean environment: docker-compose always reads the shell, the loader only with shellEnv.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('docker-compose (1.29, Debian package docker-compose) is required for the differential compose tests');
    }
    throw error;
  }
  const config = unescape(parse(output)) as { services: Record<string, Record<string, unknown>> };
  return Object.fromEntries(
    Object.entries(config.services).map(([name, service]) => [
      name,
      {
        command: service.command ?? null,
        entrypoint: service.entrypoint ?? null,
        environment: (service.environment as Record<string, string | null> | undefined) ?? {},
        // 1.29 sorts merged profiles; compose v2 keeps first-seen order. Compare them as sets.
        profiles: [...((service.profiles as string[] | undefined) ?? [])].sort(),
        replicas: (service.deploy as { replicas?: number } | undefined)?.replicas ?? null,
      },
    ]),
  );
}

function loaderConfig(dir: string, files: string[]): Record<string, Effective> {
  const project = loadComposeProject({ fs: nodeFileSystem, root: dir, environments: [{ name: 'under-test', files }] });
  const effective = (service: ServiceModel): Effective => ({
    command: service.command?.value ?? null,
    entrypoint: service.entrypoint?.value ?? null,
    environment: Object.fromEntries(Object.entries(service.environment).map(([key, entry]) => [key, entry.value])),
    profiles: [...service.profiles].sort(),
    replicas: service.replicas ?? null,
  });
  return Object.fromEntries(Object.entries(project.environments[0]!.services).map(([name, service]) => [name, effective(service)]));
}

describe('compose loader vs docker-compose config', () => {
  it.each(PROJECTS)('$dir $files: same effective command, entrypoint, environment, profiles, replicas', ({ dir, files }) => {
    const root = path.join(FIXTURES, dir);
    const reference = referenceConfig(root, files);
    expect(Object.keys(reference).length).toBeGreaterThan(0);
    expect(loaderConfig(root, files)).toEqual(reference);
  });
});
