/** `rediss://` against a real TLS redis-server (Debian's build has TLS), with certificates made by openssl in the test. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { enqueue, startRqWorker, type RqWorker } from '../helpers/rq.js';
import { aclLog, addReadOnlyUser, makeCertificates, type Certificates } from '../helpers/topology.js';

describe('live over TLS (rediss://, --tls-ca, --tls-cert, --tls-key)', () => {
  let certs: Certificates;
  let redis: RedisServer;
  let tlsPort: number;
  let admin: Redis;
  let worker: RqWorker;

  beforeAll(async () => {
    certs = await makeCertificates();
    tlsPort = await freePort();
    // The plain port is for the test's own set-up and the RQ worker; the doctor reads through the TLS port.
    redis = await startRedis([
      '--tls-port', String(tlsPort),
      '--tls-cert-file', certs.serverCert,
      '--tls-key-file', certs.serverKey,
      '--tls-ca-cert-file', certs.ca,
      '--tls-auth-clients', 'yes',
    ]);
    admin = new Redis(redis.url);
    await addReadOnlyUser(admin, 'doctor', 'tls-pw-31');
    worker = await startRqWorker({ redisUrl: redis.url, name: 'tls-worker', queues: ['high'] });
    await enqueue(redis.url, 'default', 'os.getcwd', [], 2);
    await admin.call('ACL', 'LOG', 'RESET');
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    admin?.disconnect();
    await redis?.stop();
    certs?.remove();
  });

  const tlsUrl = () => `rediss://doctor:tls-pw-31@127.0.0.1:${tlsPort}`;
  const tlsFlags = () => ['--tls-ca', certs.ca, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey];

  it('reads workers and queues with a CA file and a client certificate, as a read-only user', async () => {
    const { exitCode, report, stderr, stdout } = await runJson(['live', '--redis', tlsUrl(), ...tlsFlags()]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(1);
    expect(stdout).not.toContain('tls-pw-31');
    expect(report!.live!.redis).toBe(`rediss://doctor:***@127.0.0.1:${tlsPort}`);
    expect(report!.live!.workers.find((w) => w.name === 'tls-worker')).toMatchObject({ alive: true, queues: ['high'] });
    expect(report!.findings.filter((f) => f.rule === 'live-queue-without-worker').map((f) => f.queue)).toEqual(['default']);
    expect(await aclLog(admin)).toEqual([]);
  });

  it('a server certificate from an untrusted CA: exit 2, one line naming TLS', async () => {
    const { exitCode, stderr, stdout } = await runCli(['live', '--redis', tlsUrl(), '--tls-ca', certs.otherCa, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey]);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/TLS failed/);
    expect(stderr).not.toContain('tls-pw-31');
  });

  it('without the client certificate the server refuses the handshake: exit 2, one line', async () => {
    const { exitCode, stderr } = await runCli(['live', '--redis', tlsUrl(), '--tls-ca', certs.ca]);
    expect(exitCode).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/Cannot connect to Redis at rediss:\/\/doctor:\*\*\*@127\.0\.0\.1:\d+/);
  });

  it('an unreadable --tls-ca, or --tls-cert without --tls-key, is a usage error', async () => {
    const missing = await runCli(['live', '--redis', tlsUrl(), '--tls-ca', '/nonexistent/ca.pem']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Cannot read --tls-ca /nonexistent/ca.pem: no such file (ENOENT)');
    const half = await runCli(['live', '--redis', tlsUrl(), '--tls-cert', certs.clientCert]);
    expect(half.exitCode).toBe(2);
    expect(half.stderr).toContain('--tls-cert and --tls-key go together');
  });
});
