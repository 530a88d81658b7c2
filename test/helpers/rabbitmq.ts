/**
 * A private RabbitMQ node for tests (Debian's rabbitmq-server 3.10): its own node name, AMQP, distribution,
 * epmd and management ports on the loopback interface, data, logs, config, plugins file and HOME (the Erlang
 * cookie) in a temp dir; stopped (the node's process group killed, its epmd told to exit) and the dir removed
 * afterwards. A missing package fails the test loudly. One node per test file: it takes seconds to boot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { eventually } from './poll.js';
import { freePort } from './ports.js';
import { layoutRabbitmqNode, RABBITMQCTL, RABBITMQ_SERVER, stopEpmd } from './rabbitmq-node.js';

export interface RabbitmqNode {
  amqpPort: number;
  /** The management API's port (the plugin may be off: `management: false`). */
  apiPort: number;
  /** `amqp://user:pass@127.0.0.1:<port>/<vhost>` (the vhost percent-encoded; `/` by default). */
  url(user?: string, password?: string, vhost?: string): string;
  /** `http://127.0.0.1:<apiPort>` */
  apiUrl: string;
  /** rabbitmqctl against this node; throws with its output when it fails. */
  ctl(...args: string[]): Promise<string>;
  /** `rabbitmqctl list_queues name messages consumers` as sorted lines (what the node holds, asked of the queues themselves). */
  listQueues(vhost?: string): Promise<string[]>;
  /** A user with only the `monitoring` tag and an empty permission entry on the vhost (it may configure, write and read nothing). */
  addMonitoringUser(user: string, password: string, vhost?: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

function requireFile(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
}

const portAccepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Starts a private node; with `management: false` the management plugin is not enabled. */
export async function startRabbitmq(options: { management?: boolean } = {}): Promise<RabbitmqNode> {
  requireFile(RABBITMQ_SERVER, 'rabbitmq-server');
  requireFile(RABBITMQCTL, 'rabbitmq-server');
  const management = options.management ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'rd-rabbitmq-'));
  const [amqpPort, apiPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const node = `rd-${Math.random().toString(36).slice(2, 10)}@localhost`;
  // Queue counts reach the API at this interval (5 s by default): the tests poll for them either way.
  const env = layoutRabbitmqNode({ dir, node, amqpPort, apiPort, distPort, epmdPort, management, statsIntervalMs: 500 });
  // Its own process group: the shell script, erl and beam are stopped together.
  const child: ChildProcess = spawn(RABBITMQ_SERVER, [], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));

  const ctl = async (...args: string[]) => {
    const result = await execa(RABBITMQCTL, ['-n', node, ...args], { env, extendEnv: false, reject: false, timeout: 60_000 });
    if (result.exitCode !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}${result.stdout}`);
    return String(result.stdout);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
    await stopEpmd(epmdPort, env);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await eventually(
      async () => {
        if (!(await portAccepts(amqpPort))) return undefined;
        if (!management) return true;
        const answer = await fetch(`http://127.0.0.1:${apiPort}/api/overview`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
        return answer.status === 200 ? true : undefined;
      },
      {
        what: `RabbitMQ node ${node} to accept AMQP${management ? ' and management API' : ''} connections`,
        timeoutMs: 90_000,
        intervalMs: 200,
        stopIf: () => (spawnError ? `rabbitmq-server could not start: ${spawnError.message}` : child.exitCode !== null ? `rabbitmq-server exited (${child.exitCode})` : undefined),
        context: () => output,
      },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    amqpPort,
    apiPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    url: (user = 'guest', password = 'guest', vhost = '/') =>
      `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${amqpPort}/${encodeURIComponent(vhost)}`,
    ctl,
    async listQueues(vhost = '/') {
      const out = await ctl('list_queues', '-p', vhost, '--no-table-headers', '--quiet', 'name', 'messages', 'consumers');
      return out
        .split('\n')
        .map((line) => line.trim().replace(/\s+/g, ' '))
        .filter(Boolean)
        .sort();
    },
    async addMonitoringUser(user, password, vhost = '/') {
      await ctl('add_user', user, password);
      await ctl('set_user_tags', user, 'monitoring');
      await ctl('set_permissions', '-p', vhost, user, '', '', '');
    },
    output: () => output,
    stop,
  };
}
