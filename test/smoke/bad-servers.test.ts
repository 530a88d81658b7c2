/**
 * `smoke` against small real node:http(s) servers that break the contract in the ways real APIs do:
 * malformed JSON, HTML error pages, missing job ids, vanishing jobs, resets, hangs, self-signed TLS.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSmoke, type SmokeOptions } from '../../src/smoke/index.js';
import { execa } from 'execa';
import { BIN, runCli, runJson } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { DEFAULT_SYNC_BODY, DIAGNOSTICS_PATH, JOB_ID_PARAM, STATUS_PATH, SYNC_PATH } from '../../src/contract/http.js';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function listen(server: Server, protocol: 'http' | 'https', requests: string[]): Promise<TestServer> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${protocol}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function wrap(handler: Handler, requests: string[]) {
  return (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push(`${request.method} ${request.url}`);
      handler(request, response, body);
    });
  };
}

function serve(handler: Handler): Promise<TestServer> {
  const requests: string[] = [];
  return listen(createHttpServer(wrap(handler, requests)), 'http', requests);
}

const json = (response: ServerResponse, status: number, payload: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(payload));
};

const isPost = (request: IncomingMessage) => request.method === 'POST' && request.url === SYNC_PATH;
const isStatus = (request: IncomingMessage) => request.url?.startsWith(STATUS_PATH) ?? false;

const rules = (report: { findings: { rule: string }[] } | undefined) => report?.findings.map((finding) => finding.rule) ?? [];

const options = (url: string, overrides: Partial<SmokeOptions> = {}): SmokeOptions => ({
  url,
  token: 'secret-token-123',
  body: DEFAULT_SYNC_BODY,
  syncPath: SYNC_PATH,
  statusPath: STATUS_PATH,
  diagnosticsPath: DIAGNOSTICS_PATH,
  timeoutMs: 5000,
  insecure: false,
  ...overrides,
});

describe('smoke against servers that break the contract', () => {
  it('202 with a body that is not JSON → smoke-http-status with the status and an excerpt', async () => {
    const server = await serve((request, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end('{"job_id": "abc", oops');
    });
    const { exitCode, report, stderr } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(stderr).toBe('');
    expect(rules(report)).toEqual(['smoke-http-status']);
    expect(report!.findings[0]!.message).toContain('202');
    expect(report!.findings[0]!.message).toContain('oops');
  });

  it('202 JSON without a job_id → smoke-http-status', async () => {
    const server = await serve((request, response) => json(response, 202, { success: true, status: 'queued' }));
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-http-status']);
    expect(report!.findings[0]!.message).toContain('job_id');
  });

  it('an HTML 502 page from a proxy → smoke-http-status 502 with the page title, no markup', async () => {
    const server = await serve((request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-http-status']);
    expect(report!.smoke!.httpStatus).toBe(502);
    expect(report!.findings[0]!.message).toContain('502 Bad Gateway');
    expect(report!.findings[0]!.message).not.toContain('<');
  });

  it('a job that vanishes mid-poll (404) → smoke-http-status naming 404 and the last status', async () => {
    let polls = 0;
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { success: true, job_id: 'j1', status: 'queued' });
      if (isStatus(request)) {
        polls++;
        return polls < 3 ? json(response, 200, { job_id: 'j1', status: 'started' }) : json(response, 404, { error: 'Unknown job: j1' });
      }
      json(response, 404, { error: 'Not found' });
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-http-status']);
    expect(report!.findings[0]!.message).toContain('404');
    expect(report!.findings[0]!.message).toContain('Unknown job: j1');
    expect(report!.findings[0]!.message).toContain('`started`');
    expect(report!.smoke!.phases.map((phase) => phase.status)).toEqual(['queued', 'started']);
  });

  it('connection resets mid-poll are polled through; the job still finishes', async () => {
    let polls = 0;
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j2', status: 'queued' });
      polls++;
      if (polls <= 2) return request.socket.destroy();
      json(response, 200, { job_id: 'j2', status: polls < 4 ? 'started' : 'finished', result: { fetched: 1 } });
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(0);
    expect(report!.smoke!.finalStatus).toBe('finished');
    expect(polls).toBeGreaterThanOrEqual(4);
  });

  it('resets on every poll until the timeout → smoke-timeout naming the last status and the reset', async () => {
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j3', status: 'queued' });
      request.socket.destroy();
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url, '--timeout', '1.5']);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-timeout']);
    expect(report!.findings[0]!.message).toContain('`queued`');
    expect(report!.findings[0]!.message).toMatch(/reset|closed/);
  });

  it('a status 200 that is not the contract (HTML) → smoke-http-status', async () => {
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j4', status: 'queued' });
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>Login</title><form></form>');
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-http-status']);
    expect(report!.findings[0]!.message).toContain('Login');
  });

  it('a sync endpoint that never answers → smoke-timeout within the timeout, not a hang', async () => {
    const server = await serve(() => {
      /* never answers */
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url, '--timeout', '1']);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-timeout']);
    expect(report!.smoke!.durationMs).toBeLessThan(3000);
  });

  it('a failed job → smoke-job-failed with the last line of the server\'s error, plus diagnostics', async () => {
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j5', status: 'queued' });
      if (isStatus(request)) {
        return json(response, 200, { job_id: 'j5', status: 'failed', error: 'Traceback (most recent call last):\n  ...\nValueError: bad receipt' });
      }
      json(response, 200, {
        workers: [{ name: 'w1', queues: ['default'], state: 'idle' }],
        queues: { default: 0, low: 2 },
        default_queue_has_worker: true,
      });
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-job-failed']);
    expect(report!.findings[0]!.message).toContain('ValueError: bad receipt');
    expect(report!.findings[0]!.message).not.toContain('Traceback');
    const diagnostics = report!.findings[0]!.related?.[0]?.message ?? '';
    expect(diagnostics).toContain('`w1`');
    expect(diagnostics).toContain('`low` has no worker');
    expect(diagnostics).toContain('queue `low` has 2 waiting');
  });

  it('never prints the token, even when the server echoes it; strips terminal escapes', async () => {
    const server = await serve((request, response) =>
      json(response, 401, { error: `Invalid token ${String(request.headers.authorization)} \u001b[31mred\u001b[0m` }),
    );
    const token = 'leaky-token-987654';
    for (const format of ['json', 'table']) {
      const { exitCode, stdout, stderr } = await runCli(['smoke', '--url', server.url, '--token', token, '--format', format, '--verbose']);
      // A refused token is the doctor's own credentials: exit 2, one line on stderr.
      expect(exitCode).toBe(2);
      expect(`${stdout}${stderr}`).not.toContain(token);
      expect(`${stdout}${stderr}`).not.toContain('\u001b[31m');
      expect(stderr).toContain('401');
      expect(stderr).toContain('Invalid token');
    }
  });

  it('a 403 on a status poll is smoke-unauthorized too; inside check it is a finding, not exit 2', async () => {
    const server = await serve((request, response) => {
      if (request.method === 'POST') return json(response, 202, { job_id: 'j9', status: 'queued' });
      json(response, 403, { error: 'Forbidden for this token' });
    });
    const result = await runSmoke({ ...options(server.url), token: 'tok-403' });
    expect(rules(result)).toEqual(['smoke-unauthorized']);
    expect(result.findings[0]!.message).toMatch(/for job `j9` answered 403: Forbidden for this token/);
    expect(result.findings[0]!.hint).toMatch(/^A token was sent/);
    const { exitCode, report } = await runJson(['check', '--url', server.url, '--token', 'tok-403']);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-unauthorized']);
  });

  it('a redirect (http → https) → smoke-http-status naming the status and where it points', async () => {
    const server = await serve((request, response) => {
      response.writeHead(301, { location: `https://api.example.test${SYNC_PATH}` });
      response.end();
    });
    const { exitCode, report } = await runJson(['smoke', '--url', server.url]);
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-http-status']);
    expect(report!.smoke!.httpStatus).toBe(301);
    expect(report!.findings[0]!.hint).toContain('https://api.example.test/');
  });

  it('keeps a path prefix of --url and uses the path options', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/app/v2/sync') return json(response, 202, { job_id: 'j6', status: 'queued' });
      if (request.url === `/app/v2/job?${JOB_ID_PARAM}=j6`) return json(response, 200, { job_id: 'j6', status: 'finished' });
      json(response, 404, { error: 'Not found' });
    });
    const { exitCode, report } = await runJson([
      'smoke',
      '--url',
      `${server.url}/app/`,
      '--sync-path',
      '/v2/sync',
      '--status-path',
      '/v2/job',
    ]);
    expect(exitCode).toBe(0);
    expect(report!.smoke!.finalStatus).toBe('finished');
    expect(server.requests).toEqual(['POST /app/v2/sync', `GET /app/v2/job?${JOB_ID_PARAM}=j6`]);
  });

  it('backs off while a job waits (a bounded number of polls, not a busy loop)', async () => {
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j7', status: 'queued' });
      if (isStatus(request)) return json(response, 200, { job_id: 'j7', status: 'queued' });
      json(response, 404, { error: 'Not found' });
    });
    const result = await runSmoke(options(server.url, { timeoutMs: 2000 }));
    expect(result.findings.map((finding) => finding.rule)).toEqual(['smoke-timeout']);
    const polls = server.requests.filter((line) => line.startsWith(`GET ${STATUS_PATH}`)).length;
    // 100 ms growing ×1.5 to 1 s: about 6 polls in 2 s; a busy loop would make hundreds.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(12);
  });

  it('reports each status to onProgress and records first-seen phases in order', async () => {
    let polls = 0;
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'j8', status: 'queued' });
      polls++;
      json(response, 200, { job_id: 'j8', status: polls < 2 ? 'queued' : polls < 4 ? 'started' : 'finished' });
    });
    const seen: string[] = [];
    const result = await runSmoke(options(server.url, { pollIntervalMs: 10, onProgress: (status) => seen.push(status) }));
    expect(result.findings).toEqual([]);
    expect([...new Set(seen)]).toEqual(['queued', 'started', 'finished']);
    expect(result.section.phases.map((phase) => phase.status)).toEqual(['queued', 'started', 'finished']);
    expect(result.section.jobId).toBe('j8');
  });

  it('shows a \\r-updated progress line on a terminal (and none when piped, asserted elsewhere)', async () => {
    if (!existsSync('/usr/bin/script')) throw new Error('/usr/bin/script (util-linux) is needed to give the CLI a terminal');
    let polls = 0;
    const server = await serve((request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'tty1', status: 'queued' });
      polls++;
      json(response, 200, { job_id: 'tty1', status: polls < 3 ? 'started' : 'finished' });
    });
    const command = [process.execPath, BIN, 'smoke', '--url', server.url, '--no-color'].map((part) => `'${part}'`).join(' ');
    const tty = await execa('/usr/bin/script', ['-qec', command, '/dev/null'], { reject: false, env: { NO_COLOR: '1' } });
    expect(tty.exitCode).toBe(0);
    expect(tty.stdout).toContain('\r\u001b[Ksmoke: job started');
    const quiet = await execa('/usr/bin/script', ['-qec', `${command} --quiet`, '/dev/null'], { reject: false, env: { NO_COLOR: '1' } });
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).not.toContain('smoke: job');
  });

  it('inside check, an unreachable API is a smoke-unreachable finding', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), 'rd-smoke-check-'));
    const { exitCode, report } = await runJson(['check', '--url', `http://127.0.0.1:${port}`], { cwd });
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(['smoke-unreachable']);
  });

  it('a bad --body or --url is exit 2', async () => {
    expect((await runCli(['smoke', '--url', 'http://127.0.0.1:1', '--body', '{nope'])).exitCode).toBe(2);
    expect((await runCli(['smoke', '--url', 'ftp://127.0.0.1/'])).exitCode).toBe(2);
    expect((await runCli(['smoke'])).exitCode).toBe(2);
  });
});

describe('smoke over TLS', () => {
  let key: string;
  let cert: string;
  beforeAll(() => {
    if (!existsSync('/usr/bin/openssl')) throw new Error('openssl is needed for the TLS tests: apt-get install openssl');
    const dir = mkdtempSync(join(tmpdir(), 'rd-tls-'));
    execFileSync('/usr/bin/openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });

  async function serveTls(): Promise<TestServer> {
    const requests: string[] = [];
    const handler: Handler = (request, response) => {
      if (isPost(request)) return json(response, 202, { job_id: 'tls1', status: 'queued' });
      json(response, 200, { job_id: 'tls1', status: 'finished' });
    };
    return listen(createHttpsServer({ key, cert }, wrap(handler, requests)), 'https', requests);
  }

  it('rejects a self-signed certificate: exit 2, one line naming TLS', async () => {
    const server = await serveTls();
    const { exitCode, stdout, stderr } = await runCli(['smoke', '--url', server.url, '--token', 'tls-token-abc']);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/TLS|certificate/);
    expect(stderr).not.toContain('tls-token-abc');
    expect(server.requests).toEqual([]);
  });

  it('accepts it with --insecure and follows the job over https', async () => {
    const server = await serveTls();
    const { exitCode, report } = await runJson(['smoke', '--url', server.url, '--insecure']);
    expect(exitCode).toBe(0);
    expect(report!.smoke!.finalStatus).toBe('finished');
    expect(server.requests).toEqual([`POST ${SYNC_PATH}`, `GET ${STATUS_PATH}?${JOB_ID_PARAM}=tls1`]);
  });

  it('--insecure applies per request: a second run without it is rejected again', async () => {
    const server = await serveTls();
    const insecure = await runSmoke(options(server.url, { insecure: true }));
    expect(insecure.section.finalStatus).toBe('finished');
    await expect(runSmoke(options(server.url))).rejects.toMatchObject({ name: 'UnreachableError', target: 'http' });
  });
});
