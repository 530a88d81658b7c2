// The layout of a private RabbitMQ node (Debian's rabbitmq-server 3.10), shared by the tests (rabbitmq.ts) and the
// benchmark (bench/lib.js): its own node name, AMQP, distribution, epmd and management ports on the loopback
// interface; data, logs, config, plugins file, env file and HOME (the Erlang cookie) in `dir`. Plain JavaScript so
// that bench/ can import it as it is.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
export const RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';
export const EPMD = '/usr/bin/epmd';

/**
 * Writes the node's files into `dir` and returns its name and the environment rabbitmq-server and rabbitmqctl
 * need. `statsIntervalMs`: how often the management API's counts follow the queues (RabbitMQ's default 5 s).
 *
 * @param {{ dir: string; node: string; amqpPort: number; apiPort: number; distPort: number; epmdPort: number; management: boolean; statsIntervalMs?: number }} options
 * @returns {Record<string, string>}
 */
export function layoutRabbitmqNode(options) {
  const { dir } = options;
  for (const sub of ['home', 'mnesia', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.1 = 127.0.0.1:${options.amqpPort}`,
      `management.tcp.port = ${options.apiPort}`,
      'management.tcp.ip = 127.0.0.1',
      ...(options.statsIntervalMs ? [`collect_statistics_interval = ${options.statsIntervalMs}`] : []),
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'enabled_plugins'), options.management ? '[rabbitmq_management].\n' : '[].\n');
  // An empty env file: the system's /etc/rabbitmq/rabbitmq-env.conf must not pick the node name or ports.
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    RABBITMQ_NODENAME: options.node,
    RABBITMQ_NODE_PORT: String(options.amqpPort),
    RABBITMQ_DIST_PORT: String(options.distPort),
    ERL_EPMD_PORT: String(options.epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
}

/**
 * Tells the node's own epmd (erl started it on `epmdPort`; it outlives the node) to exit. epmd refuses while the
 * node is still registered, and the node's beam may outlive its shell script by a moment: asked again until it
 * exits (`Killed`), is gone, or 10 s passed.
 *
 * @param {number} epmdPort
 * @param {Record<string, string>} env
 */
export async function stopEpmd(epmdPort, env) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = spawnSync(EPMD, ['-port', String(epmdPort), '-kill'], { env, encoding: 'utf8', timeout: 5000 });
    const said = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (/Killed|no running epmd|Cannot connect/i.test(said) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
