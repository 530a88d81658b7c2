import { describe, expect, it } from 'vitest';
import { analyzeRuby } from '../../src/languages/ruby/analyzer.js';
import { autoloadSpecifier, resolveRubyModule } from '../../src/languages/ruby/resolve.js';
import { tokenizeRuby } from '../../src/languages/ruby/tokenizer.js';
import { ruby } from '../../src/languages/ruby/index.js';

const values = (text: string) => tokenizeRuby(text).filter((token) => token.type !== 'nl').map((token) => `${token.type}:${token.words ? token.words.join(',') : token.value}`);

describe('the Ruby tokenizer', () => {
  it('strings, symbols, labels, %w/%i lists, interpolation', () => {
    expect(values(`x = 'a\\'b'; y = "c#{d("}")}e"; z = :sym; h = { queue: :low, 'k' => %w[a b], q: %i(c d) }`)).toEqual([
      'name:x', 'op:=', "string:a'b", 'op:;', 'name:y', 'op:=', 'string:c#{d("}")}e', 'op:;', 'name:z', 'op:=', 'symbol:sym', 'op:;',
      'name:h', 'op:=', 'op:{', 'label:queue', 'symbol:low', 'op:,', 'string:k', 'op:=>', 'words:a,b', 'op:,', 'label:q', 'words:c,d', 'op:}',
    ]);
    expect(tokenizeRuby('"a#{b}"')[0]!.interpolated).toBe(true);
  });
  it('comments, =begin/=end and __END__ hide code; a heredoc body is one string', () => {
    const text = [
      "# Foo.perform_async",
      '=begin',
      'Bar.perform_async',
      '=end',
      'sql = <<~SQL.strip',
      '  SELECT 1 # not a comment',
      'SQL',
      "Baz.perform_async",
      '__END__',
      'Qux.perform_async',
    ].join('\n');
    expect(values(text)).toEqual(['name:sql', 'op:=', 'string:SELECT 1 # not a comment\n', 'op:.', 'name:strip', 'const:Baz', 'op:.', 'name:perform_async']);
    expect(tokenizeRuby(text).find((token) => token.value === 'Baz')!.line).toBe(8);
  });
  it('a ternary is no label; division is no regexp; a regexp is one token', () => {
    expect(values('a ? b : c')).toEqual(['name:a', 'op:?', 'name:b', 'op::', 'name:c']);
    expect(values('x = a / b / c')).toEqual(['name:x', 'op:=', 'name:a', 'op:/', 'name:b', 'op:/', 'name:c']);
    expect(values("s.split(/'\"#/)")).toEqual(['name:s', 'op:.', 'name:split', 'op:(', `string:'"#`, 'op:)']);
  });
});

describe('the Ruby analyzer: Sidekiq, ActiveJob and ActionMailer', () => {
  it('a Sidekiq job class is a queue object bound by its qualified and short names', () => {
    const facts = analyzeRuby("module Billing\n  class InvoiceWorker\n    include Sidekiq::Job\n    sidekiq_options retry: 3, 'queue' => 'invoices'\n  end\nend\n");
    expect(facts.queues).toEqual([expect.objectContaining({ kind: 'sidekiq-job', queue: { kind: 'literal', value: 'invoices' }, position: { line: 2, column: 3 } })]);
    expect(facts.bindings.get('Billing::InvoiceWorker')).toEqual({ kind: 'queue', object: 0, factory: false });
    expect(facts.bindings.get('InvoiceWorker')).toEqual({ kind: 'queue', object: 0, factory: false });
  });
  it('without sidekiq_options the queue is `default`; a class without the module is no job', () => {
    const facts = analyzeRuby('class A\n  include Sidekiq::Worker\nend\nclass B\n  sidekiq_options queue: "x"\nend\n');
    expect(facts.queues!.map((queue) => queue.queue)).toEqual([{ kind: 'literal', value: 'default' }]);
  });
  it('enqueue sites: perform_async/in/at, set(queue:), Sidekiq::Client, perform_later, deliver_later', () => {
    const facts = analyzeRuby(
      [
        'class Checkout',
        '  def call',
        '    HardJob.perform_async(1)',
        '    Billing::InvoiceWorker.perform_in(5.minutes, 1)',
        "    HardJob.set(queue: 'low').perform_at(1.hour.from_now)",
        "    Sidekiq::Client.push('class' => 'X', 'queue' => 'raw', 'args' => [])",
        '    Sidekiq::Client.enqueue_to(Queues::AUDIT, AuditWorker, 1)',
        '    Sidekiq::Client.enqueue(HardJob, 1)',
        '    ReportJob.perform_later(1)',
        '    UserMailer.with(user: u).welcome.deliver_later',
        '    UserMailer.welcome(u).deliver_later(queue: :urgent, wait: 1.hour)',
        '    user.perform_async',
        '  end',
        'end',
      ].join('\n'),
    );
    expect(facts.producers.map((p) => [p.kind, p.via, p.receiver ?? null, p.queue.kind === 'literal' ? p.queue.value : p.queue.kind === 'ref' ? `ref ${p.queue.name}` : p.queue.kind, p.position.line])).toEqual([
      ['sidekiq-job', 'perform_async', 'HardJob', 'unknown', 3],
      ['sidekiq-job', 'perform_in', 'Billing::InvoiceWorker', 'unknown', 4],
      ['sidekiq-job', 'perform_at', 'HardJob', 'low', 5],
      ['sidekiq-client', 'push', null, 'raw', 6],
      ['sidekiq-client', 'enqueue_to', null, 'ref Queues::AUDIT', 7],
      ['sidekiq-job', 'enqueue', 'HardJob', 'unknown', 8],
      ['activejob-job', 'perform_later', 'ReportJob', 'unknown', 9],
      ['actionmailer-deliver-later', 'deliver_later', null, '\u0000deliver_later_queue_name', 10],
      ['actionmailer-deliver-later', 'deliver_later', null, 'urgent', 11],
    ]);
    expect(facts.producers[2]!.override).toBe(true);
    // Constants used here are bound where Rails autoloads them.
    expect(facts.bindings.get('Billing::InvoiceWorker')).toEqual({ kind: 'import', module: 'billing/invoice_worker', name: 'Billing::InvoiceWorker' });
    expect(facts.bindings.get('Queues::AUDIT')).toEqual({ kind: 'import', module: 'queues', name: 'Queues::AUDIT' });
  });
  it('queue_as: symbol, string, ENV.fetch, a block (unknown); modifiers `if` do not open a scope', () => {
    const facts = analyzeRuby(
      [
        'class A < ApplicationJob',
        '  queue_as :a',
        '  def perform = nil',
        'end',
        'class B < ApplicationJob',
        '  queue_as ENV.fetch("B_QUEUE") { "b" }',
        '  def perform(x)',
        '    return if x',
        '  end',
        'end',
        'class C < ApplicationJob',
        '  queue_as do',
        '    :c',
        '  end',
        'end',
        'class D < ApplicationJob',
        'end',
      ].join('\n'),
    );
    expect(facts.queues!.map((queue) => [queue.scope, queue.kind, queue.queue])).toEqual([
      ['A', 'activejob-job', { kind: 'literal', value: 'a' }],
      ['B', 'activejob-job', { kind: 'env', name: 'B_QUEUE', fallback: { kind: 'literal', value: 'b' } }],
      ['C', 'activejob-job', { kind: 'unknown' }],
      ['D', 'activejob-job', { kind: 'literal', value: '\u0000default_queue_name' }],
    ]);
  });
});

describe('Rails autoload resolution', () => {
  it('names files as Zeitwerk does and finds them under app/* (and concerns) and lib/', () => {
    expect(autoloadSpecifier('Billing::HTMLInvoiceJob')).toBe('billing/html_invoice_job');
    expect(autoloadSpecifier('Queues::CRITICAL')).toBe('queues');
    expect(autoloadSpecifier('CRITICAL')).toBeUndefined();
    const known = new Set(['app/workers/billing/html_invoice_job.rb', 'lib/queues.rb', 'app/models/concerns/queues.rb', 'spec/queues.rb']);
    expect(resolveRubyModule('x.rb', 'billing/html_invoice_job', known)).toBe('app/workers/billing/html_invoice_job.rb');
    // Path order: app/models/concerns before lib.
    expect(resolveRubyModule('x.rb', 'queues', known)).toBe('app/models/concerns/queues.rb');
    expect(resolveRubyModule('x.rb', 'missing', known)).toBeUndefined();
  });
  it('the prefilter lets job files through and skips plain ones', () => {
    expect(ruby.prefilter('class A\n  include Sidekiq::Job\nend\n')).toBe(true);
    expect(ruby.prefilter('u.deliver_later\n')).toBe(true);
    expect(ruby.prefilter("require 'queue'\nclass A; end\n")).toBe(false);
    expect(ruby.prefilter('class User < ApplicationRecord\nend\n')).toBe(false);
  });
});
