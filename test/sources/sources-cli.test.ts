/**
 * Every deployment source end to end through the built CLI: the incident (a prod worker that lacks the `default`
 * queue the code enqueues to) is a queue-without-worker in that environment, pointing at the file and line that
 * set the worker's queues; a healthy project of each source is clean. kustomize overlays are rendered by the real
 * `kubectl kustomize`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Finding, Report } from '../../src/types.js';
import { fixture, runCli, runJson } from '../helpers/cli.js';
import { startRqWorker, type RqWorker } from '../helpers/rq.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const KUBECTL = '/usr/bin/kubectl';

const source = (name: string) => fixture('sources', name);
const byRule = (report: Report | undefined, rule: string): Finding[] => (report?.findings ?? []).filter((finding) => finding.rule === rule);
const consumer = (report: Report | undefined, environment: string, service: string): Consumer | undefined =>
  report?.static?.consumers.find((candidate) => candidate.environment === environment && candidate.service === service);

/** The incident: exactly one queue-without-worker, for `default` in `environment`, whose hint names `where`. */
function expectIncident(report: Report | undefined, environment: string, where: string): Finding {
  const findings = byRule(report, 'queue-without-worker');
  expect(findings.map((finding) => [finding.queue, finding.environment])).toEqual([['default', environment]]);
  // At the enqueue (`queue.enqueue(…)`, line 9), with the `get_queue` construction (line 8) as related.
  expect(findings[0]!.location).toMatchObject({ file: 'receipts/tasks.py', line: 9 });
  expect(findings[0]!.hint).toContain(where);
  return findings[0]!;
}

async function expectClean(args: string[], options: Parameters<typeof runJson>[1] = {}): Promise<Report> {
  const result = await runJson(args, options);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  expect(result.report!.findings).toEqual([]);
  return result.report!;
}

describe('kubectl is present for the kustomize tests', () => {
  it(`${KUBECTL} exists (install kubectl: the kustomize source renders with it)`, () => {
    expect(existsSync(KUBECTL), `${KUBECTL} is missing`).toBe(true);
  });
});

describe('Procfile', () => {
  it('Procfile.prod whose worker lacks `default`: queue-without-worker in `prod` at its line', async () => {
    const { exitCode, report } = await runJson(['static', source('procfile')]);
    expect(exitCode).toBe(1);
    expect(report!.static!.environments.map((environment) => [environment.name, environment.source, environment.files])).toEqual([
      ['default', 'procfile', ['Procfile']],
      ['prod', 'procfile', ['Procfile.prod']],
    ]);
    expectIncident(report, 'prod', 'Procfile.prod:3');
    expect(consumer(report, 'prod', 'worker')).toMatchObject({ queues: ['high'], location: { file: 'Procfile.prod', line: 3 } });
    // `release:` and `web:` run no worker.
    expect(report!.static!.consumers.map((c) => c.service)).toEqual(['worker', 'worker']);
  });

  it('a healthy Procfile (a worker behind sh -c) is clean', async () => {
    const report = await expectClean(['static', source('procfile-healthy')]);
    expect(consumer(report, 'default', 'worker')?.queues).toEqual(['high', 'default']);
  });
});

describe('Kubernetes manifests', () => {
  it('per-environment dirs: prod scaled its default worker to zero (replicas: 0)', async () => {
    const { exitCode, report } = await runJson(['static', source('k8s')]);
    expect(exitCode).toBe(1);
    expect(report!.static!.environments.map((environment) => [environment.name, environment.source])).toEqual([
      ['prod', 'kubernetes'],
      ['staging', 'kubernetes'],
    ]);
    const finding = expectIncident(report, 'prod', 'k8s/prod/workers.yaml:16');
    expect(finding.related?.map((related) => related.message)).toContain(
      'Service `worker-default` in environment `prod` listens to `default` but does not run (it has `replicas: 0`).',
    );
    expect(byRule(report, 'worker-inactive').map((f) => [f.environment, f.service, f.location?.file, f.location?.line])).toEqual([
      ['prod', 'worker-default', 'k8s/prod/workers.yaml', 22],
    ]);
    // staging: `$(QUEUE)` from a configMapKeyRef, the init container is no worker, the Secret is never read.
    expect(consumer(report, 'staging', 'worker-default')).toMatchObject({ queues: ['default'], location: { file: 'k8s/staging/workers.yaml', line: 30 } });
    expect(report!.static!.consumers.some((c) => c.service.includes('wait-for-redis'))).toBe(false);
  });

  it('a healthy StatefulSet (envFrom a ConfigMap, sh -c) with a CronJob and a sidecar is clean', async () => {
    const report = await expectClean(['static', source('k8s-healthy')]);
    expect(report.static!.environments[0]!.services).toEqual(['nightly-report', 'worker/metrics', 'worker/worker']);
    expect(consumer(report, 'default', 'worker/worker')).toMatchObject({
      queues: ['high', 'default'],
      variable: 'RQ_QUEUES',
      location: { file: 'k8s/worker.yaml', line: 6 },
    });
  });
});

describe('kustomize overlays (rendered by kubectl kustomize)', () => {
  it('the prod overlay merges RQ_QUEUES=high into the generated ConfigMap: found at the overlay literal', async () => {
    const { exitCode, report, stdout } = await runJson(['static', source('kustomize')]);
    expect(exitCode).toBe(1);
    expect(report!.static!.environments.map((environment) => [environment.name, environment.source, environment.files[0]])).toEqual([
      ['prod', 'kustomize', 'deploy/overlays/prod/kustomization.yaml'],
      ['staging', 'kustomize', 'deploy/overlays/staging/kustomization.yaml'],
    ]);
    expectIncident(report, 'prod', 'deploy/overlays/prod/kustomization.yaml:13');
    expect(consumer(report, 'staging', 'worker')).toMatchObject({
      queues: ['high', 'default'],
      location: { file: 'deploy/base/kustomization.yaml', line: 12 },
      serviceLocation: { file: 'deploy/base/worker.yaml', line: 4 },
    });
    // secretGenerator inputs are never read, so never printed.
    expect(stdout).not.toContain('do-not-print-me');
  });

  it('a healthy overlay (namePrefix, an args patch) is clean and points at the patch that sets the queues', async () => {
    const report = await expectClean(['static', source('kustomize-healthy')]);
    expect(consumer(report, 'prod', 'prod-worker')).toMatchObject({
      queues: ['high', 'default'],
      queueSource: 'command',
      location: { file: 'deploy/overlays/prod/worker-args.yaml', line: 11 },
      serviceLocation: { file: 'deploy/base/worker.yaml', line: 4 },
    });
  });

  it('--source kustomize=DIR renders just that overlay', async () => {
    const { report } = await runJson(['static', source('kustomize'), '--source', 'kustomize=deploy/overlays/staging']);
    expect(report!.static!.environments.map((environment) => environment.name)).toEqual(['staging']);
    expect(report!.ok).toBe(true);
  });

  it('without kubectl: one clear line naming the overlay, exit 2, no guess', async () => {
    const result = await runCli(['static', source('kustomize')], { env: { PATH: '/nonexistent' } });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/deploy\/overlays\/prod\/kustomization\.yaml:1: rendering a kustomize overlay needs kubectl/);
  });

  it('a remote base is refused (the static stage reads only project files)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-kustomize-remote-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - github.com/example/receipts//deploy/base?ref=v1\n');
      const result = await runCli(['static', dir]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/kustomization\.yaml:2:5: remote resource `github\.com\/example/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Helm (rendered output)', () => {
  it('--source helm:prod=FILE reads `helm template` output', async () => {
    const { exitCode, report } = await runJson(['static', source('helm'), '--source', 'helm:prod=rendered-prod.yaml']);
    expect(exitCode).toBe(1);
    expect(report!.static!.environments.map((environment) => [environment.name, environment.source])).toEqual([['prod', 'helm']]);
    expectIncident(report, 'prod', 'rendered-prod.yaml:35');
  });

  it('--source helm=- reads it from stdin; a healthy chart is clean', async () => {
    const { readFileSync } = await import('node:fs');
    const input = readFileSync(join(source('helm'), 'rendered-healthy.yaml'), 'utf8');
    const report = await expectClean(['static', source('helm'), '--source', 'helm=-'], { input });
    expect(consumer(report, 'default', 'receipts-worker-all')).toMatchObject({ queues: ['high', 'default'], location: { file: '<stdin>', line: 35 } });
  });
});

describe('systemd, supervisord, fly.toml', () => {
  it('systemd: the worker unit lacks `default` (Environment= expanded into ExecStart=, a continued line)', async () => {
    const { exitCode, report } = await runJson(['static', source('systemd')]);
    expect(exitCode).toBe(1);
    expect(report!.static!.environments[0]).toMatchObject({ name: 'default', source: 'systemd' });
    expectIncident(report, 'default', 'deploy/systemd/receipts-worker.service:11');
    expect(consumer(report, 'default', 'receipts-worker')?.queues).toEqual(['high', 'low']);
  });

  it('systemd: a healthy unit (EnvironmentFile= found in the project, the @ prefix, quoting) is clean', async () => {
    const report = await expectClean(['static', source('systemd-healthy')]);
    expect(consumer(report, 'default', 'receipts-worker')?.queues).toEqual(['high', 'default']);
  });

  it('supervisord: the default worker has numprocs=0 (an included conf.d file)', async () => {
    const { exitCode, report } = await runJson(['static', source('supervisord')]);
    expect(exitCode).toBe(1);
    expectIncident(report, 'default', 'supervisord.conf:10');
    expect(byRule(report, 'worker-inactive').map((f) => [f.service, f.location?.file])).toEqual([['default-worker', 'conf.d/default-worker.conf']]);
  });

  it('supervisord: a healthy program (continuation lines, %(program_name)s) is clean', async () => {
    const report = await expectClean(['static', source('supervisord-healthy')]);
    expect(consumer(report, 'default', 'worker')?.queues).toEqual(['high', 'default']);
  });

  it('fly.toml: the worker process lacks `default`', async () => {
    const { exitCode, report } = await runJson(['static', source('fly')]);
    expect(exitCode).toBe(1);
    expectIncident(report, 'default', 'fly.toml:14');
  });

  it('fly.toml: a healthy app is clean', async () => {
    await expectClean(['static', source('fly-healthy')]);
  });
});

describe('compose without a base file', () => {
  it('docker-compose.dev.yml and docker-compose.prod.yml are the environments dev and prod, each standalone', async () => {
    const { exitCode, report } = await runJson(['static', source('compose-no-base')]);
    expect(exitCode).toBe(1);
    expect(report!.static!.environments.map((environment) => [environment.name, environment.files])).toEqual([
      ['dev', ['docker-compose.dev.yml']],
      ['prod', ['docker-compose.prod.yml']],
    ]);
    expectIncident(report, 'prod', 'docker-compose.prod.yml:7');
  });

  it('a dir with no deployment source at all exits 2 naming what was looked for', async () => {
    const result = await runCli(['static', fixture('bad', 'no-compose')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no deployment files in this directory \(looked for compose\.yaml.*Procfile.*\*\.service.*fly\.toml\)/);
  });
});

describe("the application's own rqworker override", () => {
  it('`manage.py rqworker` with no queues listens to what the app overrides it to (high, default, low)', async () => {
    const report = await expectClean(['static', source('rqworker-override')]);
    expect(consumer(report, 'default', 'receipts-worker')).toMatchObject({
      queues: ['high', 'default', 'low'],
      queueSource: 'code-default',
      location: { file: 'core/management/commands/rqworker.py', line: 7 },
    });
  });

  it('the same chart without the override listens to `default` only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-no-override-'));
    try {
      const { cpSync } = await import('node:fs');
      cpSync(source('rqworker-override'), dir, { recursive: true });
      rmSync(join(dir, 'core'), { recursive: true });
      const { report } = await runJson(['static', dir]);
      expect(byRule(report, 'queue-without-worker').map((f) => f.queue)).toEqual(['high', 'low']);
      expect(consumer(report, 'default', 'receipts-worker')).toMatchObject({ queues: ['default'], queueSource: 'program-default' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('several kinds of source in one project', () => {
  let dir: string;
  beforeAll(async () => {
    const { cpSync } = await import('node:fs');
    dir = mkdtempSync(join(tmpdir(), 'rd-mixed-'));
    cpSync(source('kustomize'), dir, { recursive: true });
    cpSync(join(source('procfile'), 'Procfile'), join(dir, 'Procfile'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names carry the source as a prefix', async () => {
    const { report } = await runJson(['static', dir]);
    expect(report!.static!.environments.map((environment) => environment.name)).toEqual(['kustomize:prod', 'kustomize:staging', 'procfile:default']);
    expect(byRule(report, 'queue-without-worker').map((f) => f.environment)).toEqual(['kustomize:prod']);
  });

  it('sources declared in the config file replace discovery', async () => {
    writeFileSync(join(dir, 'receipts-doctor.config.yaml'), 'sources:\n  - procfile=Procfile\n  - {source: kustomize, path: deploy/overlays/staging}\n');
    try {
      const { report } = await runJson(['static', dir]);
      expect(report!.static!.environments.map((environment) => environment.name)).toEqual(['procfile:default', 'kustomize:staging']);
      expect(report!.ok).toBe(true);
    } finally {
      rmSync(join(dir, 'receipts-doctor.config.yaml'));
    }
  });

  it('an unknown --source kind is an input error listing the known ones', async () => {
    const result = await runCli(['static', dir, '--source', 'nomad=job.hcl']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown deployment source `nomad` \(known: compose, kustomize, kubernetes, helm, procfile, systemd, supervisord, fly\)/);
  });

  describe('check --environment prod --redis compares the prod overlay with the live workers', () => {
    let redis: RedisServer;
    let worker: RqWorker;
    beforeAll(async () => {
      redis = await startRedis();
      // Live workers started from an older config: `high` only.
      worker = await startRqWorker({ redisUrl: redis.url, queues: ['high'] });
    }, 60_000);
    afterAll(async () => {
      await worker?.stop();
      await redis?.stop();
    });

    it('`prod` matches the unprefixed name; config-live-drift for `default` in kustomize:prod', async () => {
      const { cpSync } = await import('node:fs');
      const healthy = mkdtempSync(join(tmpdir(), 'rd-drift-'));
      try {
        cpSync(source('kustomize-healthy'), healthy, { recursive: true });
        cpSync(join(source('procfile-healthy'), 'Procfile'), join(healthy, 'Procfile'));
        const { exitCode, report } = await runJson(['check', healthy, '--environment', 'prod', '--redis', redis.url]);
        expect(exitCode).toBe(1);
        const drift = byRule(report, 'config-live-drift');
        expect(drift.map((f) => [f.queue, f.environment])).toEqual([['default', 'kustomize:prod']]);
        expect(byRule(report, 'queue-without-worker')).toEqual([]);
        const unknown = await runCli(['check', healthy, '--environment', 'qa', '--redis', redis.url]);
        expect(unknown.exitCode).toBe(2);
        expect(unknown.stderr).toContain('--environment qa: no such environment');
      } finally {
        rmSync(healthy, { recursive: true, force: true });
      }
    });
  });
});
