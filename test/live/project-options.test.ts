/**
 * `check` and the `live` command give the live stage the same project knowledge through liveOptionsForProject:
 * the queues the code enqueues to become expected, the BullMQ prefixes the code names are read unless --prefix
 * chose one, and drift compares with the environment picked from the static section.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { driftConfig, liveOptionsForProject } from '../../src/check.js';
import { nodeFileSystem } from '../../src/fs.js';
import type { LiveOptions } from '../../src/live/index.js';
import { runStatic } from '../../src/static.js';
import type { StaticSection } from '../../src/types.js';
import { fixture } from '../helpers/cli.js';

const LIVE: LiveOptions = { redisUrl: 'redis://127.0.0.1:1', backend: 'auto', expectedQueues: ['reports', 'mail'], stuckAfterSeconds: 120, connectTimeoutMs: 500 };

describe('liveOptionsForProject', () => {
  let section: StaticSection;
  beforeAll(async () => {
    // `new Queue('mail', { prefix: 'app' })` in the code; the compose worker consumes `mail`.
    section = (await runStatic({ fs: nodeFileSystem, root: fixture('scenarios', 'connection-mismatch-bullmq') })).section;
  });

  it('expects the queues the code enqueues to, after --queue and before the others given, each once; reads the code\'s BullMQ prefix; compares with the picked environment', () => {
    const drift = driftConfig(section, undefined)!;
    expect(drift).toMatchObject({ environment: 'default', reason: 'there is no prod/production environment' });
    const options = liveOptionsForProject(LIVE, section, drift, ['default', 'mail']);
    expect(options).toEqual({ ...LIVE, expectedQueues: ['reports', 'mail', 'default'], codePrefixes: ['app'], config: drift });
    expect(LIVE.expectedQueues).toEqual(['reports', 'mail']);
  });

  it('--prefix wins over the code\'s prefixes; no drift environment, no comparison', () => {
    const options = liveOptionsForProject({ ...LIVE, prefix: 'custom' }, section, undefined);
    expect(options).toEqual({ ...LIVE, prefix: 'custom', expectedQueues: ['reports', 'mail'] });
  });

  it('without a project: only the queues given', () => {
    expect(liveOptionsForProject(LIVE, undefined, undefined, ['default'])).toEqual({ ...LIVE, expectedQueues: ['reports', 'mail', 'default'] });
  });
});
