/**
 * The deployment examples of docs/exporter.md are the ones that work: the ACL line makes a user the exporter reads
 * with (ACL LOG stays empty), the compose file passes `docker-compose config` and its command runs the real exporter
 * (its healthcheck answers), the Kubernetes Deployment's args run it too with the URL its Secret holds (probes, ports,
 * selector and secret key consistent), and the Prometheus config passes `promtool check config` with the rules
 * `alerts` prints.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { fixture, REPO_ROOT, runCli } from '../helpers/cli.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { sampleValue } from '../helpers/metrics.js';
import { eventually } from '../helpers/poll.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { aclLog, READ_ONLY_ACL } from '../helpers/topology.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/exporter.md'), 'utf8');
const PASSWORD = 'read-only-pw';

/** The code block after `<!-- example: NAME -->`. */
function example(name: string): string {
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(DOC);
  if (!match) throw new Error(`docs/exporter.md has no example ${name}`);
  return match[1]!;
}

function requireBinary(path: string, pkg: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
  return path;
}

describe('docs/exporter.md deployment examples', () => {
  let redis: RedisServer;
  let admin: Redis;
  const exporters: Exporter[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rd-exporter-docs-'));

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });

  afterAll(async () => {
    for (const exporter of exporters) await exporter.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the ACL line is the live stage’s read-only user, and the exporter reads with it without a denied command', async () => {
    const words = example('acl').trim().split(/\s+/);
    expect(words.slice(0, 3)).toEqual(['ACL', 'SETUSER', 'receipts-doctor']);
    expect(words.slice(3).filter((word) => word !== '>CHANGE-ME')).toEqual(READ_ONLY_ACL);
    await admin.call('ACL', 'SETUSER', ...words.slice(2).map((word) => word.replace('CHANGE-ME', PASSWORD)));
    await admin.call('ACL', 'LOG', 'RESET');
    const exporter = await startExporter(['--interval', '0.2', '--queue', 'default'], { REDIS_URL: `redis://receipts-doctor:${PASSWORD}@127.0.0.1:${redis.port}/0` });
    exporters.push(exporter);
    // Three reads seen (three last-read timestamps), every one a success; then nothing was denied.
    const reads = new Set<number>();
    await eventually(
      async () => {
        const body = (await exporter.get()).body;
        expect(sampleValue(body, 'receipts_doctor_up')).toBe(1);
        reads.add(sampleValue(body, 'receipts_doctor_last_read_timestamp_seconds')!);
        return reads.size >= 3 ? true : undefined;
      },
      { what: 'three reads', timeoutMs: 20_000 },
    );
    expect(await aclLog(admin)).toEqual([]);
  });

  it('the image runs receipts-doctor from the tarball `npm pack` makes', () => {
    const dockerfile = example('dockerfile');
    expect(dockerfile).toContain(`COPY receipts-doctor-${VERSION}.tgz /tmp/`);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["receipts-doctor"\]$/m);
  });

  it('the compose service passes docker-compose config, and its command and healthcheck work', async () => {
    const compose = example('compose');
    mkdirSync(join(dir, 'ops', 'receipts-doctor'), { recursive: true });
    writeFileSync(join(dir, 'ops', 'receipts-doctor', 'Dockerfile'), example('dockerfile'));
    writeFileSync(join(dir, 'docker-compose.yml'), compose);
    const config = await execa(requireBinary('/usr/bin/docker-compose', 'docker-compose'), ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: dir,
      env: { RECEIPTS_DOCTOR_REDIS_PASSWORD: PASSWORD },
      reject: false,
    });
    expect(config.stderr).toBe('');
    expect(config.exitCode).toBe(0);
    const service = (parse(compose) as { services: Record<string, { command: string[]; environment: Record<string, string>; ports: string[]; healthcheck: { test: string[] } }> })
      .services['receipts-doctor']!;
    const [subcommand, project, ...flags] = service.command;
    expect([subcommand, project]).toEqual(['exporter', '/project']);
    expect(flags.slice(flags.indexOf('--listen'), flags.indexOf('--listen') + 2)).toEqual(['--listen', '0.0.0.0:9808']);
    expect(service.ports).toEqual(['127.0.0.1:9808:9808']);
    expect(service.environment.REDIS_URL).toMatch(/^redis:\/\/receipts-doctor:\$\{RECEIPTS_DOCTOR_REDIS_PASSWORD:\?[^}]*\}@redis:6379\/0$/);
    // The project mounted at /project: here the fixture replica.
    const exporter = await startExporter([fixture('prosaas'), ...flags], { REDIS_URL: `redis://receipts-doctor:${PASSWORD}@127.0.0.1:${redis.port}/0` });
    exporters.push(exporter);
    const body = (await exporter.get()).body;
    expect(sampleValue(body, 'receipts_doctor_up')).toBe(1);
    expect(sampleValue(body, 'receipts_doctor_queue_expected', { queue: 'default', environment: 'prod' })).toBe(1);
    const [kind, program, ...rest] = service.healthcheck.test;
    expect([kind, program]).toEqual(['CMD', 'node']);
    const port = new URL(exporter.metricsUrl).port;
    const health = await execa(process.execPath, rest.map((arg) => arg.replace('127.0.0.1:9808', `127.0.0.1:${port}`)), { reject: false });
    expect(health.exitCode).toBe(0);
    const missing = await execa(process.execPath, rest.map((arg) => arg.replace('127.0.0.1:9808', '127.0.0.1:1')), { reject: false });
    expect(missing.exitCode).toBe(1);
  });

  it('the Kubernetes Deployment runs the exporter with its Secret’s URL; probes, ports, selector and key agree', async () => {
    const docs = parseAllDocuments(example('kubernetes')).map((doc) => doc.toJS());
    expect(docs.map((doc) => doc.kind)).toEqual(['Secret', 'Deployment', 'Service']);
    const [secret, deployment, service] = docs;
    const pod = deployment.spec.template;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.selector.matchLabels).toEqual(pod.metadata.labels);
    expect(service.spec.selector).toEqual(pod.metadata.labels);
    const container = pod.spec.containers[0];
    const ref = container.env.find((entry: { name: string }) => entry.name === 'REDIS_URL').valueFrom.secretKeyRef;
    expect(ref.name).toBe(secret.metadata.name);
    const url: string = secret.stringData[ref.key];
    const metricsPort = container.ports.find((port: { name: string }) => port.name === 'metrics');
    expect(service.spec.ports[0].targetPort).toBe(metricsPort.name);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    const [subcommand, ...flags] = container.args as string[];
    expect(subcommand).toBe('exporter');
    expect(flags[flags.indexOf('--listen') + 1]).toBe(`0.0.0.0:${metricsPort.containerPort}`);
    const exporter = await startExporter(flags, {
      REDIS_URL: url.replace('CHANGE-ME', PASSWORD).replace('@redis:6379', `@127.0.0.1:${redis.port}`),
    });
    exporters.push(exporter);
    const body = (await exporter.get()).body;
    expect(sampleValue(body, 'receipts_doctor_up')).toBe(1);
    expect(sampleValue(body, 'receipts_doctor_queue_expected', { queue: 'high' })).toBe(1);
    expect(sampleValue(body, 'receipts_doctor_queue_no_consumer', { queue: 'default' })).toBe(1);
    expect((await exporter.get(container.livenessProbe.httpGet.path)).status).toBe(200);
  });

  it('the Prometheus config passes promtool check config with the rules `alerts` prints, and scrapes the job `alerts` names', async () => {
    const config = example('prometheus');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const rules = await runCli(['alerts']);
    expect(rules.exitCode).toBe(0);
    writeFileSync(join(dir, 'receipts-doctor.rules.yml'), `${rules.stdout}\n`);
    const check = await execa(requireBinary('/usr/bin/promtool', 'prometheus'), ['check', 'config', 'prometheus.yml'], { cwd: dir, reject: false });
    expect(`${check.stdout}${check.stderr}`).toContain('SUCCESS: 5 rules found');
    expect(check.exitCode).toBe(0);
    expect((parse(config) as { scrape_configs: { job_name: string }[] }).scrape_configs[0]!.job_name).toBe('receipts-doctor');
    expect(rules.stdout).toContain('up{job="receipts-doctor"} == 0');
  });
});
