/**
 * Fault injection for `smoke`, beyond test/smoke/bad-servers.test.ts: 5xx then recovery, connections dropped
 * mid-body, bytes trickled past --timeout, huge and pathological bodies, non-HTTP answers. Each run gives a
 * clear finding or exit 2 — never a hang, a crash, or the token in the output.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { expectNoSecret, expectRobust, runBounded } from './harness.js';
import { serveHttp, serveRaw } from './servers.js';
import { tempDir } from './projects.js';

const TOKEN = 'tok-SECRET-4242-zz';

const json = (response: ServerResponse, status: number, payload: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(payload));
};
const isPost = (request: IncomingMessage) => request.method === 'POST';

/** `smoke` through the harness with the token; asserts the guarantees and that the token never shows. */
async function smoke(url: string, extra: string[] = [], label = 'smoke') {
  const run = await runBounded(['smoke', '--url', url, '--token', TOKEN, '--format', 'json', ...extra], { timeoutMs: 20_000 });
  expectRobust(run, label);
  expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, [TOKEN], label);
  const report = run.exitCode === 2 ? undefined : (JSON.parse(run.stdout) as import('../../src/types.js').Report);
  return { run, report, rules: report?.findings.map((finding) => finding.rule) ?? [] };
}

describe.concurrent('smoke: 5xx and recovery', () => {
  it('503/502/504 on polls, then recovery → the job is followed to finished (exit 0)', async () => {
    let polls = 0;
    const server = await serveHttp((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'r1', status: 'queued' });
      polls++;
      if (polls <= 3) return json(response, [503, 502, 504][polls - 1]!, { error: 'upstream restarting' });
      json(response, 200, { job_id: 'r1', status: 'finished' });
    });
    const { run, report } = await smoke(server.url, [], '5xx then recovery');
    expect(run.exitCode).toBe(0);
    expect(report!.smoke!.finalStatus).toBe('finished');
    expect(polls).toBe(4);
  });

  it('a 500 on a poll → smoke-http-status naming 500 (the endpoint errored; not retried into a hang)', async () => {
    let polls = 0;
    const server = await serveHttp((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'r2', status: 'queued' });
      polls++;
      if (polls === 1) return json(response, 500, { error: 'KeyError: job' });
      json(response, 200, { job_id: 'r2', status: 'finished' });
    });
    const { run, report, rules } = await smoke(server.url, [], '500 on poll');
    expect(run.exitCode).toBe(1);
    expect(rules).toEqual(['smoke-http-status']);
    expect(report!.findings[0]!.message).toContain('500');
  });

  it('a 500 on the POST → smoke-http-status, and the POST is not retried (not idempotent)', async () => {
    const server = await serveHttp((request, response) => json(response, 500, { error: 'boom' }));
    const { run, rules } = await smoke(server.url, [], '500 on POST');
    expect(run.exitCode).toBe(1);
    expect(rules).toEqual(['smoke-http-status']);
    expect(server.requests.filter((line) => line.startsWith('POST'))).toHaveLength(1);
  });

  it('503 on every poll until --timeout → smoke-timeout naming the 503', async () => {
    const server = await serveHttp((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'r3', status: 'queued' });
      json(response, 503, { error: 'maintenance' });
    });
    const { run, report, rules } = await smoke(server.url, ['--timeout', '1.5'], '503 forever');
    expect(run.exitCode).toBe(1);
    expect(rules).toEqual(['smoke-timeout']);
    expect(report!.findings[0]!.message).toContain('503');
  });
});

describe.concurrent('smoke: connections that break', () => {
  it('the POST answer is cut mid-body → exit 2 with one line', async () => {
    const server = await serveHttp((request, response) => {
      response.writeHead(202, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"job_id": "cut');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const { run } = await smoke(server.url, [], 'POST cut mid-body');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/reset|closed/);
  });

  it('a poll answer cut mid-body, then whole ones → polled through to finished', async () => {
    let polls = 0;
    const server = await serveHttp((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'c1', status: 'queued' });
      polls++;
      if (polls === 1) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        response.write('{"job_id": "c1", "sta');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      json(response, 200, { job_id: 'c1', status: 'finished' });
    });
    const { run, report } = await smoke(server.url, [], 'poll cut mid-body');
    expect(run.exitCode).toBe(0);
    expect(report!.smoke!.finalStatus).toBe('finished');
  });

  it('inside check, a POST cut mid-body is a smoke-unreachable finding', async () => {
    const server = await serveHttp((request, response) => {
      response.writeHead(202, { 'content-length': '100' });
      response.write('{');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const cwd = tempDir();
    const run = await runBounded(['check', '--url', server.url, '--token', TOKEN, '--format', 'json'], { cwd });
    expectRobust(run, 'check, POST cut');
    expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, [TOKEN], 'check, POST cut');
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((finding: { rule: string }) => finding.rule)).toEqual(['smoke-unreachable']);
  });

  it('the server closes every connection on accept → exit 2', async () => {
    const url = await serveRaw((socket) => socket.destroy());
    const { run } = await smoke(url, [], 'close on accept');
    expect(run.exitCode).toBe(2);
  });

  it('the server answers bytes that are not HTTP → exit 2 with one line', async () => {
    const url = await serveRaw((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\u0000\u00ff garbage\r\n\r\n'));
    const { run } = await smoke(url, [], 'not HTTP');
    expect(run.exitCode).toBe(2);
  });

  it('the server speaks TLS-looking bytes to plain http → exit 2', async () => {
    const url = await serveRaw((socket) => socket.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00])));
    const { run } = await smoke(url, [], 'TLS bytes');
    expect(run.exitCode).toBe(2);
  });
});

describe.concurrent('smoke: slow answers past --timeout', () => {
  it('a POST answer trickled one byte every 200 ms → smoke-timeout within the harness deadline', async () => {
    const url = await serveRaw((socket) => {
      socket.once('data', () => {
        const answer = `HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n\r\n{"job_id":"t1","pad":"${'x'.repeat(3900)}`;
        let index = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || index >= answer.length) return clearInterval(timer);
          socket.write(answer[index++]!);
        }, 200);
        socket.on('close', () => clearInterval(timer));
      });
    });
    const { run, rules } = await smoke(url, ['--timeout', '1.5'], 'trickled POST');
    expect(run.exitCode).toBe(1);
    expect(rules).toEqual(['smoke-timeout']);
  });

  it('status answers trickled slower than --timeout → smoke-timeout naming the last status', async () => {
    const url = await serveRaw((socket) => {
      socket.once('data', (data) => {
        if (data.toString().startsWith('POST')) {
          const body = '{"job_id":"t2","status":"queued"}';
          socket.end(`HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
          return;
        }
        // Headers arrive, the body never completes.
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{');
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(' ')), 100);
        socket.on('close', () => clearInterval(timer));
      });
    });
    const { run, report, rules } = await smoke(url, ['--timeout', '1.5'], 'trickled status');
    expect(run.exitCode).toBe(1);
    expect(rules).toEqual(['smoke-timeout']);
    expect(report!.findings[0]!.message).toContain('`queued`');
  });

  it('headers trickled and never finished → smoke-timeout', async () => {
    const url = await serveRaw((socket) => {
      socket.write('HTTP/1.1 202 Accepted\r\n');
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('x-pad: y\r\n')), 100);
      socket.on('close', () => clearInterval(timer));
    });
    const { run, rules } = await smoke(url, ['--timeout', '1'], 'endless headers');
    expect([1, 2]).toContain(run.exitCode);
    if (run.exitCode === 1) expect(rules).toEqual(['smoke-timeout']);
  });
});

describe.concurrent('smoke: huge and pathological bodies', () => {
  const MiB = 1024 * 1024;

  it('a 64 MiB POST answer → a bounded report (the body is cut), no hang', async () => {
    const server = await serveHttp((request, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(MiB, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 64 && !response.destroyed) {
          sent++;
          if (!response.write(chunk)) return response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const { run, rules } = await smoke(server.url, ['--timeout', '10'], '64 MiB body');
    expect(run.exitCode).toBe(1);
    expect(rules).toHaveLength(1);
    expect(run.stdout.length).toBeLessThan(64 * 1024);
  });

  it('a status that is 1 MiB long, and a job id with control characters → a clean, short report', async () => {
    const server = await serveHttp((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j\r\n\u001b[2Jx', status: 'queued' });
      json(response, 200, { job_id: 'x', status: `${'s'.repeat(MiB)}` });
    });
    const { run } = await smoke(server.url, ['--timeout', '1.5'], 'huge status');
    expect(run.stdout.length).toBeLessThan(64 * 1024);
    expect(run.stdout).not.toContain('\u001b');
  });

  it('JSON nested 100k levels deep in the POST answer', async () => {
    const server = await serveHttp((request, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    });
    const { run, rules } = await smoke(server.url, [], 'deep JSON');
    expect(run.exitCode).toBe(1);
    expect(rules).toEqual(['smoke-http-status']);
  });

  for (const [name, body] of [
    ['null', 'null'],
    ['an array', '[{"job_id":"a"}]'],
    ['a number', '42'],
    ['a job_id that is an object', '{"job_id": {"id": 1}, "status": "queued"}'],
    ['a job_id that is empty', '{"job_id": "", "status": "queued"}'],
    ['a BOM before the JSON', '\ufeff{"job_id": "b1", "status": "queued"}'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6a, 0xff, 0xfe, 0x22, 0x7d])],
  ] as const) {
    it(`a 202 whose body is ${name} → a clear finding or a followed job, never a crash`, async () => {
      const server = await serveHttp((request, response) => {
        if (isPost(request)) {
          response.writeHead(202, { 'content-type': 'application/json' });
          return response.end(body);
        }
        json(response, 200, { job_id: 'b1', status: 'finished' });
      });
      const { run } = await smoke(server.url, ['--timeout', '3'], `202 body ${name}`);
      expect([0, 1]).toContain(run.exitCode);
    });
  }
});
