import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { startRabbitmq, type RabbitmqNode } from '../helpers/rabbitmq.js';

describe('live --broker when the management plugin is not enabled (a real RabbitMQ node without it)', () => {
  let node: RabbitmqNode;

  beforeAll(async () => {
    node = await startRabbitmq({ management: false });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('standalone live: one line naming the plugin to enable, exit 2, no password', async () => {
    const { exitCode, stdout, stderr } = await runCli(['live', '--broker', node.url('guest', 'guest-secret-pw'), '--rabbitmq-api', node.apiUrl]);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`RabbitMQ management API at ${node.apiUrl} (for amqp://guest:***@127.0.0.1:${node.amqpPort}/%2F): connection refused (ECONNREFUSED)`);
    expect(stderr).toContain('`rabbitmq-plugins enable rabbitmq_management`');
    expect(stderr).not.toContain('guest-secret-pw');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('inside check: a live-unreachable finding, the other stages still run', async () => {
    const { exitCode, report } = await runJson(['check', '--broker', node.url(), '--rabbitmq-api', node.apiUrl]);
    expect(exitCode).toBe(1);
    expect(report!.findings.map((finding) => finding.rule)).toEqual(['live-unreachable']);
    expect(report!.findings[0]!.message).toContain('rabbitmq-plugins enable rabbitmq_management');
  });

  it('the config file names the broker per environment; a missing entry is an input error', async () => {
    const project = mkdtempSync(join(tmpdir(), 'rd-broker-config-'));
    try {
      writeFileSync(join(project, 'docker-compose.yml'), 'services:\n  worker:\n    command: celery -A app worker -Q high\n');
      writeFileSync(
        join(project, 'receipts-doctor.config.yml'),
        `live:\n  broker:\n    prod: ['${node.url('guest', 'config-pw')}']\n  rabbitmqApi: ${node.apiUrl}\n`,
      );
      const prod = await runCli(['live', project, '--environment', 'prod', '--env', `prod=${join(project, 'docker-compose.yml')}`]);
      expect(prod.exitCode).toBe(2);
      expect(prod.stderr).toContain(`RabbitMQ management API at ${node.apiUrl} (for amqp://guest:***@127.0.0.1:${node.amqpPort}/%2F)`);
      expect(prod.stderr).not.toContain('config-pw');
      const staging = await runCli(['live', project, '--environment', 'staging', '--env', `staging=${join(project, 'docker-compose.yml')}`]);
      expect(staging.exitCode).toBe(2);
      expect(staging.stderr.trim()).toBe('receipts-doctor: live.broker in the config file has no entry for environment `staging` (have: prod); choose one with --environment.');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
