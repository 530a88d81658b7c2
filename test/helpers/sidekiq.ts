/**
 * Debian's Sidekiq (ruby-sidekiq 6.4) and Rails (ruby-activejob, ruby-actionmailer 6.1) for tests: real `sidekiq`
 * processes and real producers (`Sidekiq::Client`, ActionMailer `deliver_later` through ActiveJob's Sidekiq adapter),
 * all loading fixtures/sidekiq-live/app.rb. A missing package fails the test loudly with the package to install.
 */
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { fixture } from './cli.js';
import { eventually } from './poll.js';
import { exitedReason, launch, requireTool, type Managed } from './rq.js';

export const RUBY = '/usr/bin/ruby';
export const SIDEKIQ = '/usr/bin/sidekiq';
/** The jobs and the mailer the processes run and the producers push. */
export const SIDEKIQ_APP_DIR = fixture('sidekiq-live');

const requireSidekiq = () => {
  requireTool(RUBY, 'ruby');
  requireTool(SIDEKIQ, 'ruby-sidekiq ruby-activejob ruby-actionmailer');
};

/** Runs Ruby with the app loaded and `REDIS_URL` set (Sidekiq's client reads it), e.g. a push or a `deliver_later`. */
export async function ruby(url: string, code: string): Promise<string> {
  requireSidekiq();
  const result = await execa(RUBY, ['-r', './app.rb', '-e', code], { cwd: SIDEKIQ_APP_DIR, env: { REDIS_URL: url }, reject: false, timeout: 60_000 });
  if (result.exitCode !== 0) throw new Error(`ruby failed (${result.exitCode}): ${result.stderr}`);
  return String(result.stdout);
}

export interface SidekiqProcess extends Managed {
  /** The identity it registered in `processes` (`hostname:pid:nonce`). */
  identity: string;
}

/** The identity of the process with `pid` in `processes`, once its hash holds `info` (its first beat). */
async function registeredIdentity(url: string, pid: number): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const identity of await redis.smembers('processes')) {
      const info = await redis.hget(identity, 'info');
      if (info && JSON.parse(info).pid === pid) return identity;
    }
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Starts `sidekiq -r ./app.rb <args>` (e.g. `-q default`) and waits for its first heartbeat. */
export async function startSidekiq(url: string, args: string[]): Promise<SidekiqProcess> {
  requireSidekiq();
  const managed = launch(SIDEKIQ, ['-r', './app.rb', '-c', '2', ...args], { REDIS_URL: url }, SIDEKIQ_APP_DIR);
  const pid = managed.process.pid!;
  try {
    const identity = await eventually(async () => registeredIdentity(url, pid).catch(() => undefined), {
      what: `sidekiq ${args.join(' ')} to beat`,
      timeoutMs: 30_000,
      stopIf: exitedReason(managed),
      context: managed.output,
    });
    return { ...managed, identity };
  } catch (error) {
    await managed.stop('SIGKILL');
    throw error;
  }
}
