/**
 * The exporter's HTTP side against hostile clients: oversized headers are refused (431) without hurting the next
 * scrape, a long Accept header is negotiated in bounded work, a client that never finishes its request does not hold
 * other scrapes up, and odd paths and methods get their status. Every case ends within the test's deadline.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { sampleValue } from '../helpers/metrics.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

/** Sends raw bytes on a new connection and resolves with the status line of the reply (or `closed`). */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve(reply ? reply.split('\r\n')[0]! : 'closed'));
  });
}

describe('exporter: hostile HTTP clients', () => {
  let redis: RedisServer;
  let exporter: Exporter;
  let port: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    exporter = await startExporter(['--redis', redis.url, '--queue', 'default']);
    port = Number(new URL(exporter.metricsUrl).port);
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await exporter?.stop('SIGKILL');
    await redis?.stop();
  });

  const scrapeWorks = async () => expect(sampleValue((await exporter.get()).body, 'receipts_doctor_up')).toBe(1);

  it('refuses headers over 16 KiB with 431, then serves the next scrape', async () => {
    expect(await raw(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: ${'a'.repeat(1024 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    await scrapeWorks();
  });

  it('negotiates a long Accept header of many ranges in bounded work', async () => {
    const accept = `${Array.from({ length: 1200 }, () => 'text/x;q=0.1').join(',')},application/openmetrics-text`;
    expect(accept.length).toBeLessThan(16 * 1024);
    // Only the first 32 ranges count: a scraper's header is a handful; the late OpenMetrics range is not looked at.
    const answer = await exporter.get('/metrics', { accept });
    expect([answer.status, answer.type]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
  });

  it('serves other scrapes while a client holds a request half-sent', async () => {
    for (let index = 0; index < 20; index++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      held.push(socket);
    }
    await scrapeWorks();
  });

  it('answers odd paths and methods with their status', async () => {
    expect(await raw(port, 'GET /metrics?debug=1 HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 200 OK');
    expect(await raw(port, 'GET /%00%ff/../metrics HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 404 Not Found');
    expect(await raw(port, 'DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(await raw(port, 'NOT-HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 |^closed$/);
    await scrapeWorks();
  });
});
