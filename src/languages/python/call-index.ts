import { literal, UNKNOWN, type Binding, type ValueExpr } from '../facts.js';
import type { PyArg, PyCall, PythonCallIndex, PythonRecognizer, QueueExpression } from './calls.js';
import type { PyToken } from './tokenizer.js';

/** `Worker(…)`, `SimpleWorker(…)`: a consumer's construction; the queues handed to it are consumer-side. */
export const isWorkerConstructor = (callee: readonly string[]): boolean => {
  const last = callee[callee.length - 1] ?? '';
  return /Worker$/.test(last) && /^[A-Z]/.test(last);
};

/** What the first pass of the analyzer found in one module. */
export type FirstPass = Pick<PythonCallIndex, 'source' | 'tokens' | 'calls' | 'bindings' | 'functions'>;

type Import = Extract<Binding, { kind: 'import' }>;

/** The call index over one module's first pass; `recognizers` say which constructions build queues. */
export function pythonCallIndex(pass: FirstPass, recognizers: readonly PythonRecognizer[]): PythonCallIndex {
  const { source, tokens, calls, bindings } = pass;
  const positional = (call: PyCall, index: number) => call.args.filter((arg) => !arg.keyword)[index];
  const keyword = (call: PyCall, ...names: string[]) => call.args.find((arg) => arg.keyword && names.includes(arg.keyword));
  const hasStar = (call: PyCall) => call.args.some((arg) => arg.star);
  const valueOf = (arg: PyArg | undefined, fallback: ValueExpr): QueueExpression => {
    if (!arg) return { value: fallback, text: '' };
    const text = source.slice(tokens[arg.from]!.start, tokens[arg.to - 1]!.end);
    if (arg.star) return { value: UNKNOWN, text };
    return { value: arg.value, text };
  };
  const importOf = (name: string) => {
    const binding = bindings.get(name);
    return binding?.kind === 'import' ? binding : undefined;
  };
  const isImported = (callee: readonly string[], name: string, isModule: (module: string) => boolean) => {
    if (callee.length === 1) {
      const imported = importOf(callee[0]!);
      return imported !== undefined && imported.name === name && isModule(imported.module);
    }
    if (callee[callee.length - 1] !== name || callee[0] === '()') return false;
    const imported = importOf(callee[0]!);
    return imported !== undefined && imported.name === '*module*' && isModule(imported.module);
  };

  const callByRange = new Map<string, number>();
  const callByOpen = new Map<number, number>();
  calls.forEach((call, index) => {
    callByRange.set(`${call.calleeStart}:${call.close}`, index);
    callByOpen.set(call.open, index);
  });

  const { insideWorkerCall, handedToWorker } = workerConsumption(tokens, calls);
  const consumed = new Set<number>(); // Queue constructions that name a queue for a check or a decorator

  const index: PythonCallIndex = {
    source,
    tokens,
    calls,
    bindings,
    imports: [...bindings.values()].filter((binding): binding is Import => binding.kind === 'import'),
    functions: pass.functions,
    positional,
    keyword,
    hasStar,
    valueOf,
    location: (at) => ({ line: tokens[at]!.line, column: tokens[at]!.column }),
    importOf,
    isImported,
    chained: (call) => {
      const next = callByOpen.get(call.close + 3);
      return next !== undefined && tokens[call.close + 1]?.value === '.' ? calls[next] : undefined;
    },
    queueConstructionIn: (arg) => {
      if (!arg) return undefined;
      const at = callByRange.get(`${arg.from}:${arg.to - 1}`);
      return at !== undefined && recognizers.some((recognizer) => recognizer.constructsQueue?.(calls[at]!.callee, index)) ? at : undefined;
    },
    queueNameOf: (call) => {
      const arg = positional(call, 0) ?? keyword(call, 'name');
      if (!arg && hasStar(call)) return { value: UNKNOWN, text: source.slice(tokens[call.open]!.start, tokens[call.close]!.end) };
      return valueOf(arg, literal('default'));
    },
    consume: (at) => {
      consumed.add(at);
    },
    consumerSide: (at) => consumed.has(at) || insideWorkerCall[at]! || handedToWorker(calls[at]!),
  };
  return index;
}

/** Which calls sit inside a `Worker(…)`'s arguments, and whether a call's result is handed to one by name. */
function workerConsumption(tokens: readonly PyToken[], calls: readonly PyCall[]) {
  // Names handed to Worker(...) per scope: a Queue assigned to one of them is consumer-side.
  const workerArgNames = new Map<string, Set<string>>();
  const allWorkerArgNames = new Set<string>();
  const workerCalls = new Set<number>();
  // A Worker call nested in another's arguments (same statement, same scope) has had its names collected already:
  // skipping it keeps `Worker(Worker(Worker(…` linear.
  let collectedUntil = -1;
  calls.forEach((call, index) => {
    if (!isWorkerConstructor(call.callee)) return;
    workerCalls.add(index);
    const names = workerArgNames.get(call.scope ?? '') ?? new Set<string>();
    if (call.close <= collectedUntil && workerArgNames.has(call.scope ?? '')) return;
    collectedUntil = call.close;
    for (let j = call.open + 1; j < call.close; j++) {
      if (tokens[j]!.type === 'name') {
        let name = tokens[j]!.value;
        while (tokens[j + 1]?.value === '.' && tokens[j + 2]?.type === 'name') {
          name += `.${tokens[j + 2]!.value}`;
          j += 2;
        }
        names.add(name);
        allWorkerArgNames.add(name);
      }
    }
    workerArgNames.set(call.scope ?? '', names);
  });
  // Whether each call is inside a Worker(...)'s arguments, in one pass (a parent comes before its children), so a
  // chain of 300k nested calls is not walked once per call.
  const insideWorkerCall: boolean[] = calls.map(() => false);
  calls.forEach((call, index) => {
    const parent = call.parent;
    if (parent !== undefined) insideWorkerCall[index] = workerCalls.has(parent) || insideWorkerCall[parent]!;
  });
  const handedToWorker = (call: PyCall): boolean => {
    const names = call.scope === undefined ? allWorkerArgNames : workerArgNames.get(call.scope);
    if (!names) return false;
    if (call.assignTarget !== undefined && names.has(call.assignTarget)) return true;
    // `queues.append(Queue(name))` with `queues` handed to a Worker
    const parent = call.parent === undefined ? undefined : calls[call.parent]!;
    if (parent && (parent.callee.at(-1) === 'append' || parent.callee.at(-1) === 'extend')) {
      return names.has(parent.callee.slice(0, -1).join('.'));
    }
    return false;
  };
  return { insideWorkerCall, handedToWorker };
}
