import type { ProducerKind } from '../../types.js';
import type { Position, RawProducer, RawQueueObject } from '../facts.js';
import type { RbToken } from './tokenizer.js';

/** A class the module defines, with the statements of its body that some Ruby framework reads. */
export interface RubyClass {
  /** Qualified name (`Billing::InvoiceJob`). */
  name: string;
  /** The superclass as written (`ApplicationJob`), when the class names one. */
  superclass?: string;
  line: number;
  column: number;
  /**
   * Statements at the start of a body line whose first word is one of the frameworks' `classStatements`
   * (`include Sidekiq::Job`, `sidekiq_options queue: 'x'`, `queue_as :x`), in source order.
   */
  statements: { word: string; at: number }[];
}

/** A method call `receiver.method …` in the module (the token after a `.`). */
export interface RubyCall {
  method: string;
  /** The `.` token before the method name. */
  dot: number;
  position: Position;
  /** The innermost class or module around the call (qualified), if any. */
  scope?: string;
  /** The class whose body the call is directly in (`self.perform_async` names it). */
  selfClass?: string;
  /** The innermost class around the call, through `def`s and blocks (`self.class.perform_async` names it). */
  enclosingClass?: string;
}

/**
 * The Ruby call index of one module, as the frameworks read it: the tokens, and lookups over them that the
 * analyzer owns (constant paths, argument lists, the receiver of a class method).
 */
export interface RubyCallIndex {
  tokens: readonly RbToken[];
  /** A class-body statement's arguments: after `(` to its `)`, or bare to the line's end (end exclusive). */
  statementArguments(at: number): { from: number; to: number };
  /** A call's arguments after its method name: parenthesised, or bare to the end of the line; undefined when none. */
  callArguments(call: RubyCall): { from: number; to: number } | undefined;
  /** The index of the argument after the one starting at `from` (top-level commas only). */
  nextArgument(from: number, to: number): number | undefined;
  /** The constant path at `at` (`Sidekiq::Job`). */
  constantAt(at: number): string | undefined;
  /** The constant path a call's receiver is (`Sidekiq::Client.push`: `Sidekiq::Client`), through `self`. */
  receiverOf(call: RubyCall): string | undefined;
  /**
   * A class method call that enqueues a job class (`Job.perform_async`, `Billing::Job.set(queue: 'x').perform_later`):
   * a producer of `kind` whose receiver is the class (or the current one, for `self`/`self.class`), with the queue
   * `.set(queue: …)` names; undefined when the receiver is no constant.
   */
  classMethodProducer(call: RubyCall, kind: ProducerKind): RawProducer | undefined;
}

/** A queue object a framework makes of a class (a job class), without its position and scope (the class's). */
export type RecognizedJobClass = Omit<RawQueueObject, 'position' | 'scope'>;

/**
 * How a Ruby queue framework reads a module (its FRAMEWORKS entry's `recognizer`): the Ruby analyzer keeps the
 * classes and calls, and asks the Ruby frameworks in registry order.
 */
export interface RubyRecognizer {
  /** The first words of the class-body statements it reads (`include`, `sidekiq_options`). */
  classStatements?: readonly string[];
  /** Classes it defines for applications to subclass (Rails' generated `ApplicationJob`): never jobs themselves. */
  baseClasses?: ReadonlySet<string>;
  /** The queue object a class is to it (a job class), or undefined when the class is not its job. */
  jobClass?(klass: RubyClass, index: RubyCallIndex): RecognizedJobClass | undefined;
  /** The methods it enqueues through (`perform_async`, `deliver_later`): only those calls reach `producer`. */
  methods?: ReadonlySet<string>;
  /** The producer a call is (the first framework returning one claims the call); a `receiver` is a class to look up. */
  producer?(call: RubyCall, index: RubyCallIndex): RawProducer | undefined;
  /** What it keeps of the module for its project step (ModuleFacts.frameworks[id]); undefined: nothing. */
  moduleData?(index: RubyCallIndex): unknown;
}
