/**
 * Untrusted repositories, item 2 (issue 26): the repository's files never decide where the operator's credentials
 * go. A `smoke.url` or a `live.redis` Sentinel URL named only in `receipts-doctor.config.yml` used to get
 * RECEIPTS_DOCTOR_TOKEN / RECEIPTS_DOCTOR_SENTINEL_PASSWORD; now it gets nothing, and a one-line note says so. The
 * same target named in the environment (or on the command line) still gets them. The targets here are local
 * recording servers: they show exactly what was sent.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

const TOKEN = 'operator-token-5e1f';
const SENTINEL_PASSWORD = 'operator-sentinel-pw-9a2c';
const COMPOSE = 'services:\n  worker:\n    image: app\n    command: rq worker default\n';
const TASKS = "from rq import Queue\nQueue('default').enqueue('app.jobs.a')\n";

/** An API that records each request's headers and refuses every one with 401 (the run ends at once). */
async function recordingApi(): Promise<{ url: string; requests: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createHttpServer((request, response) => {
    requests.push(request.headers);
    request.resume();
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A TCP server that records every byte a client sends and never answers (a Sentinel that hears the AUTH). */
async function recordingTcp(): Promise<{ port: number; received(): string; close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.concurrent('credentials go only to targets the operator named (issue 26, item 2)', () => {
  it('smoke.url from the config file gets no RECEIPTS_DOCTOR_TOKEN; a note and the hint say why', async () => {
    const api = await recordingApi();
    try {
      const dir = writeTree(tempDir('rd-creds-'), {
        'docker-compose.yml': COMPOSE,
        'app/tasks.py': TASKS,
        'receipts-doctor.config.yml': `smoke:\n  url: ${api.url}\n  timeout: 5\n`,
      });
      const run = await runBounded(['check', dir, '--format', 'json'], { env: { RECEIPTS_DOCTOR_TOKEN: TOKEN } });
      expectRobust(run, 'config smoke.url');
      expect(api.requests.length).toBeGreaterThan(0);
      expect(api.requests.map((headers) => headers.authorization)).toEqual(api.requests.map(() => undefined));
      expect(run.stderr).toContain(
        'receipts-doctor: note: not sending the token (smoke.url comes only from the config file; name the API with --url or RECEIPTS_DOCTOR_URL to send it).',
      );
      const report = JSON.parse(run.stdout) as { findings: { rule: string; hint?: string }[] };
      expect(report.findings.find((finding) => finding.rule === 'smoke-unauthorized')?.hint).toMatch(/^No token was sent: the URL comes only from the project's config file/);
      expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);

      // The same URL named in the environment gets the token, and no note.
      api.requests.length = 0;
      const named = await runBounded(['check', dir, '--format', 'json'], { env: { RECEIPTS_DOCTOR_TOKEN: TOKEN, RECEIPTS_DOCTOR_URL: api.url } });
      expectRobust(named, 'env smoke url');
      expect(api.requests[0]?.authorization).toBe(`Bearer ${TOKEN}`);
      expect(named.stderr).not.toContain('note: not sending');
    } finally {
      await api.close();
    }
  });

  it('a live.redis Sentinel URL from the config file gets no RECEIPTS_DOCTOR_SENTINEL_PASSWORD', async () => {
    const sentinel = await recordingTcp();
    try {
      const url = `redis+sentinel://127.0.0.1:${sentinel.port}/mymaster`;
      const dir = writeTree(tempDir('rd-creds-'), {
        'docker-compose.yml': COMPOSE,
        'app/tasks.py': TASKS,
        'receipts-doctor.config.yml': `live:\n  redis: ${url}\n`,
      });
      const run = await runBounded(['check', dir, '--format', 'json', '--connect-timeout', '1500'], { env: { RECEIPTS_DOCTOR_SENTINEL_PASSWORD: SENTINEL_PASSWORD } });
      expectRobust(run, 'config sentinel');
      expect(run.stderr).toContain('receipts-doctor: note: not sending the sentinel password (live.redis comes only from the config file;');
      expect(sentinel.received()).not.toContain(SENTINEL_PASSWORD);
      expect(`${run.stdout}${run.stderr}`).not.toContain(SENTINEL_PASSWORD);

      // Named in the environment (REDIS_URL), the same Sentinel is sent the password: the recorder hears it.
      const named = await runBounded(['check', dir, '--format', 'json', '--connect-timeout', '1500'], {
        env: { RECEIPTS_DOCTOR_SENTINEL_PASSWORD: SENTINEL_PASSWORD, REDIS_URL: url },
      });
      expectRobust(named, 'env sentinel');
      expect(sentinel.received()).toContain(SENTINEL_PASSWORD);
      expect(named.stderr).not.toContain('note: not sending');
    } finally {
      await sentinel.close();
    }
  });
});
