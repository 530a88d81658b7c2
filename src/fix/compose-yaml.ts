import { isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode, type Pair, parseAllDocuments, Scalar, visit } from 'yaml';
import { offsetOf } from './text.js';
import type { Refusal, TextEdit } from './types.js';

/**
 * Compose files as the `yaml` package's document layer reads them, with source ranges: the fixer finds the node a
 * location names and edits only the characters of that node's source, so everything else stays byte for byte.
 */

export interface LocatedNode {
  /** The mapping pair whose key starts at the location, when there is one. */
  pair?: Pair<YamlNode, YamlNode | null>;
  /** The node starting at the location (the key of `pair`, or a sequence item). */
  node: YamlNode;
  /** Whether the node's value sits inside a flow collection (`[a, b]`, `{a: b}`), where `,` ends a plain scalar. */
  valueInFlow: boolean;
}

const documentsCache = new WeakMap<object, Map<string, ReturnType<typeof parseAllDocuments>>>();

function documents(text: string, cache: object): ReturnType<typeof parseAllDocuments> {
  let byText = documentsCache.get(cache);
  if (!byText) documentsCache.set(cache, (byText = new Map()));
  let parsed = byText.get(text);
  if (!parsed) {
    parsed = parseAllDocuments(text, { uniqueKeys: false, merge: false, prettyErrors: false });
    if (Array.isArray(parsed)) markSharedAnchors(parsed);
    byText.set(text, parsed);
  }
  return parsed;
}

/** Scalars and lists anchored (`&q`) and repeated by an alias (`*q`) elsewhere in their document (and their items): anchor name. */
const sharedAnchor = new WeakMap<object, string>();

/**
 * Marks every scalar or list that an alias repeats (with the items of a list), for `sharedThroughAlias`: the alias
 * may be anywhere (`ALLOWED_HOSTS: *q`), so an edit would change a value the planner cannot see.
 */
export function markSharedAnchors(documents: readonly (Document | Document.Parsed)[]): void {
  for (const document of documents) {
    const referenced = new Set<string>();
    visit(document, {
      Alias(_key, alias) {
        referenced.add(alias.source);
      },
    });
    if (referenced.size === 0) continue;
    visit(document, {
      Node(_key, node) {
        const anchor = (node as { anchor?: string }).anchor;
        // A shared mapping (`x-env: &env`, `environment: *env`) is left to the planner: every service that reads
        // RQ_QUEUES through it is a consumer it weighs (all of them need the queue, or the edit is refused).
        if (anchor === undefined || !referenced.has(anchor) || isMap(node)) return undefined;
        visit(node, {
          Node(_inner, inner) {
            if (!sharedAnchor.has(inner)) sharedAnchor.set(inner, anchor);
          },
        });
        return visit.SKIP;
      },
    });
  }
}

/**
 * A refusal when editing `node` would change what another place reads through a YAML alias (`RQ_QUEUES: &q high`
 * … `ALLOWED_HOSTS: *q`), else undefined.
 */
export function sharedThroughAlias(node: YamlNode): Refusal | undefined {
  const anchor = sharedAnchor.get(node);
  if (anchor === undefined) return undefined;
  return {
    refused: `the value is anchored as &${anchor} and repeated through *${anchor} elsewhere, so editing it would change that place too`,
    decide: 'whether to give this service its own value (replace the anchor or the alias), then run fix again',
  };
}

/** The node (or pair key) that starts at line:column of a compose file's text; undefined when there is none. */
export function nodeAt(text: string, line: number, column: number | undefined, cache: object): LocatedNode | undefined {
  const offset = offsetOf(text, line, column ?? 1);
  if (offset === undefined) return undefined;
  const parsed = documents(text, cache);
  const list = Array.isArray(parsed) ? parsed : [];
  let found: LocatedNode | undefined;
  for (const document of list) {
    if (document.errors.length) return undefined;
    visit(document, {
      Pair(_key, pair, path) {
        const key = pair.key as YamlNode | null;
        if (key && (key as { range?: number[] }).range?.[0] === offset) {
          const parent = path[path.length - 1];
          const flowParent = isMap(parent) && parent.flow === true;
          const value = pair.value as YamlNode | null;
          const valueFlow = (isMap(value) || isSeq(value)) && value.flow === true;
          found = { pair: pair as Pair<YamlNode, YamlNode | null>, node: key, valueInFlow: flowParent || valueFlow };
          return visit.BREAK;
        }
        return undefined;
      },
      Scalar(_key, node, path) {
        if (node.range?.[0] === offset) {
          const parent = path[path.length - 1];
          found = { node, valueInFlow: (isSeq(parent) || isMap(parent)) && parent.flow === true };
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (found) break;
  }
  return found;
}

/** The text of a scalar as YAML reads it, and how its source maps back: only single-line scalars without escapes. */
export function scalarSource(text: string, node: YamlNode): { value: string; sourceIndex(valueIndex: number): number; quote: string } | Refusal {
  if (!isScalar(node) || !node.range) return { refused: 'the value is not a plain or quoted string', decide: 'edit the value by hand' };
  const shared = sharedThroughAlias(node);
  if (shared) return shared;
  const [start, end] = node.range;
  const source = text.slice(start, end);
  if (source.includes('\n') || source.includes('\r')) {
    return { refused: 'the value is written over several lines (a block or folded scalar)', decide: 'add the queue to it by hand' };
  }
  if (node.type === Scalar.PLAIN) {
    return { value: source, sourceIndex: (index) => start + index, quote: '' };
  }
  if (node.type === Scalar.QUOTE_DOUBLE) {
    const inner = source.slice(1, -1);
    if (inner.includes('\\')) return { refused: 'the quoted value contains escapes', decide: 'add the queue to it by hand' };
    return { value: inner, sourceIndex: (index) => start + 1 + index, quote: '"' };
  }
  if (node.type === Scalar.QUOTE_SINGLE) {
    const inner = source.slice(1, -1);
    // '' is one quote in the value: map value indexes past each pair.
    const map: number[] = [];
    for (let i = 0; i < inner.length; i++) {
      map.push(i);
      if (inner[i] === "'" && inner[i + 1] === "'") i++;
    }
    map.push(inner.length);
    return { value: inner.replaceAll("''", "'"), sourceIndex: (index) => start + 1 + (map[index] ?? inner.length), quote: "'" };
  }
  return { refused: 'the value is a block scalar', decide: 'add the queue to it by hand' };
}

/** An insertion of `insert` at `valueIndex` of a scalar's value, in its own quoting; refused where the text would change meaning. */
export function insertInScalar(text: string, file: string, node: YamlNode, valueIndex: number, insert: string, inFlow: boolean): TextEdit | Refusal {
  const source = scalarSource(text, node);
  if ('refused' in source) return source;
  if (source.quote === '' && inFlow && /[,[\]{}]/.test(insert)) {
    return { refused: 'a comma would end the unquoted value inside a flow list', decide: 'quote the value, then run fix again' };
  }
  if (source.quote === '' && (/\s#/.test(insert) || /:\s/.test(insert))) {
    return { refused: 'the text would need quoting', decide: 'add the queue by hand' };
  }
  const at = source.sourceIndex(valueIndex);
  const escaped = source.quote === "'" ? insert.replaceAll("'", "''") : insert;
  if (source.quote === '"' && /["\\]/.test(insert)) return { refused: 'the text would need escaping', decide: 'add the queue by hand' };
  return { file, start: at, end: at, text: escaped };
}

/** The source text of a sequence item like `like` (same quotes) holding `value`. */
export function itemLike(like: YamlNode, value: string): string {
  if (isScalar(like) && like.type === Scalar.QUOTE_DOUBLE) return `"${value}"`;
  if (isScalar(like) && like.type === Scalar.QUOTE_SINGLE) return `'${value}'`;
  return value;
}

export { isPair, isScalar, isSeq };
