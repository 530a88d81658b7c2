/**
 * Ruby's prefilter against its analyzer, with every Ruby framework's vocabulary generated from the registry: a file
 * holding a job class, an enqueue site, a `deliver_later` or a Sidekiq initializer is never dropped before it is read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAMEWORKS } from '../../src/frameworks/index.js';
import { analyzeRuby } from '../../src/languages/ruby/analyzer.js';
import { ruby as rubyLanguage } from '../../src/languages/ruby/index.js';

const settings = (seed: number, numRuns = 200): fc.Parameters<unknown> => ({ seed, numRuns, verbose: 1 });

const RUBY_FRAMEWORKS = FRAMEWORKS.filter((framework) => framework.language === 'ruby');
const rubyVocabulary = (name: string, queue: string) =>
  RUBY_FRAMEWORKS.flatMap((framework) => (framework.vocabulary ?? []).map((sample) => ({ framework: framework.id, text: sample.replaceAll('NAME', name).replaceAll('QUEUE', queue) })));

/** What a Ruby module yields for the scan: producers, job classes, or a framework's module data (Sidekiq's initializer). */
const rubyYield = (text: string) => {
  const facts = analyzeRuby(text);
  return facts.producers.length + (facts.queues?.length ?? 0) + Object.keys(facts.frameworks ?? {}).length;
};

const passes = (text: string) => {
  expect(rubyLanguage.prefilter(text), text).toBe(true);
  expect(rubyLanguage.prefilterBytes(Buffer.from(text)), text).toBe(true);
};

const RUBY_KEYWORDS = new Set(['def', 'end', 'class', 'module', 'if', 'unless', 'do', 'begin', 'case', 'while', 'until', 'for', 'then', 'else', 'self', 'nil', 'in', 'and', 'or', 'not', 'return', 'yield', 'true', 'false']);
const identifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((name) => !RUBY_KEYWORDS.has(name));

describe("Ruby's prefilter lets every file with a job class, a producer or a framework's module data through", () => {
  it('every Ruby framework in the registry has a recognizer and samples of its code, each of which the analyzer recognises', () => {
    expect(RUBY_FRAMEWORKS.map((framework) => framework.id)).toEqual(['sidekiq', 'activejob']);
    for (const framework of RUBY_FRAMEWORKS) {
      expect(framework.recognizer, framework.id).toBeDefined();
      expect(framework.vocabulary?.length ?? 0, framework.id).toBeGreaterThan(0);
    }
    for (const { framework, text } of rubyVocabulary('receipts', 'high')) {
      expect(rubyYield(text), `${framework}: ${text}`).toBeGreaterThan(0);
      passes(text);
    }
  });

  it("each framework's samples are its own: recognised by its recognizer, not another's", () => {
    for (const { framework, text } of rubyVocabulary('receipts', 'high')) {
      const facts = analyzeRuby(text);
      const kinds = [...facts.producers, ...(facts.queues ?? [])].map((fact) => fact.kind);
      const data = Object.keys(facts.frameworks ?? {});
      const own = framework === 'sidekiq' ? ['sidekiq-job', 'sidekiq-client'] : ['activejob-job', 'actionmailer-deliver-later'];
      expect([...kinds.filter((kind) => !own.includes(kind)), ...data.filter((id) => id !== framework)], `${framework}: ${text}`).toEqual([]);
    }
  });

  const line = fc.constantFrom(
    "require 'sidekiq'", "require_relative 'boot'", 'class Report', 'end', 'module Billing', '  def call', '    nil', 'x = 1',
    '# HardJob.perform_async(1)', '=begin', '=end', 'puts "#{x}"', "QUEUE = 'critical'", 'class Mailer < ApplicationMailer',
    "  default from: 'a@b.c'", 'Rails.application.configure do', '  config.active_job.queue_adapter = :sidekiq', '<<~SQL', 'SQL',
    'items.each do |item|', '  item.save!', 'if ready then go end',
    // Every line of every Ruby framework's samples in the registry.
    ...new Set(rubyVocabulary('sent', 'q').flatMap(({ text }) => text.split('\n').filter(Boolean))),
  );
  const terminator = fc.constantFrom('\n', '\r\n', '\n\n');
  const module = fc.array(fc.tuple(line, terminator), { maxLength: 12 }).map((lines) => lines.map(([text, end]) => text + end).join(''));

  it('on generated Ruby modules (text and bytes)', () => {
    let yielded = 0;
    fc.assert(
      fc.property(module, (text) => {
        if (rubyYield(text)) {
          yielded++;
          passes(text);
        }
        expect(rubyLanguage.prefilterBytes(Buffer.from(text)), text).toBe(rubyLanguage.prefilter(text));
      }),
      settings(2701, 400),
    );
    // Not vacuous: most generated modules hold some framework's line.
    expect(yielded).toBeGreaterThan(100);
  });

  it('on samples with generated names and queues', () => {
    fc.assert(
      fc.property(identifier, identifier, (name, queue) => {
        for (const { framework, text } of rubyVocabulary(name, queue)) {
          expect(rubyYield(text), `${framework}: ${text}`).toBeGreaterThan(0);
          passes(text);
        }
      }),
      settings(2702, 100),
    );
  });
});
