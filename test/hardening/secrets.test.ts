/**
 * Secrets never appear in any output (docs/CONTRACT.md §2): a distinctive token and Redis password go through every command
 * × every format (read from FORMATTERS at run time, so a new format is covered automatically), on healthy and
 * failing paths — wrong password, unreachable targets, an API that echoes the token back in its errors, credentials
 * in URLs, the config file, env vars, --token-file — to stdout and with --output. Neither secret may appear in
 * stdout, stderr or the written file.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATTERS } from '../../src/report/index.js';
import { fixture } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startServe } from '../embedded/serve-process.js';
import { expectNoSecret, expectRobust, runBounded } from './harness.js';
import { mapLimit, removeTempDirs, tempDir } from './projects.js';
import { seedQueues } from './redis-data.js';
import { STATUS_PATH } from '../../src/contract/http.js';

const TOKEN = 'tok-SECRET-4242-zz';
const PASSWORD = 'pw-SECRET-9191-zz';
const WRONG_PASSWORD = 'pw-SECRET-0000-zz';
const SECRETS = [TOKEN, PASSWORD, WRONG_PASSWORD];
const FORMATS = Object.keys(FORMATTERS);

let redis: RedisServer;
const servers: Server[] = [];
const urls: Record<'echo' | 'unauthorized' | 'html' | 'ok' | 'bare', string> = { echo: '', unauthorized: '', html: '', ok: '', bare: '' };
let project: string;
let configProject: string;
let tokenFile: string;

function json(response: ServerResponse, status: number, payload: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(payload));
}

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => handler(request, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  redis = await startRedis(['--requirepass', PASSWORD]);
  const admin = new Redis({ host: '127.0.0.1', port: redis.port, password: PASSWORD });
  await seedQueues(admin);
  admin.disconnect();

  const echoed = (request: IncomingMessage) => `${request.headers.authorization ?? ''} (redis://:${PASSWORD}@cache:6379)`;
  // Accepts the job, then fails it with an error that quotes the credentials; the diagnostics quote them too.
  urls.echo = await serve((request, response) => {
    if (request.method === 'POST') return json(response, 202, { job_id: 'sec-1', status: 'queued', message: `accepted for ${echoed(request)}` });
    if (request.url?.startsWith(STATUS_PATH)) {
      return json(response, 200, { job_id: 'sec-1', status: 'failed', error: `Traceback\nAuthError: ${echoed(request)} rejected` });
    }
    json(response, 200, {
      workers: [{ name: `w-${TOKEN}`, queues: ['default'], state: `busy on redis://:${PASSWORD}@cache:6379` }],
      queues: { default: 1 },
      default_queue_has_worker: true,
    });
  });
  urls.unauthorized = await serve((request, response) => json(response, 401, { error: `Invalid token: ${echoed(request)}` }));
  urls.html = await serve((request, response) => {
    response.writeHead(500, { 'content-type': 'text/html' });
    response.end(`<html><title>Error for ${echoed(request)}</title><body>${request.headers.authorization}</body></html>`);
  });
  // Quotes the bare Redis password: only a run that knows it (check --redis) can scrub it.
  urls.bare = await serve((request, response) => json(response, 503, { error: `worker cannot AUTH with ${PASSWORD}: WRONGPASS` }));
  urls.ok = await serve((request, response) => {
    if (request.method === 'POST') return json(response, 202, { job_id: 'ok-1', status: 'queued' });
    json(response, 200, { job_id: 'ok-1', status: 'finished', result: { note: `done for ${echoed(request)}` } });
  });

  // The incident's project, with credentials in its compose environment and .env (as real projects have).
  project = join(tempDir('rd-secrets-'), 'project');
  cpSync(fixture('incident'), project, { recursive: true });
  writeFileSync(
    join(project, 'docker-compose.override.yml'),
    `services:\n  worker:\n    environment:\n      REDIS_URL: redis://:${PASSWORD}@redis:6379/0\n      API_TOKEN: ${TOKEN}\n`,
  );
  writeFileSync(join(project, '.env'), `${readFileSync(join(project, '.env'), 'utf8')}\nAPI_TOKEN=${TOKEN}\nREDIS_PASSWORD=${PASSWORD}\n`);

  // A project whose config file holds the Redis URL and the API URL (the token comes from the environment).
  configProject = join(tempDir('rd-secrets-config-'), 'project');
  cpSync(project, configProject, { recursive: true });
  writeFileSync(
    join(configProject, 'receipts-doctor.config.json'),
    JSON.stringify({ live: { redis: `redis://:${WRONG_PASSWORD}@127.0.0.1:${redis.port}/0` }, smoke: { url: urls.unauthorized, timeout: 3 } }),
  );

  tokenFile = join(tempDir(), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await redis?.stop();
  removeTempDirs();
});

interface Scenario {
  name: string;
  args: () => string[];
  env?: () => Record<string, string>;
  cwd?: () => string;
}

const redisUrl = (password = PASSWORD) => `redis://:${password}@127.0.0.1:${redis.port}/0`;
const userRedisUrl = () => `redis://default:${PASSWORD}@127.0.0.1:${redis.port}/0`;

const scenarios: Scenario[] = [
  { name: 'static with credentials in compose and .env', args: () => ['static', project] },
  { name: 'live, right password', args: () => ['live', '--redis', redisUrl(), '--queue', 'default'] },
  { name: 'live, user and password, project drift', args: () => ['live', '--redis', userRedisUrl(), project] },
  { name: 'live, wrong password', args: () => ['live', '--redis', redisUrl(WRONG_PASSWORD)] },
  { name: 'live, REDIS_URL env, wrong password', args: () => ['live'], env: () => ({ REDIS_URL: redisUrl(WRONG_PASSWORD) }) },
  { name: 'live, unreachable', args: () => ['live', '--redis', `redis://:${PASSWORD}@127.0.0.1:1/0`, '--connect-timeout', '500'] },
  { name: 'live, password as the user part', args: () => ['live', '--redis', `redis://${PASSWORD}@127.0.0.1:${redis.port}`] },
  { name: 'smoke, job fails quoting the credentials', args: () => ['smoke', '--url', urls.echo, '--token', TOKEN, '--timeout', '5'] },
  { name: 'smoke, 401 echoing the token', args: () => ['smoke', '--url', urls.unauthorized, '--token', TOKEN] },
  { name: 'smoke, HTML 500 echoing the token', args: () => ['smoke', '--url', urls.html, '--token-file', tokenFile] },
  { name: 'smoke, success with the token in the result', args: () => ['smoke', '--url', urls.ok], env: () => ({ RECEIPTS_DOCTOR_TOKEN: TOKEN }) },
  { name: 'smoke, credentials in the URL', args: () => ['smoke', '--url', urls.unauthorized.replace('http://', `http://u:${TOKEN}@`), '--token', TOKEN] },
  { name: 'smoke, unreachable', args: () => ['smoke', '--url', 'http://127.0.0.1:1', '--token', TOKEN] },
  {
    name: 'check, every stage, failing smoke',
    args: () => ['check', project, '--redis', redisUrl(), '--url', urls.echo, '--token', TOKEN, '--timeout', '5'],
  },
  {
    name: 'check, wrong password, 401',
    args: () => ['check', project, '--redis', redisUrl(WRONG_PASSWORD), '--url', urls.unauthorized, '--token', TOKEN],
  },
  {
    name: 'check, both unreachable',
    args: () => ['check', project, '--redis', `redis://:${PASSWORD}@127.0.0.1:1`, '--connect-timeout', '500', '--url', 'http://127.0.0.1:1'],
    env: () => ({ RECEIPTS_DOCTOR_TOKEN: TOKEN }),
  },
  {
    name: 'check, an API quoting the bare Redis password',
    args: () => ['check', '--redis', redisUrl(), '--url', urls.bare, '--token', TOKEN],
    cwd: () => tempDir(),
  },
  { name: 'check, config file with the URLs', args: () => ['check', configProject], env: () => ({ RECEIPTS_DOCTOR_TOKEN: TOKEN }) },
];

describe('no secret in any output', () => {
  it(`${scenarios.length} scenarios × formats (${FORMATS.join(', ')}), to stdout and to --output, with and without --verbose`, async () => {
    const runs = scenarios.flatMap((scenario, index) =>
      FORMATS.flatMap((format, formatIndex) => {
        // Every format to stdout; each scenario also writes one format (rotating) to a file. --verbose on half.
        const toFile = (formatIndex + index) % FORMATS.length === 0;
        const verbose = (formatIndex + index) % 2 === 0;
        return [{ scenario, format, toFile: false, verbose }, ...(toFile ? [{ scenario, format, toFile: true, verbose: !verbose }] : [])];
      }),
    );
    const problems: string[] = [];
    await mapLimit(runs, 4, async ({ scenario, format, toFile, verbose }) => {
      const output = toFile ? join(tempDir(), `report.${format}`) : undefined;
      const args = [...scenario.args(), '--format', format, ...(output ? ['--output', output] : []), ...(verbose ? ['--verbose'] : [])];
      const label = `${scenario.name} [${format}${toFile ? ', --output' : ''}${verbose ? ', --verbose' : ''}]`;
      const run = await runBounded(args, { timeoutMs: 30_000, ...(scenario.env ? { env: scenario.env() } : {}), ...(scenario.cwd ? { cwd: scenario.cwd() } : {}) });
      try {
        // --verbose may add a stack trace for an unexpected error; the guarantees hold without it.
        if (!verbose) expectRobust(run, label);
        const texts: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
        if (output && existsSync(output)) texts[output] = readFileSync(output, 'utf8');
        expectNoSecret(texts, SECRETS, label);
      } catch (error) {
        problems.push((error as Error).message.split("\n").slice(0, 12).join("\n"));
      }
    });
    expect(problems, problems.join('\n\n')).toEqual([]);
  }, 300_000);
});

describe('serve', () => {
  it('neither the token nor the Redis password appears in what serve prints, nor in a smoke run against it', async () => {
    const pair = await startServe(['--port', '0', '--redis', redisUrl(), '--token', TOKEN, '--queues', 'default'], {
      RECEIPTS_DOCTOR_SERVE_BATCHES: '1',
    });
    try {
      for (const format of FORMATS) {
        const ok = await runBounded(['smoke', '--url', pair.apiUrl!, '--token', TOKEN, '--format', format, '--timeout', '20'], { timeoutMs: 30_000 });
        expectRobust(ok, `smoke against serve [${format}]`);
        expect(ok.exitCode, ok.stderr).toBe(0);
        expectNoSecret({ stdout: ok.stdout, stderr: ok.stderr }, SECRETS, `smoke against serve [${format}]`);
      }
      const unauthorized = await runBounded(['smoke', '--url', pair.apiUrl!, '--token', `${TOKEN}-wrong`, '--format', 'json'], { timeoutMs: 30_000 });
      // The doctor's own token refused: exit 2 (smoke-unauthorized), still without any secret.
      expect(unauthorized.exitCode).toBe(2);
      expectNoSecret({ stdout: unauthorized.stdout, stderr: unauthorized.stderr }, SECRETS, 'smoke against serve, wrong token');
      const live = await runBounded(['check', '--redis', redisUrl(), '--format', 'json', '--url', pair.apiUrl!, '--token', TOKEN], { timeoutMs: 30_000, cwd: tempDir() });
      expectRobust(live, 'check against serve');
      expectNoSecret({ stdout: live.stdout, stderr: live.stderr }, SECRETS, 'check against serve');
    } finally {
      pair.child.kill('SIGTERM');
      await pair.exited;
    }
    expectNoSecret({ stdout: pair.stdout(), stderr: pair.stderr() }, SECRETS, 'serve output');
  }, 120_000);

  it('serve with a wrong Redis password fails without printing it', async () => {
    const run = await runBounded(['serve', '--port', '0', '--redis', redisUrl(WRONG_PASSWORD), '--token', TOKEN], { timeoutMs: 20_000 });
    expect(run.timedOut, `serve kept running with a wrong password:\n${run.stderr}`).toBe(false);
    expectRobust(run, 'serve, wrong password');
    expect(run.exitCode).toBe(2);
    expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, SECRETS, 'serve, wrong password');
  }, 60_000);
});
