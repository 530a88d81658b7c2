import { parseShell, type Word } from '../shell-words.js';
import { PROGRAMS, type ProgramResult } from './programs/index.js';

export type { ProgramResult } from './programs/index.js';

const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);
const SHELLS = ['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh'];
const RUNNERS = ['poetry', 'pipenv', 'uv', 'pdm', 'hatch', 'rye'];

const basename = (word: string) => word.slice(word.lastIndexOf('/') + 1);
const isPython = (word: string) => /^python(?:\d+(?:\.\d+)?)?$/.test(basename(word));

/**
 * Recognises the worker program an argv runs, unwrapping shells (`sh -c`, whose `$VAR`s expand from `env`),
 * env prefixes, `exec`, process wrappers (tini, dumb-init, nohup), runners (`poetry run`, `npx`) and the Python
 * interpreter (`python -m rq.cli`, `python manage.py`, `python -m pkg.worker`); the programs themselves are in
 * ./programs/. Null when the argv runs no known worker.
 */
export function analyzeArgv(words: Word[], env: (name: string) => string | undefined, depth = 0): ProgramResult | null {
  let argv = words;
  if (depth > 4) return null;
  for (;;) {
    const first = argv[0]?.value;
    if (first === undefined) return null;
    const name = basename(first);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) argv = argv.slice(1);
    else if (name === 'exec' || name === 'tini' || name === 'dumb-init' || name === 'nohup' || first === '--') argv = argv.slice(1);
    else if (name === 'env') {
      argv = argv.slice(1);
      while (argv[0] && (argv[0].value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0].value))) argv = argv.slice(1);
    } else if (RUNNERS.includes(name) && argv[1]?.value === 'run') {
      argv = argv.slice(2);
      while (argv[0]?.value.startsWith('-')) argv = argv.slice(1);
    } else if (name === 'npx' || name === 'pnpx' || (name === 'pnpm' && argv[1]?.value === 'exec')) {
      argv = argv.slice(name === 'pnpm' ? 2 : 1);
      while (argv[0]?.value.startsWith('-')) argv = argv.slice(1);
    } else break;
  }
  const program = basename(argv[0]!.value);
  const rest = argv.slice(1);

  if (SHELLS.includes(program)) {
    let k = 0;
    let hasC = false;
    while (rest[k]?.value.startsWith('-')) {
      if (/^-[a-z]*c[a-z]*$/.test(rest[k]!.value)) hasC = true;
      k++;
      if (hasC) break;
    }
    const script = rest[k]?.value;
    if (!hasC || script === undefined) return null;
    const commands = parseShell(script, { operators: true, expand: env });
    for (const command of commands) {
      const result = analyzeArgv(command, env, depth + 1);
      if (result) return result;
    }
    return null;
  }
  if (isPython(program)) return pythonInterpreter(rest);
  const known = PROGRAMS.find((candidate) => candidate.executables.includes(program));
  return known ? known.read(rest, program) : null;
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
    if (known) return known.read(args, `python -m ${module}`);
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
  if (known) return known.read(rest.slice(k + 1), basename(option));
  if (option.endsWith('.py')) return { kind: 'script', language: 'python', candidates: [option], detectedBy: `python ${option}` };
  return null;
}
