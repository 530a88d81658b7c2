import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import vm from 'node:vm';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { wrapBundle } from '../src/bundle/compile.js';
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
    // What the bin runs: the start scripts/bundle.js makes after tsc, required from a CommonJS bin (bin/package.json).
    expect(paths).toContain('dist/bundle/start.cjs');
    expect(readFileSync(path.join(REPO_ROOT, 'bin/receipts-doctor.js'), 'utf8')).toContain("require('../dist/bundle/start.cjs');");
    expect(paths).toContain('bin/receipts-doctor.js');
    expect(paths).toContain('bin/package.json');
    expect(JSON.parse(readFileSync(path.join(REPO_ROOT, 'bin/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(paths.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(paths.filter((file) => file.startsWith('src/'))).toEqual([]);
    // Besides JavaScript: the CommonJS bundles (the CLI, the `live` command alone) and their V8 code caches
    // (scripts/bundle.js, scripts/code-cache.js), and the CommonJS start the bin requires.
    expect(paths.filter((file) => file.startsWith('dist/') && !file.endsWith('.js')).sort()).toEqual([
      'dist/bundle/cli.cjs',
      'dist/bundle/cli.cjs.cache',
      'dist/bundle/live.cjs',
      'dist/bundle/live.cjs.cache',
      'dist/bundle/start.cjs',
    ]);
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
  it.each(['cli.cjs', 'live.cjs'])('V8 accepts the code cache the build made for %s, in a plain node process', async (name) => {
    // A rejected cache still runs (compiled as usual) but loses the start-up it exists for; only a check can tell.
    const bundle = path.join(REPO_ROOT, 'dist/bundle', name);
    const result = await execa(process.execPath, [path.join(REPO_ROOT, 'scripts/code-cache.js'), '--check', bundle], { env: { NODE_OPTIONS: '' }, reject: false });
    expect(result.exitCode).toBe(0);
  });

  it.each(['cli.cjs', 'live.cjs', 'start.cjs'])('%s runs in strict mode, as the ES modules it is built from do', (name) => {
    // A banner before esbuild's "use strict" once made that a plain string statement: the CLI ran in sloppy mode
    // while the tests of its modules ran strict. A strict function refuses to show its `caller`.
    const text = readFileSync(path.join(REPO_ROOT, 'dist/bundle', name), 'latin1');
    // start.cjs is required by the bin (Node wraps it); the bundles are written wrapped.
    const source = name === 'start.cjs' ? wrapBundle(text) : text;
    const wrapper = new vm.Script(source).runInThisContext() as () => void;
    expect(() => wrapper.caller).toThrow(TypeError);
  });

  it('the `live` bundle holds no module of the static stage (no loader, parser, scanner, analyzer or yaml)', () => {
    // esbuild names each bundled module in a `// path` comment line.
    const modules = readFileSync(path.join(REPO_ROOT, 'dist/bundle/live.cjs'), 'latin1').match(/^\/\/ (?:dist|node_modules)\/\S+/gm) ?? [];
    expect(modules).toContain('// dist/live/index.js');
    expect(modules).toContain('// dist/frameworks/rq/live.js');
    const staticStage = /^\/\/ (?:dist\/(?:languages|scan|workers|analysis|fix|compose)\/|dist\/static\.js|dist\/sources\/(?!ids\.js|environment-name\.js)|dist\/frameworks\/index\.js|node_modules\/yaml\/)/;
    expect(modules.filter((module) => staticStage.test(module))).toEqual([]);
  });

  it('`live` parses, helps and refuses alike in the `live` bundle and in the full CLI', async () => {
    const full = path.join(REPO_ROOT, 'dist/cli/index.js');
    for (const args of [['live', '--help'], ['live', '--bogus'], ['live', '--redis', 'redis://x', '--format', 'yaml'], ['live'], ['live', '--environment', 'prod', '--redis', 'redis://x']]) {
      const fromBin = await execa(process.execPath, ['--', path.join(REPO_ROOT, 'bin/receipts-doctor.js'), ...args], { reject: false, env: { NO_COLOR: '1', REDIS_URL: undefined }, extendEnv: true });
      const fromFull = await execa(process.execPath, [full, ...args], { reject: false, env: { NO_COLOR: '1', REDIS_URL: undefined }, extendEnv: true });
      expect({ exitCode: fromBin.exitCode, stdout: fromBin.stdout, stderr: fromBin.stderr }, args.join(' ')).toEqual({
        exitCode: fromFull.exitCode,
        stdout: fromFull.stdout,
        stderr: fromFull.stderr,
      });
    }
  });

  it('runs without its cache, and with a damaged one: the bundle is compiled as usual', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'rd-bundle-'));
    try {
      cpSync(path.join(REPO_ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
      cpSync(path.join(REPO_ROOT, 'dist/bundle'), path.join(copy, 'dist/bundle'), { recursive: true });
      writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ type: 'module' }));
      const caches = ['cli.cjs.cache', 'live.cjs.cache'].map((name) => path.join(copy, 'dist/bundle', name));
      const project = path.join(REPO_ROOT, 'fixtures/incident');
      const bin = path.join(copy, 'bin/receipts-doctor.js');
      const run = () => execa(process.execPath, [bin, 'static', project, '--format', 'json'], { reject: false });
      // The `live` bundle, and a `live` run with a project that it hands to the full one: port 1 refuses at once.
      const live = (...dir: string[]) => execa(process.execPath, [bin, 'live', ...dir, '--redis', 'redis://127.0.0.1:1'], { reject: false });
      const expected = JSON.parse(String((await run()).stdout)).findings;
      expect(expected.map((finding: { rule: string }) => finding.rule)).toContain('queue-without-worker');
      const refused = 'receipts-doctor: Cannot connect to Redis at redis://127.0.0.1:1: connection refused.';
      for (const damage of [(cache: string) => truncateSync(cache, 1000), (cache: string) => rmSync(cache)]) {
        for (const cache of caches) damage(cache);
        const result = await run();
        expect(result.exitCode).toBe(1);
        expect(JSON.parse(String(result.stdout)).findings).toEqual(expected);
        for (const dir of [[], [project]]) {
          const liveResult = await live(...dir);
          expect(liveResult.exitCode).toBe(2);
          expect(liveResult.stderr).toBe(refused);
        }
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
