import {
  type CST,
  type Document,
  isAlias,
  isMap as isYamlMap,
  isScalar as isYamlScalar,
  isSeq as isYamlSeq,
  LineCounter,
  type Node as YamlNode,
  parseAllDocuments,
  Parser,
  Scalar,
  visit,
} from 'yaml';
import { InputError } from '../../errors.js';
import type { Location } from '../../types.js';
import { scalar, type ScalarValue, type YEntry, type YMap, type YNode } from './tree.js';

/** Compose files above this size are refused rather than parsed (real ones are a few KiB). */
export const MAX_COMPOSE_FILE_BYTES = 10 * 1024 * 1024;

/**
 * How many nodes alias expansion may create in one document. The `yaml` package's default
 * `maxAliasCount` (100) rejects real compose files that reuse `x-` fragments everywhere; this is far
 * above any real file yet keeps a "billion laughs" document to a fast InputError.
 */
export const MAX_ALIAS_EXPANSION_NODES = 100_000;

/** Nesting deeper than this is refused (real compose files nest a handful of levels). */
export const MAX_NESTING_DEPTH = 200;

/** One YAML document of a compose file, with compose-go's `!reset`/`!override` bookkeeping. */
export interface ParsedDocument {
  /** Null for an empty document. */
  root: YNode | null;
  /** Paths tagged `!reset` or `!override`: removed from the model merged so far before this document merges. */
  resetPaths: string[][];
}

/** Offset of the opening quote of the quoted scalar that runs to `end` unclosed, when the parser kept it. */
function unclosedQuoteStart(document: Document.Parsed, end: number): number | undefined {
  let start: number | undefined;
  visit(document, {
    Scalar(_key, node) {
      if ((node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && node.range?.[1] === end) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

/**
 * Where the first node of the text at or after `from` that sits inside more than MAX_NESTING_DEPTH collections starts
 * (the node DocumentConverter would refuse), read from the yaml package's concrete syntax tree: its parser keeps a
 * stack where its composer recurses. The composer gives up on deep nesting with a RangeError wherever the stack ran
 * out, a place that moves with Node's version and the frames below the parse; this one does not. Undefined when no
 * node is that deep (the stack ran out sooner).
 */
function firstTooDeep(text: string, from: number): number | undefined {
  let first: number | undefined;
  const pending: { token: CST.Token | null | undefined; depth: number }[] = [];
  for (const token of new Parser().parse(text)) pending.push({ token, depth: 0 });
  while (pending.length > 0) {
    const { token, depth } = pending.pop()!;
    if (!token) continue;
    if (depth > MAX_NESTING_DEPTH) {
      if (token.offset >= from && (first === undefined || token.offset < first)) first = token.offset;
      continue;
    }
    if (token.type === 'document') pending.push({ token: token.value, depth });
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      for (const item of token.items) pending.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
    }
  }
  return first;
}

/** Parses a compose file into positioned trees, one per YAML document; `file` is the root-relative name. */
export function parseComposeYaml(text: string, file: string): ParsedDocument[] {
  const lineCounter = new LineCounter();
  // uniqueKeys is off: the yaml package checks duplicates pairwise (quadratic: a 100k-key mapping took minutes);
  // convertMap below detects them with a Map, at the same positions.
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: false, merge: false, prettyErrors: false });
  const list: Document.Parsed[] = Array.isArray(documents) ? documents : [];
  const at = (offset: number | undefined): Location => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { file, line, column: col };
  };
  const parsed: ParsedDocument[] = [];
  for (const document of list) {
    const error = document.errors[0];
    if (error) {
      // The parser quotes the offending text: keep such a quote short (a line can be a secret or 600 KB long).
      const first = error.message
        .split('\n')[0]!
        .replace(/ at line \d+, column \d+:?$/, '')
        .replace(/"((?:[^"\\]|\\.){40})(?:[^"\\]|\\.)+"/g, '"$1…"');
      // The yaml package's recursion gives up on very deep nesting with a RangeError's text, where the stack ran out:
      // the node nested too deeply is named instead, as DocumentConverter names it when the recursion gets through.
      const stackRanOut = /call stack/i.test(first);
      const tooDeep = stackRanOut ? firstTooDeep(text, document.range[0]) : undefined;
      if (tooDeep !== undefined) throw new InputError(`YAML nested more than ${MAX_NESTING_DEPTH} levels deep`, at(tooDeep));
      const message = stackRanOut ? `nested too deeply (more than ${MAX_NESTING_DEPTH} levels?)` : first;
      // An unclosed quote is reported where the document ends (often past the last line); like docker compose,
      // point at the quote that opens the string instead.
      const opening = /^Missing closing ["']quote$/.test(first) ? unclosedQuoteStart(document, error.pos[0]) : undefined;
      if (opening !== undefined) throw new InputError(`invalid YAML: ${message} for the string that starts here`, at(opening));
      throw new InputError(`invalid YAML: ${message}`, at(error.pos[0]));
    }
    if (document.contents === null) {
      parsed.push({ root: null, resetPaths: [] });
      continue;
    }
    parsed.push(new DocumentConverter(document, at).convertDocument());
  }
  return parsed;
}

const isMergeKey = (key: unknown): boolean => isYamlScalar(key) && key.value === '<<' && key.type === Scalar.PLAIN && !key.tag;

class DocumentConverter {
  private readonly aliasTargets = new Map<YamlNode, YamlNode>();
  private readonly expanding = new Set<YamlNode>();
  private aliasNodes = 0;
  private aliasDepth = 0;
  readonly resetPaths: string[][] = [];

  constructor(
    private readonly document: Document.Parsed,
    private readonly at: (offset: number | undefined) => Location,
  ) {
    // An alias names the closest anchor before it in document order; resolve them all once, up front.
    const anchors = new Map<string, YamlNode>();
    visit(document, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = anchors.get(node.source);
          if (target) this.aliasTargets.set(node, target);
        } else if (node.anchor) {
          anchors.set(node.anchor, node);
        }
      },
    });
  }

  convertDocument(): ParsedDocument {
    const root = this.convert(this.document.contents as YamlNode, []);
    return { root, resetPaths: this.resetPaths };
  }

  /** Converts one node at `path`; undefined when the node is tagged `!reset` (it is dropped). */
  private convert(node: YamlNode, path: string[]): YNode | null {
    if (this.aliasDepth > 0 && ++this.aliasNodes > MAX_ALIAS_EXPANSION_NODES) {
      throw new InputError(
        `aliases expand to more than ${MAX_ALIAS_EXPANSION_NODES} nodes (an alias bomb?)`,
        this.at(node.range?.[0]),
      );
    }
    if (path.length > MAX_NESTING_DEPTH) {
      throw new InputError(`YAML nested more than ${MAX_NESTING_DEPTH} levels deep`, this.at(node.range?.[0]));
    }
    if (isAlias(node)) return this.convertAlias(node, path);
    const tag = node.tag;
    if (tag === '!reset') {
      this.resetPaths.push(path);
      return null;
    }
    if (tag === '!override') this.resetPaths.push(path);
    const pos = this.at(node.range?.[0]);
    if (isYamlMap(node)) return this.convertMap(node, path, pos);
    if (isYamlSeq(node)) {
      const items: YNode[] = [];
      node.items.forEach((item, index) => {
        const converted = this.convert(item as YamlNode, [...path, String(index)]);
        if (converted) items.push(converted);
      });
      return { kind: 'seq', pos, items };
    }
    if (isYamlScalar(node)) return scalar(this.scalarValue(node), pos);
    throw new InputError('unsupported YAML node', pos);
  }

  private convertAlias(node: YamlNode & { source: string }, path: string[]): YNode | null {
    const target = this.aliasTargets.get(node);
    const pos = this.at(node.range?.[0]);
    if (!target) throw new InputError(`invalid YAML: unknown anchor \`${node.source}\``, pos);
    if (this.expanding.has(target)) throw new InputError(`invalid YAML: anchor \`${node.source}\` contains itself`, pos);
    this.expanding.add(target);
    this.aliasDepth++;
    try {
      return this.convert(target, path);
    } finally {
      this.aliasDepth--;
      this.expanding.delete(target);
    }
  }

  private scalarValue(node: Scalar): ScalarValue {
    const value = node.value;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'bigint') return Number(value);
    return String(value);
  }

  private convertMap(node: YamlNode & { items: { key: unknown; value: unknown }[] }, path: string[], pos: Location): YMap {
    const entries = new Map<string, YEntry>();
    const mergeSources: YamlNode[] = [];
    let mergeKeySeen: Location | undefined;
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const keyPos = this.at(keyNode?.range?.[0] ?? node.range?.[0]);
      if (isMergeKey(keyNode)) {
        if (mergeKeySeen) {
          throw new InputError(`invalid YAML: mapping key "<<" already defined at line ${mergeKeySeen.line}`, keyPos);
        }
        mergeKeySeen = keyPos;
        if (pair.value) mergeSources.push(pair.value as YamlNode);
        continue;
      }
      const key = this.keyString(keyNode, path, keyPos);
      if (entries.has(key)) {
        throw new InputError(`invalid YAML: mapping key "${key}" already defined at line ${entries.get(key)!.keyPos.line}`, keyPos);
      }
      const valueNode = pair.value as YamlNode | null;
      const value = valueNode
        ? this.convert(valueNode, [...path, key])
        : scalar(null, keyPos);
      // A `!reset` value is dropped from this document (compose-go removes the node before decoding).
      if (value) entries.set(key, { keyPos, value });
    }
    if (mergeSources.length > 0) this.applyMergeKey(entries, mergeSources, path);
    return { kind: 'map', pos, entries };
  }

  /** YAML merge keys as go-yaml applies them: shallow, local keys win, earlier maps in a list win. */
  private applyMergeKey(entries: Map<string, YEntry>, sources: YamlNode[], path: string[]): void {
    const localKeys = new Set(entries.keys());
    for (const source of sources) {
      const maps: YamlNode[] = isYamlSeq(source) ? (source.items as YamlNode[]) : [source];
      for (const item of maps) {
        const resolved = isAlias(item) ? this.aliasTargets.get(item) : item;
        if (!resolved || !isYamlMap(resolved)) {
          throw new InputError('invalid YAML: map merge requires map or sequence of maps as the value', this.at(item.range?.[0]));
        }
        const converted = this.convert(item, path);
        if (!converted || converted.kind !== 'map') continue;
        for (const [key, entry] of converted.entries) {
          if (localKeys.has(key) || entries.has(key)) continue;
          entries.set(key, entry);
        }
      }
    }
  }

  private keyString(keyNode: YamlNode | null, path: string[], keyPos: Location): string {
    const value = keyNode && isYamlScalar(keyNode) ? keyNode.value : undefined;
    if (typeof value === 'string') return value;
    const where = path.length === 0 ? 'at top level' : `in ${path.join('.')}`;
    throw new InputError(`non-string key ${where}: ${keyNode ? String(keyNode) : 'null'}`, keyPos);
  }
}
