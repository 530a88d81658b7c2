import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { RULE_DOCS_BASE_URL } from '../src/rules.js';
import { REPO_ROOT } from './helpers/cli.js';

const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

describe('the package', () => {
  it('ships no source maps (src/ is not shipped), and only JavaScript under dist/', async () => {
    // --ignore-scripts: dist/ was built by the global setup; `prepare` would rebuild it under running tests.
    const result = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT });
    const [{ files }] = JSON.parse(String(result.stdout)) as { files: { path: string }[] }[];
    const paths = files.map((file) => file.path);
    expect(paths).toContain('dist/cli/index.js');
    // What the bin runs: the bundle scripts/bundle.js makes after tsc.
    expect(paths).toContain('dist/bundle/cli.js');
    expect(readFileSync(path.join(REPO_ROOT, 'bin/receipts-doctor.js'), 'utf8')).toContain("import '../dist/bundle/cli.js';");
    expect(paths).toContain('bin/receipts-doctor.js');
    expect(paths.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(paths.filter((file) => file.startsWith('src/'))).toEqual([]);
    // Besides JavaScript: the CommonJS bundle and its V8 code cache (scripts/bundle.js, scripts/code-cache.js).
    expect(paths.filter((file) => file.startsWith('dist/') && !file.endsWith('.js')).sort()).toEqual(['dist/bundle/cli.cjs', 'dist/bundle/cli.cjs.cache']);
    for (const file of paths.filter((name) => name.startsWith('dist/') && !name.endsWith('.cache'))) {
      expect(readFileSync(path.join(REPO_ROOT, file), 'utf8'), file).not.toContain('sourceMappingURL');
    }
  });

  it('names its repository, homepage and issue tracker: the repository SARIF and markdown link to', () => {
    const repository = /^https:\/\/github\.com\/[^/]+\/[^/]+\//.exec(RULE_DOCS_BASE_URL)![0].slice(0, -1);
    expect(packageJson.repository).toEqual({ type: 'git', url: `git+${repository}.git` });
    expect(packageJson.homepage).toBe(`${repository}#readme`);
    expect(packageJson.bugs).toEqual({ url: `${repository}/issues` });
  });

  it('denies the install scripts of msgpackr-extract and esbuild (their prebuilt binaries need no script) and docs/install.md says why', () => {
    expect(packageJson.allowScripts).toEqual({ 'msgpackr-extract': false, esbuild: false });
    const install = readFileSync(path.join(REPO_ROOT, 'docs/install.md'), 'utf8');
    expect(install).toMatch(/`msgpackr-extract` is an optional native accelerator/);
    expect(install).toMatch(/The same holds for `esbuild`/);
    // A project installing the tarball is not covered by this package.json: the page says what npm prints there.
    expect(install).toMatch(/the clone's `allowScripts` does not apply there/);
  });
});

describe('the bundle and its code cache', () => {
  it('V8 accepts the code cache the build made, in a plain node process', async () => {
    // A rejected cache still runs (compiled as usual) but loses the start-up it exists for; only a check can tell.
    const result = await execa(process.execPath, [path.join(REPO_ROOT, 'scripts/code-cache.js'), '--check'], { env: { NODE_OPTIONS: '' }, reject: false });
    expect(result.exitCode).toBe(0);
  });

  it('runs without its cache, and with a damaged one: the bundle is compiled as usual', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'rd-bundle-'));
    try {
      cpSync(path.join(REPO_ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
      cpSync(path.join(REPO_ROOT, 'dist/bundle'), path.join(copy, 'dist/bundle'), { recursive: true });
      writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ type: 'module' }));
      const cache = path.join(copy, 'dist/bundle/cli.cjs.cache');
      const project = path.join(REPO_ROOT, 'fixtures/incident');
      const run = () => execa(process.execPath, [path.join(copy, 'bin/receipts-doctor.js'), 'static', project, '--format', 'json'], { reject: false });
      const expected = JSON.parse(String((await run()).stdout)).findings;
      expect(expected.map((finding: { rule: string }) => finding.rule)).toContain('queue-without-worker');
      truncateSync(cache, 1000);
      const damaged = await run();
      expect(damaged.exitCode).toBe(1);
      expect(JSON.parse(String(damaged.stdout)).findings).toEqual(expected);
      rmSync(cache);
      const without = await run();
      expect(without.exitCode).toBe(1);
      expect(JSON.parse(String(without.stdout)).findings).toEqual(expected);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
