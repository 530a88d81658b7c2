import type { Location } from '../../types.js';

/**
 * The positioned YAML tree the loader works on: like compose-go's `map[string]any` model, but every
 * node remembers where it is written, so the merged model can point at the line that supplied a value.
 */
export type YNode = YMap | YSeq | YScalar;

export interface YEntry {
  /** Where the key is written (the line a finding should point at). */
  keyPos: Location;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  pos: Location;
  entries: Map<string, YEntry>;
}

export interface YSeq {
  kind: 'seq';
  pos: Location;
  items: YNode[];
}

export type ScalarValue = string | number | boolean | null;

export interface YScalar {
  kind: 'scalar';
  pos: Location;
  value: ScalarValue;
  /** Variables interpolated into this value that were unset and had no default. */
  unset?: string[];
}

export const isMap = (node: YNode | undefined): node is YMap => node?.kind === 'map';
export const isNull = (node: YNode | undefined): boolean => node === undefined || (node.kind === 'scalar' && node.value === null);

export function scalar(value: ScalarValue, pos: Location, unset?: string[]): YScalar {
  return unset && unset.length > 0 ? { kind: 'scalar', value, pos, unset } : { kind: 'scalar', value, pos };
}

export function emptyMap(pos: Location): YMap {
  return { kind: 'map', pos, entries: new Map() };
}

/** Deep copy: merges mutate maps in place, as compose-go's do, so shared bases are cloned first. */
export function cloneNode<T extends YNode>(node: T): T {
  switch (node.kind) {
    case 'map': {
      const entries = new Map<string, YEntry>();
      for (const [key, entry] of node.entries) entries.set(key, { keyPos: entry.keyPos, value: cloneNode(entry.value) });
      return { kind: 'map', pos: node.pos, entries } as T;
    }
    case 'seq':
      return { kind: 'seq', pos: node.pos, items: node.items.map(cloneNode) } as T;
    default:
      return { ...node };
  }
}

/** A dotted compose path (`services.worker.environment`) for messages. */
export const pathString = (path: readonly string[]): string => path.join('.');

/** compose-go's tree.Path.Matches: same length, `*` in the pattern matches any one segment. */
export function pathMatches(path: readonly string[], pattern: readonly string[]): boolean {
  if (path.length !== pattern.length) return false;
  for (let i = 0; i < path.length; i++) if (pattern[i] !== '*' && pattern[i] !== path[i]) return false;
  return true;
}

/** Scalar rendered the way Go's `%v` renders the decoded YAML value (`true`, `1.5`, `10`). */
export function scalarText(value: ScalarValue): string {
  if (value === null) return '';
  return String(value);
}

export const describeKind = (node: YNode): string =>
  node.kind === 'map' ? 'a mapping' : node.kind === 'seq' ? 'a list' : node.value === null ? 'null' : `a ${typeof node.value}`;
