import type { ModuleFacts, RawCheck, ValueExpr } from '../facts.js';
import { matchingBracket } from '../facts.js';
import { indexJs } from './call-index.js';
import { scopeOf, type JsCallIndex, type JsModuleOutput } from './calls.js';
import { JS_RECOGNIZERS } from './recognizers.js';
import { evaluateJs, propertyEnd, splitArgs } from './evaluate.js';

/** Indexes one JS/TS module; every JS framework reads its queue objects and producers; the checks are the language's. */
export function analyzeJs(source: string): ModuleFacts {
  const index = indexJs(source);
  const output: JsModuleOutput = { producers: [], queues: [], workers: [] };
  for (const recognizer of JS_RECOGNIZERS) recognizer.recognize(index, output);
  const { producers, queues, workers } = output;
  return { language: 'js', bindings: index.bindings, producers, queues, checks: availabilityChecks(index), ...(workers.length ? { workers } : {}) };
}

/**
 * Availability checks: a call to a function whose name says `worker` (`assertWorkerFor('receipts')`,
 * `workers.ensure({ queue })`) with a queue argument — a string, a name that says `queue`, or `queue:`/`queueName:`.
 */
function availabilityChecks(index: JsCallIndex): RawCheck[] {
  const { tokens } = index;
  const checks: RawCheck[] = [];
  for (const site of index.sites) {
    if (site.type !== 'call' || !/worker/i.test(tokens[site.open - 1]!.value)) continue;
    let queue: ValueExpr | undefined;
    for (const [from, to] of splitArgs(tokens, site.open, site.close)) {
      const t = tokens[from]!;
      if ((t.type === 'string' || t.type === 'template') && to === from + 1) {
        queue = evaluateJs(tokens, from, to);
        break;
      }
      if (t.type === 'name' && to === from + 1 && /queue/i.test(t.value)) {
        queue = evaluateJs(tokens, from, to);
        break;
      }
      if (t.value === '{') {
        const objectClose = matchingBracket(tokens, from);
        for (let k = from + 1; k < objectClose; k++) {
          if ((tokens[k]!.value === 'queue' || tokens[k]!.value === 'queueName') && tokens[k + 1]?.value === ':') {
            queue = evaluateJs(tokens, k + 2, propertyEnd(tokens, k + 2));
            break;
          }
        }
        if (queue) break;
      }
    }
    if (!queue) continue;
    const check: RawCheck = { queue, position: index.position(site.calleeStart), callee: index.textOf(site.calleeStart, site.open).replace(/\s+/g, '') };
    const scope = scopeOf(site.block);
    if (scope) check.scope = scope;
    checks.push(check);
  }
  return checks;
}
