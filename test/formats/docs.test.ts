import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_HELP, ruleHelpUri } from '../../src/report/rule-help.js';
import { RULES, ruleDocPath, RULE_DOCS_BASE_URL } from '../../src/rules.js';
import { REPO_ROOT } from '../helpers/cli.js';

const read = (file: string) => readFileSync(new URL(file, `file://${REPO_ROOT}/`), 'utf8');

describe('rule documentation', () => {
  it.each(RULES.map((rule) => rule.id))('%s has a doc page: meaning, why, an example, how to fix', (id) => {
    const file = ruleDocPath(id);
    expect(existsSync(`${REPO_ROOT}/${file}`), `${file} is missing`).toBe(true);
    const doc = read(file);
    expect(doc.split('\n')[0]).toContain(id);
    for (const heading of ['## What it means', '## Why it matters', '## Example', '## How to fix']) expect(doc).toContain(heading);
    // The example shows real output: a fenced block naming the rule.
    const example = doc.slice(doc.indexOf('## Example'), doc.indexOf('## How to fix'));
    expect(example).toMatch(new RegExp(`\`\`\`text\\n[^]*${id}[^]*\`\`\``));
    expect(RULE_HELP[id]?.length ?? 0).toBeGreaterThan(10);
    expect(ruleHelpUri(id)).toBe(`${RULE_DOCS_BASE_URL}${id}.md`);
  });

  it('the rules index lists every rule, and no page documents a rule that does not exist', () => {
    const index = read('docs/rules/README.md');
    for (const rule of RULES) expect(index).toContain(`(${rule.id}.md)`);
    const pages = readdirSync(`${REPO_ROOT}/docs/rules`).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(pages.map((name) => name.slice(0, -3)).sort()).toEqual(RULES.map((rule) => rule.id).sort());
  });
});
