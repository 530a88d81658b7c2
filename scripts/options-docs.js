#!/usr/bin/env node
// Writes the generated part of docs/options.md: every command's usage, argument and options, as the CLI defines
// them (src/cli/program.ts, built into dist/). Run `npm run docs:options` after changing a command or an option;
// test/docs/readme.test.ts fails until they agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/cli/program.js';
import { OPTIONS_DOC_END, OPTIONS_DOC_START, renderOptionsReference } from '../dist/cli/options-doc.js';

const file = fileURLToPath(new URL('../docs/options.md', import.meta.url));
const page = readFileSync(file, 'utf8');
const start = page.indexOf(OPTIONS_DOC_START);
const end = page.indexOf(OPTIONS_DOC_END);
if (start < 0 || end < start) throw new Error(`${file}: the generated-part markers are missing`);
writeFileSync(file, `${page.slice(0, start + OPTIONS_DOC_START.length)}\n${renderOptionsReference(buildProgram())}\n${page.slice(end)}`);
