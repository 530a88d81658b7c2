/**
 * Usage errors a newcomer meets in the first minutes: each is one line on stderr, exit 2, that names what is wrong
 * and what to write instead — never a bare errno, a stack trace or a message about the wrong part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeForeignProtocol } from '../../src/live/protocol-guess.js';
import { redisUrlFormProblem } from '../../src/redact.js';
import { fixture, runCli, runJson, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { makeCertificates, type Certificates } from '../helpers/topology.js';

/** Exit 2, nothing on stdout, exactly one line on stderr; returns that line. */
function oneLine(result: CliResult): string {
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\bat .*\.(c?js|ts):\d+/);
  return lines[0]!;
}

describe('a project dir that is a file, or missing', () => {
  it('`static proj/docker-compose.yml`: names the folder to give, and --env for this one file', async () => {
    const line = oneLine(await runCli(['static', 'incident/docker-compose.yml'], { cwd: fixture() }));
    expect(line).toBe(
      'receipts-doctor: incident/docker-compose.yml is a file; give the project\'s folder (incident), or that folder with --env NAME=docker-compose.yml to read only this file as environment NAME.',
    );
  });

  it('the advice works as written: the folder with --env reads that one file', async () => {
    const result = await runJson(['static', 'incident', '--env', 'NAME=docker-compose.yml'], { cwd: fixture() });
    expect(result.exitCode).toBe(1);
    expect(result.report!.static!.environments.map((entry) => entry.name)).toEqual(['NAME']);
  });

  it('a dir that does not exist says so, and only that', async () => {
    expect(oneLine(await runCli(['static', 'no-such-project']))).toBe('receipts-doctor: Project dir no-such-project does not exist.');
  });
});

describe('check without a dir', () => {
  it('with --env: the files are read relative to the cwd, as `static` does', async () => {
    const result = await runJson(['check', '--env', 'prod=docker-compose.yml,docker-compose.prod.yml'], { cwd: fixture('incident') });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(1);
    expect(result.report!.static!.environments.map((entry) => entry.name)).toEqual(['prod']);
  });

  it('with nothing at all: says that the cwd holds no deployment files and what to give', async () => {
    const cwd = fixture('bad', 'no-compose');
    const line = oneLine(await runCli(['check'], { cwd }));
    expect(line).toBe(
      `receipts-doctor: Nothing to check: ${cwd} holds no deployment files; give a project dir (\`check path/to/project\`), --redis URL, --broker URL or --url URL.`,
    );
  });
});

describe('malformed Redis URLs name the wrong part and the expected form', () => {
  const EXPECTED = '(expected redis://[user:password@]host[:port][/db]).';
  it.each([
    ['redis:/127.0.0.1:6379', '`redis:` must be followed by two slashes: write redis://127.0.0.1:6379'],
    ['rediss:127.0.0.1:6380', '`rediss:` must be followed by two slashes: write rediss://127.0.0.1:6380'],
    ['localhost:6379', 'it has no scheme: write redis://localhost:6379'],
    ['redis://127.0.0.1:452290', 'the port 452290 is out of range (0–65535)'],
    ['redis://u:pw@127.0.0.1:452290/0', 'the port 452290 is out of range (0–65535)'],
  ])('%s', async (url, reason) => {
    expect(oneLine(await runCli(['live', '--redis', url]))).toBe(`receipts-doctor: --redis is not a valid Redis URL: ${reason} ${EXPECTED}`);
  });

  it('never quotes back a URL that may hold a password', async () => {
    for (const url of ['redis:/doctor:hunter2secret@127.0.0.1:6379', 'doctor:hunter2secret@127.0.0.1:6379']) {
      const line = oneLine(await runCli(['live', '--redis', url]));
      expect(line).not.toContain('hunter2secret');
      expect(line).toContain(EXPECTED);
    }
    expect(redisUrlFormProblem('redis:/doctor:hunter2secret@127.0.0.1:6379')).toBe('`redis:` must be followed by two slashes');
  });

  it('leaves well-formed URLs alone (sentinel URLs are not its business)', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://u:p@cache.example:6380/3', 'redis://[::1]:6379', 'redis://h:65535', 'redis://h']) {
      expect(redisUrlFormProblem(url), url).toBeUndefined();
    }
  });
});

describe('files named by flags', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'rd-usage-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a missing --baseline file: no such file, and how to make one', async () => {
    const missing = path.join(scratch, 'nope.json');
    expect(oneLine(await runCli(['static', fixture('incident'), '--baseline', missing]))).toBe(
      `receipts-doctor: Cannot read --baseline ${missing}: no such file (ENOENT) (record one with --write-baseline FILE)`,
    );
  });

  it('--output into a folder that does not exist names the folder', async () => {
    const target = path.join(scratch, 'reports', 'out.json');
    const result = await runCli(['static', fixture('incident'), '--format', 'json', '--output', target]);
    expect(oneLine(result)).toBe(`receipts-doctor: Cannot write --output ${target}: the folder ${path.join(scratch, 'reports')} does not exist (create it first)`);
  });

  it('the same for fix --output (after its summary) and --write-baseline', async () => {
    const target = path.join(scratch, 'missing', 'fix.diff');
    const fix = await runCli(['fix', fixture('incident'), '--output', target]);
    expect(fix.exitCode).toBe(2);
    expect(fix.stderr.trimEnd().split('\n').at(-1)).toBe(
      `receipts-doctor: Cannot write --output ${target}: the folder ${path.join(scratch, 'missing')} does not exist (create it first)`,
    );
    const baseline = path.join(scratch, 'missing', 'baseline.json');
    expect(oneLine(await runCli(['static', fixture('incident'), '--write-baseline', baseline, '--quiet']))).toBe(
      `receipts-doctor: Cannot write --write-baseline ${baseline}: the folder ${path.join(scratch, 'missing')} does not exist (create it first)`,
    );
  });
});

describe('a --redis port that does not speak RESP', () => {
  let http: Server;
  let httpPort: number;
  let certs: Certificates;
  let redis: RedisServer;
  let tlsPort: number;

  beforeAll(async () => {
    http = createServer((_request, response) => response.end('{"ok":true}'));
    httpPort = await freePort();
    await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', resolve));
    certs = await makeCertificates();
    tlsPort = await freePort();
    redis = await startRedis(['--tls-port', String(tlsPort), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no']);
  });

  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
    await redis?.stop();
    certs?.remove();
  });

  it('an HTTP server (the API\'s port given as --redis): says it looks like HTTP', async () => {
    expect(oneLine(await runCli(['live', '--redis', `redis://127.0.0.1:${httpPort}`, '--connect-timeout', '10000']))).toBe(
      `receipts-doctor: Redis at redis://127.0.0.1:${httpPort} does not speak Redis's protocol: it looks like an HTTP server (is this the API's port?).`,
    );
  });

  it('Redis\'s TLS port read as plain text: it hangs up without a byte, and the line names rediss://', async () => {
    expect(oneLine(await runCli(['live', '--redis', `redis://127.0.0.1:${tlsPort}`, '--connect-timeout', '10000']))).toBe(
      `receipts-doctor: Cannot connect to Redis at redis://127.0.0.1:${tlsPort}: the connection was closed by the server (if that port expects TLS, use rediss://).`,
    );
  });

  it('tells protocols apart by their first bytes', () => {
    expect(describeForeignProtocol(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toBe("it looks like an HTTP server (is this the API's port?)");
    // A TLS alert record (type 0x15, version 3.1): what a TLS server that is not Redis answers to plain text.
    expect(describeForeignProtocol(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]))).toBe('it looks like a TLS server (use rediss://)');
    expect(describeForeignProtocol(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'))).toBe('it looks like an SSH server');
    expect(describeForeignProtocol(Buffer.from('AMQP\x00\x00\x09\x01'))).toBe('it looks like an AMQP broker (RabbitMQ?)');
    expect(describeForeignProtocol(Buffer.from('220 mail ESMTP\r\n'))).toBe('it looks like an SMTP or FTP server');
    expect(describeForeignProtocol(Buffer.from('hello\\\x01\r\n'))).toBe('its first bytes, `hello\\x5c\\x01\\x0d\\x0a`, are not RESP: is this another protocol\'s port?');
  });
});
