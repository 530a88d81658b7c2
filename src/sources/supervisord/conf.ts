import * as path from 'node:path';
import { InputError } from '../../errors.js';
import { OUTSIDE_PROJECT, OUTSIDE_PROJECT_REASON, type DirEntry, type FileSystem } from '../../fs.js';
import { globMatcher } from '../../glob.js';
import type { DeploymentService, EnvEntry } from '../../model.js';
import { splitShellWords } from '../../shell-words.js';
import type { Location } from '../../types.js';
import { absoluteIn } from '../files.js';

/**
 * supervisord configuration → services. The INI dialect is supervisor's (Python's configparser): `[section]`,
 * `key = value` (or `key: value`), `;`/`#` comment lines, ` ;` inline comments, indented continuation lines.
 * `[program:x]` (and `[fcgi-program:x]`) is a service: `command=` split as supervisor does (shlex), `%(name)s`
 * expansions it knows statically (program_name, process_num, group_name, numprocs, here) expanded,
 * `environment=KEY="v",KEY2=v2`, `directory=`; `numprocs=0` and `autostart=false` do not run.
 */

interface IniValue {
  value: string;
  location: Location;
  /** Indented lines that continue the value (joined with newlines when parsing ends). */
  continuation: string[];
}

export interface IniSection {
  name: string;
  location: Location;
  values: Map<string, IniValue>;
}

export function parseIni(text: string, file: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  let last: IniValue | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) {
      if (trimmed === '') last = undefined;
      continue;
    }
    if (/^\s/.test(line) && last) {
      last.continuation.push(stripInlineComment(trimmed));
      continue;
    }
    const header = /^\[([^\]]*)\]/.exec(trimmed);
    if (header) {
      current = { name: header[1]!.trim(), location: { file, line: index + 1 }, values: new Map() };
      sections.push(current);
      last = undefined;
      continue;
    }
    const separator = /[=:]/.exec(trimmed);
    if (!current || !separator) {
      last = undefined;
      continue;
    }
    const key = trimmed.slice(0, separator.index).trim().toLowerCase();
    last = { value: stripInlineComment(trimmed.slice(separator.index + 1).trim()), location: { file, line: index + 1 }, continuation: [] };
    current.values.set(key, last);
  }
  for (const section of sections) {
    for (const value of section.values.values()) if (value.continuation.length > 0) value.value = [value.value, ...value.continuation].join('\n');
  }
  return sections;
}

const stripInlineComment = (value: string) => value.replace(/\s;.*$/, '');

/** `%(program_name)s`, `%(process_num)02d` … with what is known statically; others stay as written. */
function expand(value: string, known: Record<string, string>): string {
  return value.replace(/%\(([A-Za-z_][A-Za-z0-9_]*)\)[-#0 +]*(\d*)[sd]/g, (match, name: string, width: string) => {
    const replacement = known[name];
    if (replacement === undefined) return match;
    return width ? replacement.padStart(Number(width), '0') : replacement;
  });
}

/** supervisor's dict_of_key_value_pairs: `KEY="v, with comma",KEY2=v2` (quotes removed, commas separate). */
export function parseEnvironmentSetting(value: string): [string, string][] {
  const pairs: [string, string][] = [];
  let key = '';
  let current = '';
  let inValue = false;
  let quote: string | undefined;
  const flush = () => {
    if (key.trim() !== '') pairs.push([key.trim(), current.trim()]);
    key = '';
    current = '';
    inValue = false;
  };
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (inValue) current += ch;
      else key += ch;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '=' && !inValue) inValue = true;
    else if (ch === ',') flush();
    else if (inValue) current += ch;
    else key += ch;
  }
  flush();
  return pairs;
}

/** The `[program:x]` sections of one file as services. */
export function readPrograms(text: string, file: string): DeploymentService[] {
  const services: DeploymentService[] = [];
  const here = path.posix.dirname(file);
  for (const section of parseIni(text, file)) {
    const match = /^(?:fcgi-)?program:(.+)$/.exec(section.name);
    if (!match) continue;
    const name = match[1]!.trim();
    const numprocsText = section.values.get('numprocs')?.value;
    const numprocs = numprocsText !== undefined && /^\d+$/.test(numprocsText) ? Number(numprocsText) : 1;
    const known = { program_name: name, process_num: '0', group_name: name, numprocs: String(numprocs), here };
    const environment: Record<string, EnvEntry> = {};
    const envSetting = section.values.get('environment');
    if (envSetting) {
      for (const [key, raw] of parseEnvironmentSetting(envSetting.value)) {
        const value = expand(raw, known);
        // `%(ENV_X)s` is supervisord's own environment, unknown here.
        environment[key] = { value: /%\(ENV_/.test(value) ? null : value, location: envSetting.location, unsetVariables: [] };
      }
    }
    const command = section.values.get('command');
    const autostart = section.values.get('autostart')?.value.toLowerCase();
    const inactiveReason = numprocs === 0 ? 'it has `numprocs=0`' : autostart === 'false' ? 'it has `autostart=false`' : undefined;
    const directory = section.values.get('directory')?.value;
    const argv = command ? splitShellWords(expand(command.value, known).replace(/\n/g, ' ')) : [];
    services.push({
      name,
      location: section.location,
      ...(argv.length && command ? { command: { argv, location: command.location } } : {}),
      environment,
      profiles: [],
      ...(inactiveReason ? { inactiveReason } : {}),
      ...(numprocsText !== undefined ? { replicas: numprocs } : {}),
      code: { roots: [''], ...(directory ? { workingDir: expand(directory, known) } : {}) },
    });
  }
  return services;
}

/**
 * The entries of an include directory; one that leaves the project (a symlinked directory pointing outside) is an
 * input error, never read; one that cannot be listed includes nothing, as supervisord's glob does.
 */
function includeDirEntries(fs: FileSystem, root: string, dir: string, at: Location): DirEntry[] {
  try {
    return fs.readdir(absoluteIn(root, dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === OUTSIDE_PROJECT) {
      throw new InputError(`supervisord [include] directory ${dir} is ${OUTSIDE_PROJECT_REASON}`, at);
    }
    return [];
  }
}

/** Files an `[include] files = a/*.conf b.ini` names (relative to the including file; `*`/`?` in the file name only). */
export function includedFiles(fs: FileSystem, root: string, text: string, file: string): string[] {
  const section = parseIni(text, file).find((candidate) => candidate.name === 'include');
  const include = section?.values.get('files')?.value;
  if (!include) return [];
  const files: string[] = [];
  for (const pattern of include.split(/\s+/).filter(Boolean)) {
    const joined = path.posix.normalize(path.posix.join(path.posix.dirname(file), pattern));
    if (joined.startsWith('..') || path.posix.isAbsolute(pattern)) continue;
    const dir = path.posix.dirname(joined);
    // supervisord expands the pattern with Python's glob.glob: fnmatch on the names, hidden ones only for a `.` pattern.
    const base = path.posix.basename(joined);
    const matches = globMatcher(base);
    for (const entry of includeDirEntries(fs, root, dir, section!.location)) {
      if (entry.isDirectory || (entry.name.startsWith('.') && !base.startsWith('.'))) continue;
      if (matches(entry.name)) files.push(dir === '.' ? entry.name : `${dir}/${entry.name}`);
    }
  }
  return files.sort();
}

