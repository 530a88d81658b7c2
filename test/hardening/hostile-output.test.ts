/**
 * Issue 18, items 9, 13 and 15: a status answer about another job is a finding, not a pass; a queue name with
 * backticks (from code) renders as text in markdown findings, never as a live link or image; the embedded pair's
 * job ids are random, so they never repeat across restarts. Every CLI run is bounded by the harness.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { JOB_ID_PARAM, STATUS_PATH, SYNC_PATH } from '../../src/contract/http.js';
import { escapeMarkdownText } from '../../src/report/markdown.js';
import { killAllServe, startServe } from '../embedded/serve-process.js';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(async () => {
  removeTempDirs();
  await killAllServe();
});

/** An API that accepts job-A and then answers every status poll about job-OTHER, finished. */
async function otherJobApi(): Promise<{ url: string; polled: string[]; close(): Promise<void> }> {
  const polled: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST' && url.pathname === SYNC_PATH) {
        response.writeHead(202).end(JSON.stringify({ job_id: 'job-A', status: 'queued' }));
      } else if (url.pathname === STATUS_PATH) {
        polled.push(url.searchParams.get(JOB_ID_PARAM) ?? '');
        response.writeHead(200).end(JSON.stringify({ job_id: 'job-OTHER', status: 'finished' }));
      } else response.writeHead(404).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    polled,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.concurrent('smoke: an answer about another job (item 9)', () => {
  it('is a smoke-http-status finding naming both ids, not OK', async () => {
    const api = await otherJobApi();
    try {
      const run = await runBounded(['smoke', '--url', api.url, '--timeout', '5', '--format', 'json']);
      expectRobust(run, 'other job');
      expect(run.exitCode).toBe(1);
      expect(api.polled[0]).toBe('job-A');
      const report = JSON.parse(run.stdout) as { ok: boolean; findings: { rule: string; message: string }[] };
      expect(report.ok).toBe(false);
      expect(report.findings.map((finding) => finding.rule)).toEqual(['smoke-http-status']);
      expect(report.findings[0]!.message).toMatch(/job `job-A`.*another job, `job-OTHER`/);
    } finally {
      await api.close();
    }
  });
});

describe.concurrent('markdown: untrusted text in findings (item 13)', () => {
  it('a queue name with backticks, a link and an image from code renders as text', async () => {
    const name = 'a`![pwn](https://evil.example/x.png)[click](https://evil.example)`b';
    const dir = writeTree(tempDir('rd-md-'), {
      'docker-compose.yml': 'services:\n  worker:\n    image: app\n    command: rq worker default\n',
      'app/tasks.py': `from rq import Queue\nQueue(${JSON.stringify(name)}).enqueue('x')\n`,
    });
    const run = await runBounded(['static', dir, '--format', 'markdown']);
    expectRobust(run, 'markdown injection');
    expect(run.stdout).toContain('queue-without-worker');
    // No unescaped image or link opener anywhere outside the tool's own rule links.
    // (and outside the coverage table's padded ``…`` code spans, which are inert)
    const withoutRuleLinks = run.stdout
      .replace(/\[[a-z-]+\]\(https:\/\/[^)]*\/docs\/rules\/[a-z-]+\.md\)/g, '')
      .replace(/`` .*? ``/g, '');
    expect(withoutRuleLinks).toContain('\\!\\[pwn\\]');
    expect(withoutRuleLinks).not.toMatch(/(?<!\\)!\[/);
    expect(withoutRuleLinks).not.toMatch(/(?<!\\)\]\(/);
    expect(withoutRuleLinks).not.toMatch(/(?<!\\)https:\/\//);
  });

  it('the tool\'s own code spans stay code spans; lone and empty backticks are literal', () => {
    expect(escapeMarkdownText('Queue `default` has 3 jobs')).toBe('Queue `default` has 3 jobs');
    expect(escapeMarkdownText('odd ` tick [l](u)')).toBe('odd \\` tick \\[l\\]\\(u\\)');
    expect(escapeMarkdownText('empty `` pair')).toBe('empty \\`\\` pair');
    expect(escapeMarkdownText('see www.evil.example or http://evil.example')).toBe('see www\\.evil.example or http\\://evil.example');
  });
});

describe('serve: job ids never repeat across restarts (item 15)', () => {
  it('two runs of serve on a fresh private Redis each hand out ids no other run used', async () => {
    const ids: string[] = [];
    for (let round = 0; round < 2; round++) {
      const serve = await startServe(['--port', '0']);
      try {
        for (let i = 0; i < 3; i++) {
          const response = await fetch(`${serve.apiUrl}${SYNC_PATH}`, {
            method: 'POST',
            headers: { authorization: 'Bearer dev-token', 'content-type': 'application/json' },
            body: '{"mode":"incremental"}',
          });
          expect(response.status).toBe(202);
          ids.push(((await response.json()) as { job_id: string }).job_id);
        }
      } finally {
        // kill -9: the private Redis and its counter are gone; the next run starts from an empty Redis.
        serve.child.kill('SIGKILL');
        await serve.exited;
      }
    }
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  }, 60_000);
});
