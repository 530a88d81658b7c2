/** Splits a queue list on commas and whitespace, trimmed, empties dropped (`RQ_QUEUES`, a script's default). */
export function splitQueueList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}
