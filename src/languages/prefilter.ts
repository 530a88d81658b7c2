/**
 * The prefilter: a file whose text cannot contain a producer or a check is never tokenized. Every producer the
 * analyzers accept names `Queue`, `get_queue`, `enqueue`, `queueName` (all contain `ueue`), or is a language's
 * own extra form (Python's `@job` decorator); every check calls a function whose name contains `worker`
 * (`orker`/`ORKER`; mixed-case spellings such as `WoRkEr` are not recognised).
 */
const NEEDLES = ['ueue', 'orker', 'ORKER'];
const NEEDLE_BYTES = NEEDLES.map((needle) => Buffer.from(needle));

export function hasQueueNeedle(text: string): boolean {
  return NEEDLES.some((needle) => text.includes(needle));
}

/** The same test on raw bytes: native substring search, no UTF-8 decoding for the files that fail it. */
export function bytesHaveQueueNeedle(bytes: Buffer): boolean {
  return NEEDLE_BYTES.some((needle) => bytes.indexOf(needle) >= 0);
}
