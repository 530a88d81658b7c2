import type { Binding, Position, RawConnection, RawProducer, RawQueueObject, ValueExpr } from '../facts.js';
import type { JsToken } from './tokenizer.js';

/**
 * A named block around a site (function, method, class body), innermost first through `parent`. Plain blocks
 * (`if`, loops, object literals) are not named and not kept: a site's scope is the names of the functions and
 * classes around it.
 */
export interface JsBlock {
  name: string | undefined;
  /** A class body: `this.x` in its methods names its fields. */
  isClass: boolean;
  parent: JsBlock | undefined;
  /** Blocks open at this one, itself included (plain blocks count). */
  depth: number;
}

/** Where a site sits: its innermost block (undefined at module level) and how many blocks are open around it. */
export interface JsSiteContext {
  block: JsBlock | undefined;
  depth: number;
}

/**
 * What a module does, in source order, as the frameworks read it: `new X(...)` constructions, calls `f(...)` /
 * `a.b(...)` (not definitions), and declarations of locals (which shadow module-level names).
 */
export type JsSite =
  | (JsSiteContext & {
      type: 'new';
      /** The `new` token. */
      at: number;
      /** The constructor's first and last name tokens (`new bullmq.Queue(`: `bullmq` … `Queue`). */
      calleeStart: number;
      calleeEnd: number;
      open: number;
      close: number;
    })
  | (JsSiteContext & {
      type: 'call';
      /** First token of the callee (`a` of `a.b.add(`, the `(` of a call result's receiver, `new` of `new Q(...).add(`). */
      calleeStart: number;
      open: number;
      close: number;
    })
  | { type: 'local'; key: string };

/**
 * The JS/TS call index of one module, built in one pass over its tokens: the module-level bindings (imports,
 * exports, top-level constants), the sites in source order, and the helpers the frameworks read them with.
 */
export interface JsCallIndex {
  source: string;
  tokens: JsToken[];
  bindings: Map<string, Binding>;
  sites: JsSite[];
  /** 1-based line and column of a token. */
  position(index: number): Position;
  /** Source text of tokens [from, to). */
  textOf(from: number, to: number): string;
}

/** Dotted name of the functions and classes around a site (`Worker.start`), undefined at module level. */
export function scopeOf(block: JsBlock | undefined): string | undefined {
  const names: string[] = [];
  for (let b = block; b; b = b.parent) if (b.name) names.push(b.name);
  return names.length ? names.reverse().join('.') : undefined;
}

/** Dotted name of the innermost class around a site. */
export function classOf(block: JsBlock | undefined): string | undefined {
  for (let b = block; b; b = b.parent) if (b.isClass) return scopeOf(b);
  return undefined;
}

/** What the JS frameworks' recognizers add to one module's facts (shared, so queue-object indexes are the module's). */
export interface JsModuleOutput {
  producers: RawProducer[];
  queues: RawQueueObject[];
  /** Consumer-side constructions and their connection options (for connection-mismatch). */
  workers: RawConnection[];
}

/** A worker a script constructs with its queue (`new Worker('mail', …)`): what the worker-script reader reads. */
export interface JsConsumer {
  queue: ValueExpr;
  /** The construction's first token. */
  at: number;
}

/**
 * How a JS/TS queue framework reads a module (its FRAMEWORKS entry's `recognizer`): the JS analyzer runs every JS
 * framework's `recognize` over the module's call index, in registry order; the worker-script reader asks `consumers`.
 */
export interface JsRecognizer {
  /** Reads the sites in source order: adds its queue objects, producers and workers to `output`, names queue objects in `index.bindings`. */
  recognize(index: JsCallIndex, output: JsModuleOutput): void;
  /** The workers a script constructs that name their queue (a worker script with no queue variable hardcodes these). */
  consumers?(index: JsCallIndex): JsConsumer[];
}
