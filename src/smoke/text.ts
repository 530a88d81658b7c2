import type { SmokeDiagnostics } from '../types.js';

const MAX_EXCERPT = 160;

/** One line, no control characters (a hostile server must not move the cursor or colour the terminal). */
export function oneLine(text: string, max = MAX_EXCERPT): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The server's own words about an answer: the JSON `error`/`message`/`detail`, an HTML page's title or text,
 * or a short excerpt of whatever the body is.
 */
export function serverText(body: string): string {
  const json = parseJson(body);
  if (isRecord(json)) {
    for (const key of ['error', 'message', 'detail', 'title']) {
      const value = json[key];
      if (typeof value === 'string' && value.trim()) return oneLine(value);
      if (isRecord(value) && typeof value.message === 'string') return oneLine(value.message);
    }
  }
  if (/<(!doctype|html|head|body|title)\b/i.test(body)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
    const text = title?.trim() ? title : body.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]*>/g, ' ');
    return `HTML page: ${oneLine(text, 100) || '(no text)'}`;
  }
  return body.trim() ? oneLine(body) : '(empty body)';
}

const ticked = (names: readonly string[], max = 3) =>
  `${names.slice(0, max).map((name) => `\`${oneLine(name, 60)}\``).join(', ')}${names.length > max ? `, +${names.length - max} more` : ''}`;

/**
 * Reads the diagnostics JSON of docs/CONTRACT.md §6 (`{workers: [{name, queues, state}], queues: {name: length},
 * default_queue_has_worker}`), tolerating missing parts; undefined when it is not that shape at all.
 */
export function readDiagnostics(body: string): SmokeDiagnostics | undefined {
  const json = parseJson(body);
  if (!isRecord(json) || (!Array.isArray(json.workers) && !isRecord(json.queues))) return undefined;
  const workers = (Array.isArray(json.workers) ? json.workers : []).filter(isRecord).map((worker) => ({
    name: typeof worker.name === 'string' ? worker.name : '?',
    queues: Array.isArray(worker.queues) ? worker.queues.filter((queue): queue is string => typeof queue === 'string') : [],
    ...(typeof worker.state === 'string' ? { state: worker.state } : {}),
  }));
  const queues: Record<string, number> = {};
  if (isRecord(json.queues)) {
    for (const [name, length] of Object.entries(json.queues)) {
      if (typeof length === 'number' && Number.isFinite(length)) queues[name] = length;
    }
  }
  const defaultQueueHasWorker = typeof json.default_queue_has_worker === 'boolean' ? json.default_queue_has_worker : undefined;

  const consumed = new Set(workers.flatMap((worker) => worker.queues));
  const parts: string[] = [];
  if (workers.length === 0) parts.push('no worker registered');
  else {
    const listened = [...consumed];
    parts.push(
      `${workers.length} worker${workers.length === 1 ? '' : 's'} (${ticked(workers.map((worker) => worker.name))}) listening to ${
        listened.length ? listened.map((queue) => oneLine(queue, 60)).join(', ') : 'nothing'
      }`,
    );
  }
  const unconsumed = new Set(Object.keys(queues).filter((queue) => !consumed.has(queue)));
  if (defaultQueueHasWorker === false) unconsumed.add('default');
  if (workers.length > 0) for (const queue of unconsumed) parts.push(`\`${oneLine(queue, 60)}\` has no worker`);
  for (const [queue, length] of Object.entries(queues)) {
    if (length > 0) parts.push(`queue \`${oneLine(queue, 60)}\` has ${length} waiting`);
  }
  return {
    workers,
    queues,
    ...(defaultQueueHasWorker !== undefined ? { defaultQueueHasWorker } : {}),
    summary: parts.join('; '),
  };
}
