#!/usr/bin/env node
// The floor of the static scan in Node on this machine: Node's start, the walk (skipping .git and the directories
// the root .gitignore names) and an open, read and close of every .py/.ts/.js file into one reused buffer — no search,
// no tokenizing, no analysis, no compose loader, no CLI. Any Node scanner pays at least this; bench/static-scale.js
// times it beside ripgrep to show how much of the 5× budget is left for everything else. (Searching the bytes is left
// out on purpose: six Buffer#indexOf passes cost more than the scanner's own one-pass search.)
//
//   node bench/floor/static-read.js DIR   → prints "<files read> <bytes read>"
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';

const root = process.argv[2];
let ignored = [];
try {
  ignored = readFileSync(path.join(root, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim().replace(/^\/|\/$/g, ''))
    .filter((line) => line && !line.includes('*'));
} catch {
  // no .gitignore: only .git is skipped
}
const skip = new Set(['.git', ...ignored]);
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
let files = 0;
let bytes = 0;

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!skip.has(entry.name)) walk(full);
      continue;
    }
    if (!entry.isFile() || !/\.(py|ts|js)$/.test(entry.name)) continue;
    const fd = openSync(full, 'r');
    bytes += readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
    files += 1;
  }
}

walk(root);
console.log(`${files} ${bytes}`);
