import type { EnvEntry } from '../model.js';
import type { Word } from '../shell-words.js';
import type { Location } from '../types.js';

/**
 * What a command changes in the environment its program sees, relative to the service's: a shell command's leading
 * `A=1 B=2 cmd` (POSIX: for that command only), `env [-i] [-u NAME] A=1 cmd`, and a script's `export A=1` before it.
 */
export interface CommandEnvironment {
  /**
   * The changes of the enclosing commands, applied before these: a chain, so that adding one command's changes costs
   * only its own (a script's thousands of exports are never copied per command).
   */
  readonly outer?: CommandEnvironment;
  /** `env -i`: the service's environment is not passed on; only what the command assigns is. */
  readonly cleared: boolean;
  /** `env -u NAME`: removed from what is passed on. */
  readonly removed: ReadonlySet<string>;
  /** Set by the command, last assignment of a name winning: the value as the shell expanded it. */
  readonly assigned: ReadonlyMap<string, Word>;
}

/** A command that changes nothing: its program sees the service's environment. */
export const INHERITED: CommandEnvironment = { cleared: false, removed: new Set(), assigned: new Map() };

/** `NAME=value`, the shape of an assignment word. */
export const isAssignment = (word: string) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);

/** Adds assignment words (`A=1`) over `base`. */
export function withAssignments(base: CommandEnvironment, words: readonly Word[]): CommandEnvironment {
  if (!words.length) return base;
  const assigned = new Map(base.assigned);
  for (const word of words) {
    const eq = word.value.indexOf('=');
    assigned.set(word.value.slice(0, eq), { ...word, value: word.value.slice(eq + 1) });
  }
  return { ...base, assigned };
}

/** The variables a program sees: `outer` (the service's, or an enclosing command's) changed by `changes`. */
export function lookupIn(changes: CommandEnvironment, outer: (name: string) => string | undefined): (name: string) => string | undefined {
  if (changes === INHERITED) return outer;
  return (name) => {
    for (let layer: CommandEnvironment | undefined = changes; layer && layer !== INHERITED; layer = layer.outer) {
      const word = layer.assigned.get(name);
      if (word) return word.unknown ? undefined : word.value;
      if (layer.cleared || layer.removed.has(name)) return undefined;
    }
    return outer(name);
  };
}

/** The most layers one program's environment may stack (commands, `env` wrappers, scripts): real ones have a few. */
export const MAX_LAYERS = 64;

const depthOf = (changes: CommandEnvironment) => {
  let depth = 0;
  for (let layer: CommandEnvironment | undefined = changes; layer && layer !== INHERITED; layer = layer.outer) depth++;
  return depth;
};

/** `inner` applied after `outer` (an `env A=1 sh -c 'B=2 exec cmd'` nests); undefined past MAX_LAYERS. */
export function compose(outer: CommandEnvironment, inner: CommandEnvironment): CommandEnvironment | undefined {
  if (inner === INHERITED) return outer;
  if (outer === INHERITED) return inner;
  if (depthOf(outer) >= MAX_LAYERS) return undefined;
  return { ...inner, outer };
}

/** GNU coreutils env options that take a value (env.c `longopts`, `shortopts` "+C:iS:u:v0"). */
const ENV_VALUED = new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']);

/**
 * `env [OPTION]… [-] [NAME=VALUE]… COMMAND…` (GNU coreutils; BusyBox's is a subset): how many words precede the
 * command, and what they change. Undefined when the words are not env running a command the doctor can follow
 * (`-S`/`--split-string` builds a new command line out of one word).
 */
export function readEnvCommand(argv: readonly Word[]): { skip: number; changes: CommandEnvironment } | undefined {
  let cleared = false;
  const removed = new Set<string>();
  let k = 1;
  for (; k < argv.length; k++) {
    const word = argv[k]!.value;
    if (word === '--') {
      k++;
      break;
    }
    if (word === '-' || word === '-i' || word === '--ignore-environment') {
      cleared = true;
      continue;
    }
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const [name, value] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
      if (name === '--split-string') return undefined;
      if (!ENV_VALUED.has(name)) continue;
      const operand = value ?? argv[++k]?.value;
      if (name === '--unset' && operand !== undefined) removed.add(operand);
      continue;
    }
    // A cluster of short options (`-iu NAME`, `-uNAME`): a valued option takes the rest of the word or the next word.
    for (let c = 1; c < word.length; c++) {
      const option = word[c]!;
      if (option === 'i') cleared = true;
      if (!ENV_VALUED.has(`-${option}`)) continue;
      if (option === 'S') return undefined;
      const operand = c + 1 < word.length ? word.slice(c + 1) : argv[++k]?.value;
      if (option === 'u' && operand !== undefined) removed.add(operand);
      break;
    }
  }
  const from = k;
  while (k < argv.length && isAssignment(argv[k]!.value)) k++;
  const changes = withAssignments({ cleared, removed, assigned: new Map() }, argv.slice(from, k));
  return { skip: k, changes: changes.cleared || changes.removed.size || changes.assigned.size ? changes : INHERITED };
}

/**
 * The environment a service's program runs with: the service's entries changed by its command's (`location`: where
 * the command writes its assignments).
 */
export function programEnvironment(service: Record<string, EnvEntry>, changes: CommandEnvironment | undefined, location: Location): Record<string, EnvEntry> {
  if (!changes || changes === INHERITED) return service;
  const layers: CommandEnvironment[] = [];
  for (let layer: CommandEnvironment | undefined = changes; layer && layer !== INHERITED; layer = layer.outer) layers.unshift(layer);
  // No prototype: a hostile `__proto__=x` assignment is a variable like any other.
  const environment: Record<string, EnvEntry> = Object.create(null);
  if (!layers.some((layer) => layer.cleared)) Object.assign(environment, service);
  for (const layer of layers) {
    if (layer.cleared) for (const name of Object.keys(environment)) delete environment[name];
    for (const name of layer.removed) delete environment[name];
    for (const [name, word] of layer.assigned) environment[name] = { value: word.value, location, unsetVariables: [...(word.unknown ?? [])] };
  }
  return environment;
}
