import { parseShell, type Word } from '../shell-words.js';
import { compose, INHERITED, isAssignment, lookupIn, readEnvCommand, withAssignments, type CommandEnvironment } from './command-environment.js';
import { PROGRAMS, readProgram, type ProgramResult } from './programs/index.js';

export type { ProgramResult } from './programs/index.js';

const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);
const SHELLS = ['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh'];
const RUNNERS = ['poetry', 'pipenv', 'uv', 'pdm', 'hatch', 'rye'];
/** How deep shells, wrappers' scripts and project scripts nest before the doctor stops following. */
const MAX_DEPTH = 4;

const basename = (word: string) => word.slice(word.lastIndexOf('/') + 1);
const isPython = (word: string) => /^python(?:\d+(?:\.\d+)?)?$/.test(basename(word));

/**
 * A process wrapper: the words it takes before the command it runs (its own options and operands), from each tool's
 * usage. Returns how many words of `argv` (the wrapper's name included) to drop, or undefined when this argv is not
 * that wrapper running a command.
 */
type Wrapper = (argv: Word[]) => number | undefined;

/** Skips options: `valued` take the next word unless written `-xV`/`--opt=V`; any other option is a flag. */
function skipOptions(argv: Word[], from: number, valued: ReadonlySet<string>, allValued = false): number {
  let k = from;
  while (k < argv.length) {
    const word = argv[k]!.value;
    if (word === '--') return k + 1;
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) k += !word.includes('=') && (allValued || valued.has(word)) ? 2 : 1;
    else k += valued.has(word) ? 2 : 1;
  }
  return k;
}

const options = (...names: string[]) => new Set(names);
const CHPST_VALUED = options('-u', '-U', '-b', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c', '-r', '-t');
const SETPRIV_VALUED = options(
  '--ruid', '--euid', '--rgid', '--egid', '--reuid', '--regid', '--groups', '--inh-caps', '--ambient-caps', '--bounding-set',
  '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile', '--landlock-access', '--landlock-rule',
);
const IONICE_VALUED = options('-c', '--class', '-n', '--classdata');
const TIMEOUT_VALUED = options('-s', '--signal', '-k', '--kill-after');
const NICE_VALUED = options('-n', '--adjustment');
const WATCHMEDO_VALUED = options(
  '-d', '--directory', '-p', '--pattern', '--patterns', '-i', '--ignore-pattern', '--ignore-patterns', '--signal',
  '--kill-after', '--debounce-interval', '--interval',
);

/** Process wrappers real deployments put before a worker; the key is the wrapper's executable name. */
const WRAPPERS: Record<string, Wrapper> = {
  exec: () => 1,
  tini: (argv) => skipOptions(argv, 1, options('-p', '-e')),
  'dumb-init': (argv) => skipOptions(argv, 1, options('-r', '--rewrite')),
  nohup: () => 1,
  '--': () => 1,
  'newrelic-admin': (argv) => (argv[1]?.value === 'run-program' ? 2 : undefined),
  'ddtrace-run': (argv) => skipOptions(argv, 1, options()),
  // Every option of opentelemetry-instrument is a setting with a value (`--traces_exporter console`).
  'opentelemetry-instrument': (argv) => skipOptions(argv, 1, options(), true),
  gosu: () => 2,
  'su-exec': () => 2,
  's6-setuidgid': () => 2,
  chpst: (argv) => skipOptions(argv, 1, CHPST_VALUED),
  setpriv: (argv) => skipOptions(argv, 1, SETPRIV_VALUED),
  // `nice -n 10`, `nice -10` (the old form), `nice --adjustment=5`.
  nice: (argv) => skipOptions(argv, 1, NICE_VALUED),
  ionice: (argv) => skipOptions(argv, 1, IONICE_VALUED),
  // `timeout [opts] DURATION command…`.
  timeout: (argv) => {
    const k = skipOptions(argv, 1, TIMEOUT_VALUED);
    return argv[k] ? k + 1 : undefined;
  },
  // `watchmedo auto-restart [opts] -- command…` (the `--` is optional when the command has no options of its own).
  watchmedo: (argv) => (argv[1]?.value === 'auto-restart' ? skipOptions(argv, 2, WATCHMEDO_VALUED) : undefined),
  bundle: (argv) => (argv[1]?.value === 'exec' ? 2 : undefined),
  npx: (argv) => skipOptions(argv, 1, options()),
  pnpx: (argv) => skipOptions(argv, 1, options()),
  pnpm: (argv) => (argv[1]?.value === 'exec' ? skipOptions(argv, 2, options()) : undefined),
  ...Object.fromEntries(RUNNERS.map((runner): [string, Wrapper] => [runner, (argv) => (argv[1]?.value === 'run' ? skipOptions(argv, 2, options()) : undefined)])),
};

/** A shell script of the project that a command runs (`./bin/start-worker.sh`), as the service sees it. */
export interface ProjectScript {
  /** The project file (root-relative). */
  file: string;
  text: string;
}

export interface ArgvContext {
  /**
   * The variables the words were expanded against (the service's environment, or an enclosing shell's variables): a
   * variable it does not set is unknown (kept as written), not empty.
   */
  env: (name: string) => string | undefined;
  /** A command word naming a project file → its text, when it is a shell script the doctor may follow. */
  readScript?: (word: string) => ProjectScript | undefined;
  /** The service's environment, when `env` is an enclosing shell's variables (those are not passed on unexported). */
  serviceEnv?: (name: string) => string | undefined;
  /** What enclosing commands change in the service's environment (`env A=1 sh -c …`, a script's `export A=1`). */
  changes?: CommandEnvironment;
}

/** A worker program's reading, with what its command line changes in the environment it runs with. */
export type CommandReading = ProgramResult & { environment?: CommandEnvironment };

const withEnvironment = (result: ProgramResult | null, changes: CommandEnvironment): CommandReading | null =>
  result && changes !== INHERITED ? { ...result, environment: changes } : result;

/**
 * Recognises the worker program an argv runs, unwrapping shells (`sh -c`, whose `$VAR`s expand from the service's
 * environment), env prefixes and process wrappers (WRAPPERS), runners (`poetry run`, `npx`), the Python interpreter
 * (`python -m rq.cli`, `python manage.py`, `python -m pkg.worker`) and the project's own shell scripts (read through
 * `readScript`, bounded depth); the programs themselves are in ./programs/. After a word it does not know, a known
 * worker program later in the same command is taken, with a note in `detectedBy`. Null when the argv runs no known
 * worker.
 *
 * What the command sets for its program comes back in `environment`: `env [-i] [-u NAME] A=1 cmd` anywhere, and
 * leading `A=1 B=2 cmd` words only in a command a shell parsed (`shellCommand`: a `sh -c` script, a Procfile line, a
 * project script). Without a shell (compose, Kubernetes, systemd, supervisord, fly.toml exec forms) `A=1` is the
 * program the runtime tries to execute, which does not exist: the command runs no worker the doctor can read.
 */
export function analyzeArgv(words: Word[], context: ArgvContext, depth = 0, shellCommand = false): CommandReading | null {
  let argv = words;
  if (depth > MAX_DEPTH) return null;
  let changes: CommandEnvironment | undefined = context.changes ?? INHERITED;
  if (shellCommand) {
    let k = 0;
    while (k < argv.length && isAssignment(argv[k]!.value)) k++;
    changes = compose(changes, withAssignments(INHERITED, argv.slice(0, k)));
    argv = argv.slice(k);
  }
  for (;;) {
    const first = argv[0]?.value;
    // Past MAX_LAYERS of assignments the command is not followed (as past MAX_DEPTH).
    if (first === undefined || isAssignment(first) || !changes) return null;
    if (basename(first) === 'env') {
      const read = readEnvCommand(argv);
      if (!read) break;
      changes = compose(changes, read.changes);
      argv = argv.slice(read.skip);
      continue;
    }
    const wrapper = Object.hasOwn(WRAPPERS, basename(first)) ? WRAPPERS[basename(first)]! : undefined;
    const skip = wrapper?.(argv);
    if (skip === undefined) break;
    argv = argv.slice(skip);
  }
  const program = basename(argv[0]!.value);
  const rest = argv.slice(1);
  // A shell or script started here sees the service's environment changed by this command, not the outer shell's own variables.
  const serviceEnv = context.serviceEnv ?? context.env;
  const inner: ArgvContext = { ...context, env: lookupIn(changes, serviceEnv), serviceEnv, changes };

  if (SHELLS.includes(program)) return shell(rest, inner, depth);
  if (isPython(program)) return withEnvironment(pythonInterpreter(rest), changes);
  const known = PROGRAMS.find((candidate) => candidate.executables.includes(program));
  if (known) return withEnvironment(readProgram(known, rest, program), changes);
  return projectScript(argv[0]!.value, inner, depth) ?? laterProgram(argv, { ...context, changes }, depth);
}

/** `sh -c 'script'` (its commands in order), or `sh ./script.sh` (the project script). */
function shell(rest: Word[], context: ArgvContext, depth: number): CommandReading | null {
  let k = 0;
  let hasC = false;
  while (rest[k]?.value.startsWith('-')) {
    if (/^-[a-z]*c[a-z]*$/.test(rest[k]!.value)) hasC = true;
    k++;
    if (hasC) break;
  }
  const script = rest[k]?.value;
  if (script === undefined) return null;
  if (!hasC) return projectScript(script, context, depth);
  return firstWorker(script, context, depth);
}

/** Where a script may assign a variable (a name and `=` at the start of a command); linear: one scan per word start. */
const ASSIGNMENT = /(?:^|[\s;&|(])(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=/;

/** A command that only assigns (`QUEUES=high`, `export QUEUES=high`): its words, else undefined. */
function assignments(command: Word[]): Word[] | undefined {
  const words = command[0]?.value === 'export' ? command.slice(1) : command;
  return words.length && words.every((word) => isAssignment(word.value)) ? words : undefined;
}

/**
 * The first command of a shell script that runs a known worker. The script's own assignments (`QUEUES="high
 * default"`, `export QUEUES=…`) apply over the service's environment: a first pass collects them (the last one of a
 * name wins), the second expands with them. Only exported ones reach the program's environment; a command's own
 * leading `A=1` reaches its program alone (analyzeArgv).
 */
function firstWorker(script: string, context: ArgvContext, depth: number): CommandReading | null {
  const assigned = new Map<string, string>();
  const exported: Word[] = [];
  // Most scripts (and every `sh -c` line) assign nothing: parse them once.
  const assigns = ASSIGNMENT.test(script);
  for (const command of assigns ? parseShell(script, { operators: true, expand: context.env }) : []) {
    const words = assignments(command) ?? [];
    for (const word of words) {
      const eq = word.value.indexOf('=');
      assigned.set(word.value.slice(0, eq), word.value.slice(eq + 1));
    }
    if (command[0]?.value === 'export') exported.push(...words);
  }
  const env = (name: string) => (assigned.has(name) ? assigned.get(name) : context.env(name));
  const changes = compose(context.changes ?? INHERITED, withAssignments(INHERITED, exported));
  if (!changes) return null;
  const inner: ArgvContext = { ...context, env, changes };
  for (const command of parseShell(script, { operators: true, expand: env })) {
    if (assignments(command)) continue;
    const result = analyzeArgv(command, inner, depth + 1, true);
    if (result) return result;
  }
  return null;
}

/** A shell script of the project that the command names: its worker, noted as found in that file. */
function projectScript(word: string, context: ArgvContext, depth: number): CommandReading | null {
  const script = context.readScript?.(word);
  if (!script) return null;
  const result = firstWorker(script.text, context, depth);
  if (!result) return null;
  const noted = { ...result, detectedBy: `${result.detectedBy} (in ${script.file})` };
  if (noted.kind !== 'queues' || noted.writtenAt) return noted;
  const line = programLine(script.text, result.detectedBy.split(' ')[0]!);
  return { ...noted, writtenAt: { file: script.file, line, column: 1 } };
}

/** The first line of a script, not a comment, where `program` is a word (1 when none is: the file is still named). */
function programLine(text: string, program: string): number {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => !line.trimStart().startsWith('#') && line.split(/[\s;&|()'"]+/).some((word) => basename(word) === program));
  return index + 1 || 1;
}

/** After a word the doctor does not know (a wrapper of its own), a known worker program later in the same command. */
function laterProgram(argv: Word[], context: ArgvContext, depth: number): CommandReading | null {
  for (let k = 1; k < argv.length; k++) {
    const name = basename(argv[k]!.value);
    if (!isPython(name) && !PROGRAMS.some((candidate) => candidate.executables.includes(name))) continue;
    const result = analyzeArgv(argv.slice(k), context, depth + 1);
    if (result) return { ...result, detectedBy: `${result.detectedBy} (after \`${basename(argv[0]!.value)}\`, a command the doctor does not know)` };
  }
  return null;
}

/** `python [opts] -m module args…` / `python [opts] script.py args…`. */
function pythonInterpreter(rest: Word[]): ProgramResult | null {
  let k = 0;
  while (rest[k]?.value.startsWith('-') && rest[k]!.value !== '-m' && rest[k]!.value !== '-c') {
    k += PYTHON_VALUE_OPTIONS.has(rest[k]!.value) ? 2 : 1;
  }
  const option = rest[k]?.value;
  if (option === '-c' || option === undefined) return null;
  if (option === '-m') {
    const module = rest[k + 1]?.value;
    if (!module) return null;
    const args = rest.slice(k + 2);
    const known = PROGRAMS.find((candidate) => candidate.pythonModules?.includes(module));
    if (known) return readProgram(known, args, `python -m ${module}`);
    // Any other module is a script of the project: `pkg.worker` → pkg/worker.py or pkg/worker/__main__.py.
    const relative = module.split('.').join('/');
    return {
      kind: 'script',
      language: 'python',
      candidates: [`${relative}.py`, `${relative}/__main__.py`],
      detectedBy: `python -m ${module}`,
    };
  }
  const known = PROGRAMS.find((candidate) => candidate.pythonScripts?.includes(basename(option)));
  if (known) return readProgram(known, rest.slice(k + 1), basename(option));
  if (option.endsWith('.py')) return { kind: 'script', language: 'python', candidates: [option], detectedBy: `python ${option}` };
  return null;
}
