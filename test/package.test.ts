import { readFileSync } from 'node:fs';
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
    expect(paths.filter((file) => file.startsWith('dist/') && !file.endsWith('.js'))).toEqual([]);
    for (const file of paths.filter((name) => name.startsWith('dist/'))) {
      expect(readFileSync(path.join(REPO_ROOT, file), 'utf8'), file).not.toContain('sourceMappingURL');
    }
  });

  it('names its repository, homepage and issue tracker: the repository SARIF and markdown link to', () => {
    const repository = /^https:\/\/github\.com\/[^/]+\/[^/]+\//.exec(RULE_DOCS_BASE_URL)![0].slice(0, -1);
    expect(packageJson.repository).toEqual({ type: 'git', url: `git+${repository}.git` });
    expect(packageJson.homepage).toBe(`${repository}#readme`);
    expect(packageJson.bugs).toEqual({ url: `${repository}/issues` });
  });

  it('denies the install scripts of msgpackr-extract and esbuild (their prebuilt binaries need no script) and the README says why', () => {
    expect(packageJson.allowScripts).toEqual({ 'msgpackr-extract': false, esbuild: false });
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/`msgpackr-extract` has an install script/);
    expect(readme).toMatch(/The same holds for `esbuild`/);
  });
});
