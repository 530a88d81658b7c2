/** Reading the docs as a reader does: fenced blocks, links, headings' anchors, console samples. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const readDoc = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** README.md and every Markdown file under docs/, as repository-relative paths. */
export function markdownFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.md')) files.push(file);
    }
  };
  walk('docs');
  return files;
}

export interface Fence {
  lang: string;
  lines: string[];
}

/** The fenced code blocks of a Markdown text, in order. */
export function fences(text: string): Fence[] {
  const blocks: Fence[] = [];
  let open: Fence | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*```(\S*)/.exec(line);
    if (marker && !open) open = { lang: marker[1]!, lines: [] };
    else if (marker && open) {
      blocks.push(open);
      open = undefined;
    } else if (open) open.lines.push(line);
  }
  return blocks;
}

/** The text outside fenced blocks (links and prose live there). */
export const prose = (text: string) => text.replace(/^\s*```[^]*?^\s*```/gm, '');

/** Relative link targets `[text](target)` outside code (spans and blocks). */
export function relativeLinks(text: string): string[] {
  const outside = prose(text).replace(/`[^`\n]*`/g, '');
  return [...outside.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/i.test(target));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

export const headings = (text: string) => [...prose(text).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!));

/** A console sample: the command after `$ ` and the output lines that follow it, up to the next command. */
export interface Sample {
  command: string;
  output: string[];
}

export function consoleSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const block of fences(text).filter((fence) => fence.lang === 'console')) {
    for (const line of block.lines) {
      if (line.startsWith('$ ')) samples.push({ command: line.slice(2), output: [] });
      else samples.at(-1)?.output.push(line);
    }
  }
  return samples;
}
