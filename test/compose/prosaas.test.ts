import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadComposeProject } from '../../src/sources/compose/index.js';
import { nodeFileSystem } from '../../src/fs.js';
import { InputError } from '../../src/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/prosaas');

describe('the prosaas fixture (the incident project)', () => {
  const project = loadComposeProject({ fs: nodeFileSystem, root: ROOT });
  const byName = Object.fromEntries(project.environments.map((environment) => [environment.name, environment]));

  it('has the environments default and prod', () => {
    expect(project.environments.map((environment) => [environment.name, environment.files])).toEqual([
      ['default', ['docker-compose.yml']],
      ['prod', ['docker-compose.yml', 'docker-compose.prod.yml']],
    ]);
  });

  it('locates the worker queues in each environment at the line that sets them', () => {
    expect(byName.default!.services.worker!.environment.RQ_QUEUES).toEqual({
      value: 'high,default,low,receipts_sync',
      location: { file: 'docker-compose.yml', line: 26, column: 7 },
      source: 'environment',
      unsetVariables: [],
    });
    expect(byName.prod!.services.worker!.environment.RQ_QUEUES!.location).toEqual({ file: 'docker-compose.prod.yml', line: 11, column: 7 });
    expect(byName.prod!.services.worker!.environment.REDIS_URL!.location.file).toBe('docker-compose.yml');
  });

  it('runs the worker command and two replicas in prod', () => {
    const worker = byName.prod!.services.worker!;
    expect(worker.command).toEqual({ value: 'python -m server.worker', location: { file: 'docker-compose.yml', line: 22, column: 5 } });
    expect(worker.replicas).toBe(2);
    expect(worker.buildContext).toBe('.');
    expect(byName.default!.services.worker!.replicas).toBeUndefined();
  });

  it('fails prod when API_TOKEN is unset (no .env), at the prod file line', () => {
    const withoutDotenv = { ...nodeFileSystem, exists: (file: string) => !file.endsWith('/.env') && nodeFileSystem.exists(file) };
    try {
      loadComposeProject({ fs: withoutDotenv, root: ROOT });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location).toMatchObject({ file: 'docker-compose.prod.yml', line: 6 });
    }
  });
});
