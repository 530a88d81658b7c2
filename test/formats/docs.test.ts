import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_BODY, DIAGNOSTICS_PATH, STATUS_PATH, SYNC_PATH, WORKER_OFFLINE } from '../../src/contract/http.js';
import { isFixable, isRuleId, RULES, ruleDocHeader, ruleDocPath, ruleHelpUri, RULE_DOCS_BASE_URL, rulesIndexTable } from '../../src/rules.js';
import { REPO_ROOT } from '../helpers/cli.js';

const read = (file: string) => readFileSync(new URL(file, `file://${REPO_ROOT}/`), 'utf8');
const REGENERATE = 'run `npm run docs:rules` to render it from src/rules.ts';

describe('rule documentation', () => {
  it.each(RULES.map((rule) => rule.id))('%s has a doc page: the registry header, meaning, why, an example, how to fix', (id) => {
    const file = ruleDocPath(id);
    expect(existsSync(`${REPO_ROOT}/${file}`), `${file} is missing`).toBe(true);
    const doc = read(file);
    // Title, stage, severity and the one-line summary are the registry's, verbatim.
    expect(doc.slice(0, doc.indexOf('\n## ') + 1), `${file}: ${REGENERATE}`).toBe(ruleDocHeader(id));
    for (const heading of ['## What it means', '## Why it matters', '## Example', '## How to fix']) expect(doc).toContain(heading);
    // The example shows real output: a fenced block naming the rule.
    const example = doc.slice(doc.indexOf('## Example'), doc.indexOf('## How to fix'));
    expect(example).toMatch(new RegExp(`\`\`\`text\\n[^]*${id}[^]*\`\`\``));
    expect(ruleHelpUri(id)).toBe(`${RULE_DOCS_BASE_URL}${id}.md`);
  });

  it('every rule states its advice and summary once, as whole sentences', () => {
    for (const rule of RULES) {
      expect(rule.description, rule.id).toMatch(/^[A-Z][^\n]{10,}\.$/);
      expect(rule.help, rule.id).toMatch(/^[A-Z][^\n]{10,}\.$/);
    }
  });

  it('the rules index is the table rendered from the registry, and no page documents a rule that does not exist', () => {
    const index = read('docs/rules/README.md');
    const table = /<!-- rules-table:start[^>]*-->\n([^]*?)\n<!-- rules-table:end -->/.exec(index)?.[1];
    expect(table, `docs/rules/README.md: ${REGENERATE}`).toBe(rulesIndexTable());
    const pages = readdirSync(`${REPO_ROOT}/docs/rules`).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(pages.map((name) => name.slice(0, -3)).sort()).toEqual(RULES.map((rule) => rule.id).sort());
  });
});

describe('docs/fix.md', () => {
  it('lists, as its rules, exactly those the registry marks fixable', () => {
    const doc = read('docs/fix.md');
    const intro = doc.slice(0, doc.indexOf('\n## '));
    const listed = [...intro.matchAll(/^- \*\*`([a-z-]+)`\*\*/gm)].map((match) => match[1]);
    expect(listed).toEqual(['queue-without-worker', 'worker-check-mismatch']);
    expect(RULES.filter((rule) => rule.fixable).map((rule) => rule.id)).toEqual(listed);
    expect(RULES.filter((rule) => isFixable(rule.id)).map((rule) => rule.id)).toEqual(listed);
    expect(isFixable('not-a-rule')).toBe(false);
  });
});

describe('docs/CONTRACT.md', () => {
  const contract = read('docs/CONTRACT.md');

  it('keeps the section numbers §1…§9 that code and docs cite, in order', () => {
    const numbers = [...contract.matchAll(/^## (\d+)\. /gm)].map((match) => Number(match[1]));
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('states the HTTP contract as src/contract/http.ts spells it', () => {
    for (const text of [`POST ${SYNC_PATH}`, `GET ${STATUS_PATH}?job_id=`, `GET ${DIAGNOSTICS_PATH}`, DEFAULT_SYNC_BODY, WORKER_OFFLINE]) {
      expect(contract).toContain(text);
    }
  });

  it('points at the generated rules table, and calls planned only rules that are not built yet', () => {
    // The table of every rule lives in docs/rules/README.md (kept equal to the registry by the test above).
    expect(contract).toContain('[docs/rules/README.md](rules/README.md)');
    const planned = /\*\*Planned:\*\* ((?:`[a-z-]+`(?:, )?)+)/.exec(contract)?.[1];
    const ids = [...(planned ?? '').matchAll(/`([a-z-]+)`/g)].map((match) => match[1]!);
    for (const id of ids) expect(isRuleId(id), `${id} is built: move it out of "planned"`).toBe(false);
  });
});
