/**
 * The README is a short, true entry point and docs/ holds the rest: the set-up stays on top (CI runs its test
 * command), every link resolves, every command it shows parses, and what can be generated from the code is.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS_DOC_END, OPTIONS_DOC_START, renderOptionsReference } from '../../src/cli/options-doc.js';
import { buildProgram } from '../../src/cli/program.js';
import { PROJECT_DIR_ARGUMENT } from '../../src/cli/stages.js';
import { BACKENDS } from '../../src/frameworks/index.js';
import { splitShellWords } from '../../src/shell-words.js';
import { SOURCES } from '../../src/sources/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { anchorOf, fences, headings, markdownFiles, prose, readDoc, relativeLinks } from './markdown.js';

const readme = readDoc('README.md');
const RUN = 'npx receipts-doctor ';

/** The commands the README gives after the set-up: `sh` blocks, and the `$ ` lines of console samples (comments cut). */
const commandLines = () =>
  fences(readme)
    .slice(1)
    .flatMap((fence) => (fence.lang === 'sh' ? fence.lines : fence.lang === 'console' ? fence.lines.filter((line) => line.startsWith('$ ')).map((line) => line.slice(2)) : []))
    .map((line) => line.replace(/\s+#.*$/, ''))
    .filter(Boolean);

describe('the README', () => {
  it('starts with the two set-up commands; the second is what CI runs (.ci/run), verbatim', () => {
    const [title, blank, intro, blank2, fence] = readme.split('\n');
    expect([title, blank, blank2, fence]).toEqual(['# receipts-doctor', '', '', '```sh']);
    expect(intro).toMatch(/^On a fresh machine/);
    const setup = fences(readme)[0]!;
    expect(setup.lang).toBe('sh');
    expect(setup.lines).toHaveLength(2);
    expect(setup.lines[0]).toMatch(/^apt-get update && apt-get install -y redis-server .*&& npm ci && .*demo$/);
    const ciRun = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8').trimEnd().split('\n').at(-1);
    expect(setup.lines[1]).toBe(ciRun);
    expect(setup.lines[1]).toMatch(/&& npm ci && npm test$/);
  });

  it('says how to run the CLI after the set-up, and from another project', () => {
    expect(prose(readme)).toContain('**`npx receipts-doctor …` runs the CLI anywhere in the clone**');
    expect(prose(readme)).toMatch(/`npm link` here once \(then `receipts-doctor` is on your PATH\)/);
    // Every command the README shows is in the form that works after the set-up.
    const shown = commandLines().filter((line) => /receipts-doctor /.test(line));
    expect(shown.length).toBeGreaterThan(5);
    for (const line of shown) expect(line, line).toMatch(/^npx receipts-doctor /);
  });

  it('reads in five minutes: at most 160 lines and 1,000 words of prose', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(160);
    expect(prose(readme).split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(1000);
  });

  it('links the docs, including security and the exporter', () => {
    const links = relativeLinks(readme);
    for (const page of ['docs/install.md', 'docs/commands.md', 'docs/options.md', 'docs/ci.md', 'docs/rules/README.md', 'docs/sources.md', 'docs/limitations.md', 'docs/security.md', 'docs/exporter.md']) {
      expect(links, page).toContain(page);
    }
  });

  it('every command line it gives parses: known command, known options, right arguments', async () => {
    const lines = commandLines().filter((line) => line.startsWith(RUN));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const program = buildProgram();
      let ran = '';
      for (const command of program.commands) command.action(() => void (ran = command.name()));
      // Parsed as the shell would split it; a usage error throws (exitOverride) and fails the test with the line.
      const words = splitShellWords(line.slice(RUN.length));
      await expect(program.parseAsync(words, { from: 'user' }), line).resolves.toBeDefined();
      expect(ran, line).toBe(words[0]);
    }
  });
});

describe('the docs', () => {
  it.each(markdownFiles())('%s: every relative link resolves, anchors included', (file) => {
    const text = readDoc(file);
    for (const link of relativeLinks(text)) {
      const [target, anchor] = link.split('#') as [string, string | undefined];
      const resolved = target === '' ? path.join(REPO_ROOT, file) : path.resolve(path.dirname(path.join(REPO_ROOT, file)), target);
      expect(existsSync(resolved), `${file}: ${link}`).toBe(true);
      if (anchor !== undefined && resolved.endsWith('.md')) {
        expect(headings(readFileSync(resolved, 'utf8')), `${file}: ${link}`).toContain(anchor);
      }
    }
  });

  it('anchors are computed as GitHub does', () => {
    expect(anchorOf('3. Findings and the JSON report')).toBe('3-findings-and-the-json-report');
    expect(anchorOf('`check` — everything it can, one report')).toBe('check--everything-it-can-one-report');
  });

  it('docs/options.md holds every command and option as the CLI defines them (npm run docs:options renders it)', () => {
    const page = readDoc('docs/options.md');
    const start = page.indexOf(OPTIONS_DOC_START);
    const end = page.indexOf(OPTIONS_DOC_END);
    expect(start).toBeGreaterThan(0);
    expect(page.slice(start + OPTIONS_DOC_START.length + 1, end - 1), 'run `npm run docs:options`').toBe(renderOptionsReference(buildProgram()));
  });

  it("docs/ci.md's config example lists every live backend", () => {
    const line = readDoc('docs/ci.md').split('\n').find((text) => /^\s+backend: auto\s+#/.test(text));
    expect(line).toBeDefined();
    expect(line!.replace(/^[^#]*# /, '')).toBe(`${BACKENDS.join(', ')} or auto`);
  });
});

describe('help that matches behaviour', () => {
  const help = (name: string) => buildProgram().commands.find((command) => command.name() === name)!.helpInformation();

  it('every [dir] argument names every deployment source, not "compose files"', () => {
    expect(PROJECT_DIR_ARGUMENT).toBe(`project dir, with any deployment source: ${SOURCES.map((source) => source.id).join(', ')}`);
    for (const command of buildProgram().commands) {
      for (const argument of command.registeredArguments) {
        expect(argument.description, command.name()).toContain(PROJECT_DIR_ARGUMENT);
      }
      expect(command.helpInformation(), command.name()).not.toMatch(/compose files/);
    }
  });

  it('live names every backend; fix --format shows its default once', () => {
    const live = help('live').replace(/\s+/g, ' ');
    expect(live).toContain(`(${BACKENDS.slice(0, -1).join(', ')} and ${BACKENDS.at(-1)})`);
    const format = /--format <name>[^\n]*(\n {20,}[^\n]*)*/.exec(help('fix'))![0];
    expect(format.match(/\(default:/g)).toHaveLength(1);
  });
});
