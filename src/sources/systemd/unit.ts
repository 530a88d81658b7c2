import * as path from 'node:path';
import type { FileSystem } from '../../fs.js';
import type { DeploymentService, EnvEntry } from '../../model.js';
import type { Location } from '../../types.js';
import { absoluteIn, isRegularFile, listDir, readDeploymentFile } from '../files.js';

/**
 * systemd service units → services. Unit files are read as systemd reads them (sections, `Key=value`, `#`/`;`
 * comments, backslash line continuations, drop-ins in `<unit>.d/*.conf` applied after the unit, an empty assignment
 * resetting a list). `ExecStart=` is split with systemd's quoting (double and single quotes, C escapes), its
 * `-@:+!` prefixes honoured (`@` gives argv[0] separately, `:` turns off variable expansion) and `$VAR`/`${VAR}`
 * expanded from `Environment=` and `EnvironmentFile=` (files found in the project; the file wins over Environment=).
 */

interface Assignment {
  key: string;
  value: string;
  location: Location;
}

/** `[Service]` assignments of one unit file, in order. */
export function parseUnit(text: string, file: string): { assignments: Assignment[]; section?: Location } {
  const assignments: Assignment[] = [];
  let section: string | undefined;
  let sectionAt: Location | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const startLine = index + 1;
    let current = lines[index]!.replace(/\r$/, '');
    const trimmed = current.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    // A trailing backslash continues the line; comment lines inside a continuation are skipped, as systemd does.
    // The parts are joined once at the end: testing a growing string would copy it on every line.
    const parts: string[] = [];
    while (current.endsWith('\\') && index + 1 < lines.length) {
      parts.push(`${current.slice(0, -1)} `);
      index++;
      current = lines[index]!.replace(/\r$/, '');
      while (/^\s*[#;]/.test(current) && index + 1 < lines.length) current = lines[++index]!.replace(/\r$/, '');
    }
    parts.push(current);
    const line = parts.join('');
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1];
      if (section === 'Service') sectionAt ??= { file, line: startLine };
      continue;
    }
    const equals = line.indexOf('=');
    if (equals === -1 || section !== 'Service') continue;
    assignments.push({ key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim(), location: { file, line: startLine } });
  }
  return { assignments, ...(sectionAt ? { section: sectionAt } : {}) };
}

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/** systemd's extract_first_word with quotes and C escapes, over a whole value; each word remembers if it was quoted. */
export function splitUnitWords(value: string): { word: string; quoted: boolean }[] {
  const words: { word: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (i >= value.length) break;
    let word = '';
    let quoted = false;
    while (i < value.length && !/\s/.test(value[i]!)) {
      const ch = value[i]!;
      if (ch === '"' || ch === "'") {
        quoted = true;
        let end = i + 1;
        while (end < value.length && value[end] !== ch) end += ch === '"' && value[end] === '\\' ? 2 : 1;
        end = Math.min(end, value.length);
        word += ch === '"' ? unescapeC(value.slice(i + 1, end)) : value.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '\\') {
        const escaped = escapeAt(value, i);
        word += escaped.text;
        i += escaped.length;
      } else {
        word += ch;
        i++;
      }
    }
    words.push({ word, quoted });
  }
  return words;
}

/** One C escape at `i` (a backslash): its text and how many characters it spans. */
function escapeAt(text: string, i: number): { text: string; length: number } {
  const next = text[i + 1];
  if (next === undefined) return { text: '\\', length: 1 };
  if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
    return { text: String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16)), length: 4 };
  }
  return { text: C_ESCAPES[next] ?? next, length: 2 };
}

/** A double-quoted body with its C escapes resolved. */
function unescapeC(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; ) {
    if (body[i] === '\\') {
      const escaped = escapeAt(body, i);
      out += escaped.text;
      i += escaped.length;
    } else out += body[i++];
  }
  return out;
}

/** `Environment=` assignments: space-separated `KEY=value` words with systemd's quoting. */
function environmentWords(value: string): [string, string][] {
  return splitUnitWords(value).flatMap(({ word }) => {
    const equals = word.indexOf('=');
    return equals > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word.slice(0, equals)) ? [[word.slice(0, equals), word.slice(equals + 1)] as [string, string]] : [];
  });
}

/** An EnvironmentFile as systemd reads one: `KEY=value` lines, `#`/`;` comments, quotes, trailing-backslash continuation. */
export function parseEnvironmentFile(text: string, file: string): Map<string, EnvEntry> {
  const entries = new Map<string, EnvEntry>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const startLine = index + 1;
    let current = lines[index]!.replace(/\r$/, '');
    const parts: string[] = [];
    while (current.endsWith('\\') && index + 1 < lines.length) {
      parts.push(current.slice(0, -1));
      current = lines[++index]!.replace(/\r$/, '');
    }
    parts.push(current);
    const line = parts.join('');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) continue;
    const key = trimmed.slice(0, equals).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    let value = trimmed.slice(equals + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) {
      value = value[0] === '"' ? unescapeC(value.slice(1, -1)) : value.slice(1, -1);
    }
    entries.set(key, { value, location: { file, line: startLine }, unsetVariables: [] });
  }
  return entries;
}

/** `$VAR` as a whole word splits into words; `${VAR}` stays inside its word; unset variables are empty. */
function expandExecWords(words: { word: string; quoted: boolean }[], environment: Record<string, EnvEntry>): string[] {
  const lookup = (name: string) => environment[name]?.value ?? '';
  const argv: string[] = [];
  for (const { word, quoted } of words) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole && !quoted) {
      argv.push(...lookup(whole[1]!).split(/\s+/).filter(Boolean));
      continue;
    }
    argv.push(word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => lookup(name)).replace(/%%/g, '%'));
  }
  return argv;
}

/** An EnvironmentFile path (written for the target host) → a project file: as a project path, then next to the unit. */
function findEnvironmentFile(fs: FileSystem, root: string, unitFile: string, written: string): string | undefined {
  const candidates = [written.replace(/^\/+/, ''), path.posix.join(path.posix.dirname(unitFile), path.posix.basename(written)), path.posix.basename(written)];
  return candidates.map((candidate) => path.posix.normalize(candidate)).find((candidate) => !candidate.startsWith('..') && isRegularFile(fs, absoluteIn(root, candidate)));
}

/** One unit (with its drop-ins) as a service; undefined when it starts nothing. */
export function readUnit(fs: FileSystem, root: string, file: string, text: string): DeploymentService | undefined {
  const parsed = parseUnit(text, file);
  const assignments = [...parsed.assignments];
  const dropInDir = `${file}.d`;
  for (const entry of listDir(fs, absoluteIn(root, dropInDir)).filter((candidate) => candidate.name.endsWith('.conf')).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dropIn = `${dropInDir}/${entry.name}`;
    assignments.push(...parseUnit(readDeploymentFile(fs, root, dropIn, 'systemd drop-in'), dropIn).assignments);
  }
  let execStart: Assignment | undefined;
  const environment: Record<string, EnvEntry> = {};
  const environmentFiles: Assignment[] = [];
  let workingDir: string | undefined;
  for (const assignment of assignments) {
    switch (assignment.key) {
      case 'ExecStart':
        // The empty assignment resets the list (how a drop-in replaces the unit's command); the first command runs.
        if (assignment.value === '') execStart = undefined;
        else execStart ??= assignment;
        break;
      case 'Environment':
        if (assignment.value === '') for (const key of Object.keys(environment)) delete environment[key];
        for (const [key, value] of environmentWords(assignment.value)) environment[key] = { value, location: assignment.location, unsetVariables: [] };
        break;
      case 'EnvironmentFile':
        if (assignment.value === '') environmentFiles.length = 0;
        else environmentFiles.push(assignment);
        break;
      case 'WorkingDirectory':
        workingDir = assignment.value.replace(/^-/, '');
        break;
    }
  }
  // EnvironmentFile= wins over Environment=; a file that is not in the project (it lives on the host) adds nothing.
  for (const assignment of environmentFiles) {
    const written = assignment.value.replace(/^-/, '');
    const found = findEnvironmentFile(fs, root, file, written);
    if (!found) continue;
    for (const [key, entry] of parseEnvironmentFile(readDeploymentFile(fs, root, found, 'EnvironmentFile', assignment.location), found)) environment[key] = entry;
  }
  const name = path.posix.basename(file).replace(/\.service$/, '');
  const service: DeploymentService = {
    name,
    location: parsed.section ?? { file, line: 1 },
    environment,
    profiles: [],
    code: { roots: [''], ...(workingDir && workingDir !== '~' ? { workingDir } : {}) },
  };
  if (!execStart) return parsed.section ? service : undefined;
  let value = execStart.value;
  let expand = true;
  let separateArgv0 = false;
  for (;;) {
    const prefix = value[0];
    if (prefix === '@') separateArgv0 = true;
    else if (prefix === ':') expand = false;
    else if (prefix !== '-' && prefix !== '+' && prefix !== '!') break;
    value = value.slice(1);
  }
  let words = splitUnitWords(value);
  // `@/usr/bin/rq rq-worker worker …`: the second word is argv[0]; the program is still the first.
  if (separateArgv0 && words.length > 1) words = [words[0]!, ...words.slice(2)];
  const argv = expand ? expandExecWords(words, environment) : words.map(({ word }) => word);
  if (argv.length > 0) service.command = { argv, location: execStart.location };
  return service;
}
