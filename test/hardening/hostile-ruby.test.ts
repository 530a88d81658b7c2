/**
 * Hostile Ruby sources and sidekiq.yml files (issue 28): every shape below is quadratic, deeply recursive or
 * unbounded for a naive tokenizer or reader. Each run is a real CLI process under the harness's hard deadline and
 * memory bound; the healthy part of the project (a Sidekiq job and its worker) must still be read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectRobust, runBounded } from './harness.js';
import { removeTempDirs, tempDir, writeTree } from './projects.js';

afterAll(removeTempDirs);

/** A healthy Rails project: a Sidekiq job on `critical`, enqueued, and a worker listening to it. */
function project(extra: Record<string, string>): string {
  return writeTree(tempDir('rd-hostile-ruby-'), {
    Procfile: 'worker: bundle exec sidekiq\n',
    'config/sidekiq.yml': ':queues:\n  - critical\n',
    'app/workers/charge_worker.rb': "class ChargeWorker\n  include Sidekiq::Job\n  sidekiq_options queue: 'critical'\nend\n",
    'app/services/checkout.rb': 'class Checkout\n  def call = ChargeWorker.perform_async(1)\nend\n',
    ...extra,
  });
}

interface Report {
  findings: { rule: string; queue?: string }[];
  static?: { producers: { queue: string | null; location: { file: string } }[]; unreadable?: { files: { file: string; reason: string }[] } };
}

async function staticReport(dir: string, label: string): Promise<Report> {
  const run = await runBounded(['static', dir, '--format', 'json'], { timeoutMs: 30_000, maxRssMiB: 1024 });
  expectRobust(run, label);
  return JSON.parse(run.stdout) as Report;
}

const healthy = (report: Report) => report.static!.producers.filter((producer) => producer.location.file === 'app/services/checkout.rb').map((producer) => producer.queue);

describe.concurrent('hostile Ruby sources end within the deadline, the healthy code still read', () => {
  const SHAPES: Record<string, Record<string, string>> = {
    'unclosed scopes, calls and options': {
      'app/workers/classes.rb': `${'class A\n  self.class.perform_async\n'.repeat(25_000)}`,
      'app/workers/calls.rb': `${'x.deliver_later('.repeat(50_000)}`,
      'app/workers/options.rb': `class B\n  include Sidekiq::Job\n  sidekiq_options queue: ${'('.repeat(300_000)}\nend\n`,
    },
    'unclosed heredocs, literals, ternaries and endless constants': {
      'app/workers/heredocs.rb': `x = ${'<<~A '.repeat(50_000)}\nperform_async\n`,
      'app/workers/literals.rb': `x = %w[${'a '.repeat(300_000)}\ny = /${'b'.repeat(300_000)}\nperform_async`,
      'app/workers/labels.rb': `perform_async(${'a ? b: '.repeat(100_000)})`,
      'app/workers/constant.rb': `${'A'.repeat(300_000)}b.perform_async\n${'Q::'.repeat(100_000)}R.perform_later\n`,
    },
    'Sidekiq initializers: unclosed redis hashes, blocks without one, endless keys': {
      'config/initializers/sidekiq.rb': `${'Sidekiq.configure_server; c.redis = x.redis = '.repeat(20_000)}${'Sidekiq.configure_client do |c| c.'.repeat(20_000)}`,
      'config/initializers/hash.rb': `Sidekiq.configure_client { |c| c.redis = { ${"url: ENV.fetch('X', 'redis://a'), ".repeat(50_000)}`,
      'config/initializers/more.rb': `Sidekiq.configure_server { |c| c.redis = { ${'db: db: '.repeat(100_000)}`,
    },
  };
  it.each(Object.keys(SHAPES))('%s, by the ten thousand', async (label) => {
    const report = await staticReport(project(SHAPES[label]!), label);
    expect(report.static!.unreadable).toBeUndefined();
    expect(healthy(report)).toEqual(['critical']);
    expect(report.findings.filter((finding) => finding.rule === 'queue-without-worker' && finding.queue === 'critical')).toEqual([]);
  });

  it('interpolation nested 100,000 deep is a reported skip, never a stack overflow', async () => {
    const report = await staticReport(project({ 'app/workers/deep.rb': `perform_async("${'#{"'.repeat(100_000)}` }), 'deep interpolation');
    expect(report.static!.unreadable!.files).toEqual([{ file: 'app/workers/deep.rb', reason: 'nested too deeply to analyze' }]);
    expect(healthy(report)).toEqual(['critical']);
  });

  it('a sidekiq.yml of 200,000 unclosed ERB tags, and one of aliases, is read in linear time', async () => {
    const erb = await staticReport(project({ 'config/sidekiq.yml': `:queues:\n  - critical\n# ${'<%= '.repeat(200_000)}\n` }), 'unclosed ERB');
    expect(erb.findings.filter((finding) => finding.rule === 'queue-without-worker')).toEqual([]);
    const aliases = ['a: &a [critical, critical, critical, critical, critical, critical, critical, critical, critical]'];
    for (let level = 1; level < 40; level++) aliases.push(`${String.fromCharCode(97 + (level % 26))}${level}: &l${level} [${Array(9).fill(level === 1 ? '*a' : `*l${level - 1}`).join(', ')}]`);
    const bomb = await staticReport(project({ 'config/sidekiq.yml': `${aliases.join('\n')}\n:queues:\n  - critical\n` }), 'YAML aliases');
    expect(bomb.findings.filter((finding) => finding.rule === 'queue-without-worker')).toEqual([]);
  });
});
