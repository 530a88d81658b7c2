import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, REPO_ROOT, runJson } from './helpers/cli.js';
import { analyzeRuby } from '../src/languages/ruby/analyzer.js';
import { Resolver } from '../src/languages/resolver.js';
import type { SidekiqRedisConfig } from '../src/frameworks/sidekiq/initializer.js';
import { sidekiqSideEndpoint } from '../src/frameworks/sidekiq/redis-endpoint.js';
import type { DeploymentService, EnvEntry } from '../src/model.js';

const INITIALIZER = 'config/initializers/sidekiq.rb';

/** What this tool computes for a side of an initializer in an environment (null: unreadable). */
function ours(text: string, side: 'server' | 'client', env: Record<string, string>) {
  const facts = analyzeRuby(text);
  const configs = ((facts.frameworks?.['sidekiq'] as { redis?: SidekiqRedisConfig[] } | undefined)?.redis ?? []).map((config) => ({ file: INITIALIZER, config }));
  const environment: Record<string, EnvEntry> = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, { value } as EnvEntry]));
  const resolver = new Resolver({ has: (file) => file === INITIALIZER }, (file) => (file === INITIALIZER ? facts : null));
  const endpoint = sidekiqSideEndpoint(configs, side, { name: 'svc', environment } as DeploymentService, (file, value) => resolver.resolveSymbolic(file, value));
  return endpoint ? { host: endpoint.host, port: endpoint.port, db: endpoint.db } : endpoint;
}

/** What the real Sidekiq 6.4 connects to; no ruby or sidekiq gem fails here, loudly. */
function real(path: string, side: 'server' | 'client', env: Record<string, string>) {
  const output = execFileSync('ruby', ['test/helpers/sidekiq-redis.rb', side, path], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { host: string; port: string; db: string };
}

function composeEnvironment(project: string, service: string): Record<string, string> {
  const compose = parse(readFileSync(fixture('scenarios', project, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment: Record<string, string> }> };
  return compose.services[service]!.environment;
}

describe.each(['rails-sidekiq-initializer-mismatch', 'rails-sidekiq-initializer-fixed'])('fixtures/scenarios/%s: each side as Sidekiq 6.4 computes it', (project) => {
  it.each([
    ['client', 'web'],
    ['server', 'sidekiq'],
  ] as const)('the %s side in service %s', (side, service) => {
    const path = fixture('scenarios', project, INITIALIZER);
    const env = composeEnvironment(project, service);
    expect(ours(readFileSync(path, 'utf8'), side, env)).toEqual(real(path, side, env));
  });
});

describe('Sidekiq.configure_server/client shapes, checked against the real Sidekiq 6.4', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidekiq-initializer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let written = 0;
  const cases: [string, string, 'server' | 'client', Record<string, string>][] = [
    ['url literal and db in a brace block', `Sidekiq.configure_client { |config| config.redis = { url: 'redis://cache:6380/0', db: 3 } }`, 'client', {}],
    ['ENV[...] with the variable set', `Sidekiq.configure_server do |c|\n  c.redis = { url: ENV['JOBS_REDIS_URL'] }\nend`, 'server', { JOBS_REDIS_URL: 'redis://jobs:6379/4' }],
    ['ENV.fetch default when unset', `Sidekiq.configure_server do |config|\n  config.redis = { url: ENV.fetch('REDIS_URL', 'redis://localhost:6379/1') }\nend`, 'server', {}],
    ['hash-rocket keys', `Sidekiq.configure_client do |config|\n  config.redis = { :url => 'redis://r:6379/0', :db => 5 }\nend`, 'client', {}],
    ['a constant URL', `JOBS = 'redis://q:6379/7'\nSidekiq.configure_server { |config| config.redis = { url: JOBS } }`, 'server', {}],
    ['no url: REDIS_PROVIDER names the variable', `Sidekiq.configure_server { |config| config.redis = { db: 2, network_timeout: 5 } }`, 'server', { REDIS_PROVIDER: 'REDISCLOUD_URL', REDISCLOUD_URL: 'redis://cloud:1234/0', REDIS_URL: 'redis://other:6379/0' }],
    ['no url: REDIS_URL', `Sidekiq.configure_client { |config| config.redis = { size: 5 } }`, 'client', { REDIS_URL: 'redis://plain:6379/6' }],
    ['the server block only: the client side is untouched', `Sidekiq.configure_server { |config| config.redis = { url: 'redis://s:6379/1' } }\nSidekiq.configure_client { |config| config.redis = { url: 'redis://c:6379/2' } }`, 'client', {}],
  ];
  it.each(cases)('%s', (_name, text, side, env) => {
    const path = join(dir, `initializer-${written++}.rb`);
    writeFileSync(path, `require 'sidekiq'\n${text}\n`);
    const computed = ours(text, side, env);
    expect(computed).toBeTruthy();
    expect(computed).toEqual(real(path, side, env));
  });

  it.each([
    ['a hash built elsewhere', `Sidekiq.configure_server { |config| config.redis = REDIS_OPTIONS }`, {}],
    ['sentinels', `Sidekiq.configure_server { |config| config.redis = { url: 'redis://mymaster', sentinels: SENTINELS } }`, {}],
    ['host: instead of url:', `Sidekiq.configure_server { |config| config.redis = { host: 'r', port: 6380 } }`, {}],
    ['a splat', `Sidekiq.configure_server { |config| config.redis = { **BASE, db: 1 } }`, {}],
    ['ENV[...] unset with no default', `Sidekiq.configure_server { |config| config.redis = { url: ENV['JOBS_URL'] } }`, {}],
    ['a db computed at run time', `Sidekiq.configure_server { |config| config.redis = { url: 'redis://r:6379/0', db: shard_db } }`, {}],
    ['two server blocks (one per environment)', `if Rails.env.production?\n  Sidekiq.configure_server { |c| c.redis = { url: 'redis://a:6379/1' } }\nelse\n  Sidekiq.configure_server { |c| c.redis = { url: 'redis://b:6379/2' } }\nend`, {}],
  ])('unreadable, so nothing is compared: %s', (_name, text, env) => {
    expect(ours(text, 'server', env)).toBeNull();
  });

  it('a side without a block leaves the service environment to decide', () => {
    expect(ours(`Sidekiq.configure_client { |config| config.redis = { url: 'redis://c:6379/2' } }`, 'server', {})).toBeUndefined();
  });
});

describe('connection-mismatch from a Rails initializer', () => {
  it('reports the databases of both sides, at the server block, with the client block as related', async () => {
    const result = await runJson(['static', fixture('scenarios', 'rails-sidekiq-initializer-mismatch')]);
    const findings = result.report!.findings.filter((finding) => finding.rule === 'connection-mismatch');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('Redis (db): redis:6379, db 2 vs redis:6379, db 1.');
    expect(findings[0]!.location).toEqual({ file: INITIALIZER, line: 5, column: 10 });
    expect(findings[0]!.related?.[0]).toMatchObject({ file: INITIALIZER, line: 9 });
  });
});
