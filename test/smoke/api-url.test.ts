/**
 * The API's base URL is checked in one place (src/smoke/api-url.ts): by the CLI before any stage runs, by runSmoke
 * for a library caller, and by the config file's `smoke.url`; each says the same thing about the same text.
 */
import { describe, expect, it } from 'vitest';
import { resolveSmoke } from '../../src/cli/stages.js';
import { parseProjectConfig } from '../../src/config/index.js';
import { InputError } from '../../src/errors.js';
import { apiUrlProblem, parseApiUrl } from '../../src/smoke/api-url.js';
import { runSmoke } from '../../src/smoke/index.js';
import { runCli } from '../helpers/cli.js';

const CASES: [string, string | undefined][] = [
  ['http://127.0.0.1:8080', undefined],
  ['https://user:pass@api.example.com/app/', undefined],
  ['HTTP://API.EXAMPLE.COM', undefined],
  ['ftp://127.0.0.1/', 'must be an http:// or https:// URL'],
  ['redis://127.0.0.1:6379', 'must be an http:// or https:// URL'],
  ['api.example.com:8080', 'must be an http:// or https:// URL'],
  ['127.0.0.1:8080', 'is not a valid URL'],
  ['http://', 'is not a valid URL'],
  ['not a url', 'is not a valid URL'],
  ['', 'is not a valid URL'],
];

const smokeOptions = (url: string) => ({ url, body: '{}', syncPath: '/s', statusPath: '/t', diagnosticsPath: '/d', timeoutMs: 1000, insecure: false });

describe('the API base URL', () => {
  it.each(CASES)('%j: %s', (raw, problem) => {
    expect(apiUrlProblem(raw)).toBe(problem);
    if (problem === undefined) expect(parseApiUrl(raw).href).toBe(new URL(raw).href);
    else expect(() => parseApiUrl(raw)).toThrow(new InputError(`--url ${problem}.`));
  });

  it('the CLI options, runSmoke and the config file refuse the same texts', async () => {
    // An empty --url is no --url at all (the smoke does not run); the config file says `must not be empty`.
    const refused = CASES.filter(([raw, problem]) => problem !== undefined && raw !== '');
    expect(refused).toHaveLength(6);
    for (const [raw, problem] of refused) {
      expect(() => resolveSmoke({ url: raw }, {}), raw).toThrow(new InputError(`--url ${problem}.`));
      await expect(runSmoke(smokeOptions(raw)), raw).rejects.toThrow(new InputError(`--url ${problem}.`));
      expect(() => parseProjectConfig(`smoke:\n  url: ${JSON.stringify(raw)}\n`, 'c.yml'), raw).toThrow(/^smoke\.url must be an http:\/\/ or https:\/\/ URL$/);
    }
  });

  it('`smoke --url ftp://…` and `check --url 127.0.0.1:8080` exit 2 with one line', async () => {
    for (const [args, problem] of [
      [['smoke', '--url', 'ftp://127.0.0.1/'], 'must be an http:// or https:// URL'],
      [['check', '--url', '127.0.0.1:8080'], 'is not a valid URL'],
    ] as const) {
      const result = await runCli([...args]);
      expect(result.exitCode).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`--url ${problem.replaceAll('/', '\\/')}\\.$`));
    }
  });
});
