import { NeedleSearch } from '../needle-search.js';
import { needleTexts } from '../prefilter.js';
import { escapeRegExp } from '../../regexp.js';
import { PYTHON_RULES } from './prefilter-rules.js';

/**
 * What makes a function body worth analyzing: the prefilter's needles (a body without any cannot hold a producer, a
 * check or a queue object, as a file without any cannot), plus what a body can do to the module around it — an
 * `import` binds a module-level name wherever it is written, `global`/`nonlocal` reach outside, and `conf` is a
 * Celery app configured inside a function (`app.conf.update(…)`, `config_from_object`).
 */
const BODY_NEEDLE_TEXTS = [...needleTexts(PYTHON_RULES), 'import', 'global', 'nonlocal', 'conf'];
/** Made on first use (choosing its buckets takes a millisecond). */
let bodySearch: NeedleSearch | undefined;
/** The same needles for a Node without WebAssembly (`--jitless`). */
const BODY_NEEDLES = new RegExp(BODY_NEEDLE_TEXTS.map(escapeRegExp).join('|'), 'g');

/** Offsets where a body needle starts, ascending (one linear pass). */
export function bodyNeedles(source: string): number[] {
  const at: number[] = [];
  bodySearch ??= new NeedleSearch(BODY_NEEDLE_TEXTS);
  // latin1 makes one byte of each UTF-16 unit, so byte offsets are string offsets; a unit above U+00FF keeps its
  // low byte, which can only add a position (a body analyzed for nothing), never hide one of the ASCII needles.
  const searched = bodySearch.starts(Buffer.from(source, 'latin1'), (start) => {
    at.push(start);
    return false;
  });
  return searched === undefined ? bodyNeedlesByRegex(source) : at;
}

/** The same with a regular expression: for a Node without WebAssembly (`--jitless`), and the tests' reference. */
export function bodyNeedlesByRegex(source: string): number[] {
  const at: number[] = [];
  BODY_NEEDLES.lastIndex = 0;
  for (let match = BODY_NEEDLES.exec(source); match; match = BODY_NEEDLES.exec(source)) at.push(match.index);
  return at;
}
