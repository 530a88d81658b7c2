import type { Finding, StaticSection } from '../types.js';
import { isPlainQueueName, offsetOf } from './text.js';
import type { ProjectFiles, Refusal, TextEdit } from './types.js';

/** How far after the call's start the checked queue's literal is looked for (one call, even spread over lines). */
const CALL_WINDOW = 400;

/**
 * `worker-check-mismatch`: the availability check asks about queue A while its function enqueues to B. The fix is
 * the one-line code change that makes the check ask about B: the literal `'A'` in the call becomes `'B'`, quotes
 * kept. When the function enqueues to several queues, or A is not written as a literal in the call, a person decides.
 */
export function checkFix(finding: Finding, section: StaticSection, files: ProjectFiles): { edit: TextEdit; description: string } | Refusal {
  const location = finding.location;
  const check = section.checks?.find(
    (candidate) => location && candidate.location.file === location.file && candidate.location.line === location.line && candidate.queue === finding.queue,
  );
  if (!check || !location) return { refused: 'the availability check was not found again', decide: 'change the check by hand' };
  const enqueued = [
    ...new Set(
      section.producers
        .filter((producer) => producer.queue !== null && producer.location.file === check.location.file && producer.scope === check.scope)
        .map((producer) => producer.queue!),
    ),
  ];
  if (enqueued.length !== 1) {
    return {
      refused: `the code next to the check enqueues to ${enqueued.map((queue) => `\`${queue}\``).join(', ')}`,
      decide: `choose which queue \`${check.callee}\` should ask about`,
    };
  }
  const target = enqueued[0]!;
  if (!isPlainQueueName(target)) return { refused: `the queue \`${target}\` needs escaping in code`, decide: 'change the check by hand' };
  const text = files.text(location.file);
  if (typeof text !== 'string') return text;
  const start = offsetOf(text, location.line, location.column ?? 1);
  if (start === undefined) return { refused: `${location.file}:${location.line} is not in the file any more`, decide: 'run fix again' };
  const window = text.slice(start, start + CALL_WINDOW);
  const literals = [...window.matchAll(/(["'])([^"'\\\n]*)\1/g)].filter((match) => match[2] === check.queue);
  const callEnd = closingParen(window);
  const inCall = literals.filter((match) => callEnd === undefined || match.index! < callEnd);
  if (inCall.length !== 1) {
    return {
      refused: `\`${check.queue}\` is not written as one string literal in the call at ${location.file}:${location.line}`,
      decide: `make \`${check.callee}\` ask about \`${target}\` by hand`,
    };
  }
  const match = inCall[0]!;
  const at = start + match.index! + 1;
  return {
    edit: { file: location.file, start: at, end: at + check.queue.length, text: target },
    description: `Make \`${check.callee}\` at ${location.file}:${location.line} ask about \`${target}\`, the queue the code enqueues to, instead of \`${check.queue}\`.`,
  };
}

/** The index of the parenthesis that closes the first call in `text` (strings skipped), if it is there. */
function closingParen(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return undefined;
}
