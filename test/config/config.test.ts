import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check.js';
import { resolveLive, resolveSmoke, resolveStatic } from '../../src/cli/stages.js';
import { loadProjectConfig, parseProjectConfig } from '../../src/config/index.js';
import { InputError } from '../../src/errors.js';
import { memoryFileSystem } from '../../src/fs.js';
import { SOURCE_NAMES, sourceById } from '../../src/sources/index.js';
import { fixture, runCli, runJson } from '../helpers/cli.js';

const FULL_YAML = `# receipts-doctor.config.yml
environments:
  prod:
    files: [docker-compose.yml, docker-compose.prod.yml]
    profiles: [workers]
  staging: deploy/compose.staging.yml
profiles: [jobs]
queueVariables: [QUEUES]
ignore: ["legacy/**", "scripts/*.py"]
includeTests: false
queues: [default, high]
envFiles: [.env.ci]
vars: { REPLICAS: 2, QUEUES: "high,default" }
live:
  redis: redis://127.0.0.1:6379/0
  backend: rq
  prefix: bull
  stuckAfter: 300
  environment: prod
smoke:
  url: http://127.0.0.1:8080
  body: { mode: full }
  syncPath: /api/v2/sync
  statusPath: /api/v2/sync/status
  diagnosticsPath: /api/v2/diag
  timeout: 30
rules:
  worker-queue-unused: off
  stale-worker: error
`;

/** The InputError a config text raises. */
function errorOf(text: string, file = 'receipts-doctor.config.yml'): InputError {
  try {
    parseProjectConfig(text, file);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('project config: valid files', () => {
  it('reads every supported key from YAML', () => {
    const config = parseProjectConfig(FULL_YAML, 'receipts-doctor.config.yml');
    expect(config).toEqual({
      environments: [
        { name: 'prod', files: ['docker-compose.yml', 'docker-compose.prod.yml'], profiles: ['workers'] },
        { name: 'staging', files: ['deploy/compose.staging.yml'] },
      ],
      profiles: ['jobs'],
      queueVariables: ['QUEUES'],
      ignore: ['legacy/**', 'scripts/*.py'],
      includeTests: false,
      queues: ['default', 'high'],
      envFiles: ['.env.ci'],
      vars: { REPLICAS: '2', QUEUES: 'high,default' },
      live: { redis: 'redis://127.0.0.1:6379/0', backend: 'rq', prefix: 'bull', stuckAfter: 300, environment: 'prod' },
      smoke: {
        url: 'http://127.0.0.1:8080',
        body: '{"mode":"full"}',
        syncPath: '/api/v2/sync',
        statusPath: '/api/v2/sync/status',
        diagnosticsPath: '/api/v2/diag',
        timeout: 30,
      },
      rules: { 'worker-queue-unused': 'off', 'stale-worker': 'error' },
    });
  });

  it('reads the same from JSON, and loads it from the project root', () => {
    const json = JSON.stringify({ $schema: './schema.json', queues: ['default'], rules: { 'failed-jobs': 'info' }, smoke: { body: '{"mode":"incremental"}' } }, null, 2);
    const fs = memoryFileSystem({ '/p/receipts-doctor.config.json': json, '/p/docker-compose.yml': 'services: {}\n' });
    expect(loadProjectConfig('/p', fs)).toEqual({
      file: 'receipts-doctor.config.json',
      queues: ['default'],
      rules: { 'failed-jobs': 'info' },
      smoke: { body: '{"mode":"incremental"}' },
    });
  });

  it('no config file → {}; an empty file → {}', () => {
    expect(loadProjectConfig('/p', memoryFileSystem({ '/p/compose.yaml': '' }))).toEqual({});
    expect(loadProjectConfig('/p', memoryFileSystem({ '/p/receipts-doctor.config.yaml': '# nothing yet\n' }))).toEqual({
      file: 'receipts-doctor.config.yaml',
    });
  });

  it('flags win over the config; the config fills what flags leave unset', () => {
    const config = parseProjectConfig(FULL_YAML, 'c.yml');
    const staticOptions = resolveStatic('/p', { queueVar: ['WORKER_QUEUES'], var: ['QUEUES=low'] }, config);
    expect(staticOptions.queueVariables).toEqual(['WORKER_QUEUES']);
    expect(staticOptions.vars).toEqual({ REPLICAS: '2', QUEUES: 'low' });
    expect(staticOptions.environments?.map((env) => env.name)).toEqual(['prod', 'staging']);
    expect(staticOptions.ignore).toEqual(['legacy/**', 'scripts/*.py']);
    expect(staticOptions.envFiles).toEqual([path.resolve('/p', '.env.ci')]);
    const live = resolveLive({ prefix: 'custom' }, config)!;
    expect(live).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379/0', backend: 'rq', prefix: 'custom', stuckAfterSeconds: 300, expectedQueues: ['default', 'high'], environment: 'prod' });
    const smoke = resolveSmoke({ timeout: '5' }, config)!;
    expect(smoke).toMatchObject({ url: 'http://127.0.0.1:8080', body: '{"mode":"full"}', syncPath: '/api/v2/sync', timeoutMs: 5000 });
  });
});

describe('project config: invalid files exit 2 at file:line', () => {
  it.each([
    ['an unknown top-level key', 'queues: [a]\nqueus: [b]\n', 2, /unknown key `queus`/],
    ['an unknown nested key', 'live:\n  redis: redis://x\n  stuck_after: 3\n', 3, /unknown key `stuck_after`/],
    ['a wrong type', 'queues: [default]\nincludeTests: "yes"\n', 2, /includeTests.*true or false/],
    ['a number where a list of strings is expected', 'ignore:\n  - a\n  - 3\n', 3, /ignore.*\[1\].*string/],
    ['an unknown rule id', 'rules:\n  queue-without-workers: off\n', 2, /unknown rule `queue-without-workers`/],
    ['a bad severity', 'rules:\n  stale-worker: fatal\n', 2, /rules\.stale-worker.*error, warning, info, off/],
    ['a bad backend', 'live:\n  backend: kombu\n', 2, /live\.backend/],
    ['a negative timeout', 'smoke:\n  timeout: -1\n', 2, /smoke\.timeout/],
    ['a body that is not JSON', 'smoke:\n  body: "{mode: full"\n', 2, /smoke\.body/],
    ['a url that is not http', 'smoke:\n  url: ftp://x\n', 2, /smoke\.url/],
    ['an environment without files', 'environments:\n  prod:\n    profiles: [a]\n', 3, /needs `files`/],
    ['an unknown environment key', 'environments:\n  prod:\n    files: [a.yml]\n    file: b.yml\n', 4, /unknown key `file`/],
    ['a duplicate key', 'queues: [a]\nqueues: [b]\n', 2, /duplicate key/],
    ['invalid YAML', 'queues: [a\nprofiles: b\n', undefined, /not valid YAML/],
    ['a list at the top', '- a\n- b\n', 1, /must be a mapping/],
  ])('%s', (_name, text, line, reason) => {
    const error = errorOf(text);
    expect(error.message).toMatch(reason);
    expect(error.location?.file).toBe('receipts-doctor.config.yml');
    if (line !== undefined) expect(error.location?.line).toBe(line);
  });

  it('JSON errors carry the line too', () => {
    const error = errorOf('{\n  "queues": ["a"],\n  "smoke": {\n    "timeout": "60"\n  }\n}\n', 'receipts-doctor.config.json');
    expect(error.message).toMatch(/smoke\.timeout must be a number/);
    expect(error.location).toMatchObject({ file: 'receipts-doctor.config.json', line: 4 });
    expect(errorOf('{"queues": ["a",]', 'receipts-doctor.config.json').message).toMatch(/not valid JSON/);
  });

  it('an alias bomb is an error, not a hang', () => {
    const lines = ['smoke:', '  body:', '    a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      const name = String.fromCharCode(97 + i);
      lines.push(`    ${name}: &${name} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    }
    const error = errorOf(lines.join('\n'));
    expect(error.message).toMatch(/smoke\.body is too large/);
    expect(error.location?.file).toBe('receipts-doctor.config.yml');
  });

  it('two config files in one root is an input error', () => {
    const fs = memoryFileSystem({ '/p/receipts-doctor.config.json': '{}', '/p/receipts-doctor.config.yml': '' });
    expect(() => loadProjectConfig('/p', fs)).toThrow(/keep only one/);
  });

  it('the CLI exits 2 with one `file:line:col: reason` line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-config-'));
    writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  worker:\n    image: w\n');
    writeFileSync(path.join(dir, 'receipts-doctor.config.yml'), 'queues: [default]\nlive:\n  redis: redis://127.0.0.1:1\n  prefx: bull\n');
    const result = await runCli(['static', dir]);
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/receipts-doctor\.config\.yml:4:3: unknown key `prefx`/);
  });
});

describe('project config: `sources` accepts the names `--source` accepts', () => {
  it('the aliases, in both forms (k8s, manifests, supervisor, fly.toml)', () => {
    const config = parseProjectConfig(
      'sources:\n  - k8s:prod=k8s/prod\n  - {source: manifests, path: deploy}\n  - supervisor=supervisord.conf\n  - {source: fly.toml, path: fly.toml, environment: edge}\n',
      'c.yml',
    );
    expect(config.sources).toEqual([
      { source: 'k8s', path: 'k8s/prod', environment: 'prod' },
      { source: 'manifests', path: 'deploy' },
      { source: 'supervisor', path: 'supervisord.conf' },
      { source: 'fly.toml', path: 'fly.toml', environment: 'edge' },
    ]);
    expect(config.sources!.map((declaration) => sourceById(declaration.source).id)).toEqual(['kubernetes', 'kubernetes', 'supervisord', 'fly']);
  });

  it('every name of the sources registry, ids and aliases, is accepted in both forms', () => {
    expect(SOURCE_NAMES).toEqual(expect.arrayContaining(['compose', 'kubernetes', 'kustomize', 'helm', 'procfile', 'systemd', 'supervisord', 'fly', 'k8s']));
    for (const name of SOURCE_NAMES) {
      expect(sourceById(name)).toBeDefined();
      expect(parseProjectConfig(`sources:\n  - ${JSON.stringify(`${name}=x`)}\n  - {source: ${JSON.stringify(name)}, path: x}\n`, 'c.yml').sources).toEqual([
        { source: name, path: 'x' },
        { source: name, path: 'x' },
      ]);
    }
  });

  it('an unknown name is an error at its line that lists every known name, aliases included', () => {
    const scalar = errorOf('queues: [a]\nsources:\n  - nomad=job.hcl\n');
    expect(scalar.message).toBe(`sources[0]: unknown source \`nomad\` (known: ${SOURCE_NAMES.join(', ')})`);
    expect(scalar.message).toContain(', k8s,');
    expect(scalar.location?.line).toBe(3);
    const mapping = errorOf('sources:\n  - {source: nomad, path: job.hcl}\n');
    expect(mapping.message).toBe(`sources[0].source must be one of ${SOURCE_NAMES.join(', ')}, got \`nomad\``);
    expect(mapping.location?.line).toBe(2);
  });

  it('`sources: ["k8s:prod=k8s/prod"]` in the config file reads the manifests, as `--source k8s:prod=k8s/prod` does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-config-alias-'));
    try {
      cpSync(fixture('sources', 'k8s'), dir, { recursive: true });
      const fromFlag = await runJson(['static', dir, '--source', 'k8s:prod=k8s/prod']);
      writeFileSync(path.join(dir, 'receipts-doctor.config.yml'), 'sources:\n  - k8s:prod=k8s/prod\n');
      const fromConfig = await runJson(['static', dir]);
      expect(fromConfig.stderr).toBe('');
      expect(fromConfig.exitCode).toBe(1);
      expect(fromConfig.report!.static!.environments.map((environment) => [environment.name, environment.source, environment.files])).toEqual([
        ['prod', 'kubernetes', ['k8s/prod/workers.yaml']],
      ]);
      expect(fromConfig.report!.findings).toEqual(fromFlag.report!.findings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('project config drives a real check', () => {
  it('live/smoke targets and rule overrides come from the config (off drops, a level changes severity)', async () => {
    const config = parseProjectConfig(
      'live:\n  redis: redis://127.0.0.1:1\nsmoke:\n  url: http://127.0.0.1:1\nrules:\n  live-unreachable: off\n  smoke-unreachable: warning\n',
      'c.yml',
    );
    const live = resolveLive({ connectTimeout: '300' }, config)!;
    const smoke = resolveSmoke({}, config)!;
    const report = await check({ failOn: 'error', live, smoke, ruleOverrides: config.rules! });
    expect(report.findings.map((finding) => [finding.rule, finding.severity])).toEqual([['smoke-unreachable', 'warning']]);
    expect(report.ok).toBe(true);
  });
});
