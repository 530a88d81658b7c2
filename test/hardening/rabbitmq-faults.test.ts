/**
 * A hostile or broken RabbitMQ management API behind `live --broker`: it never answers, answers without end,
 * answers 64 MiB, claims a billion pages, echoes the password, or names queues and workers with terminal escapes.
 * Each run ends in time with a report or one line and exit 2, sends only GET requests, and never prints the password.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { expectNoSecret, expectRobust, runBounded } from './harness.js';
import { serveHttp, serveRaw } from './servers.js';

const PASSWORD = 'amqp-SECRET-7731';
const broker = (api: string) => ['live', '--broker', `amqp://doctor:${PASSWORD}@127.0.0.1:5672/shop`, '--rabbitmq-api', api, '--connect-timeout', '1500'];
const json = (response: ServerResponse, payload: unknown, status = 200) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(payload));
};

async function live(api: string, extra: string[], label: string, maxRssMiB?: number) {
  const run = await runBounded([...broker(api), ...extra], { timeoutMs: 20_000, ...(maxRssMiB ? { maxRssMiB } : {}) });
  expectRobust(run, label);
  expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, [PASSWORD], label);
  return run;
}

describe.concurrent('live --broker against a hostile management API', () => {
  it('accepts the connection and never answers → exit 2 at --connect-timeout', async () => {
    const api = await serveRaw(() => {});
    const run = await live(api, [], 'silent API');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no complete answer within 1.5s');
  });

  it('a 64 MiB answer → exit 2 naming the cap, memory bounded', async () => {
    const server = await serveHttp((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let index = 0; index < 64; index++) response.write(chunk);
      response.end();
    });
    // A deadline that the transfer itself does not hit on a loaded machine: the cap is what ends it.
    const run = await live(server.url, ['--connect-timeout', '15000'], '64 MiB answer', 400);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('is over 16 MiB');
  });

  it('page_count of a billion → at most 20 pages asked for; every request a GET', async () => {
    const server = await serveHttp((request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/api/overview') return json(response, { rabbitmq_version: '3.10.8' });
      if (url.pathname === '/api/consumers/shop') return json(response, []);
      const page = Number(url.searchParams.get('page'));
      json(response, { items: [{ name: `q-${page}`, messages_ready: 1, messages_unacknowledged: 0, consumers: 0 }], page, page_count: 1e9, total_count: 1e9 });
    });
    const run = await live(server.url, ['--format', 'json'], 'a billion pages');
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as import('../../src/types.js').Report;
    expect(report.live!.queues).toHaveLength(20);
    expect(report.live!.brokers![0]).toMatchObject({ queuesTotal: 1e9, queuesRead: 20 });
    expect(server.requests.filter((request) => request.includes('/api/queues/shop?'))).toHaveLength(20);
    expect(server.requests.every((request) => request.startsWith('GET '))).toBe(true);
  });

  it('terminal escapes in queue and worker names are shown escaped; a password the server echoes is scrubbed', async () => {
    const server = await serveHttp((request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/api/overview') return json(response, { rabbitmq_version: '3.10.8' });
      if (url.pathname === '/api/consumers/shop') {
        return json(response, [
          { queue: { name: 'w1@\u001b]0;pwned\u0007host.celery.pidbox' }, channel_details: { connection_name: 'c1', peer_host: '10.0.0.5' } },
          { queue: { name: 'high' }, channel_details: { connection_name: 'c1', peer_host: '10.0.0.5' } },
        ]);
      }
      json(response, { items: [{ name: 'evil\u001b[2J', messages_ready: 2, consumers: 0 }, { name: 'high', messages_ready: 0, consumers: 1 }], page_count: 1, total_count: 2 });
    });
    const table = await live(server.url, [], 'escapes');
    expect(table.exitCode).toBe(1);
    expect(table.stdout).not.toMatch(/\u001b|\u0007/);
    expect(table.stdout).toContain('evil\\x1b[2J');
    expect(table.stdout).toContain('w1@\\x1b]0;pwned\\x07host');

    const echo = await serveHttp((_request, response) => json(response, { error: 'not_authorised', reason: `Login failed for doctor:${PASSWORD}` }, 401));
    const refused = await live(echo.url, [], 'echoed password');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('HTTP 401: Login failed for doctor:***');
  });
});
