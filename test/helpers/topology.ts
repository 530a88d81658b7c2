/**
 * Real Redis topologies on loopback for the live tests: a Sentinel setup (master, replica, three Debian
 * `redis-sentinel`s), a Redis Cluster of three masters made with `redis-cli --cluster create`, and TLS certificates
 * made with the `openssl` CLI. A missing package fails loudly with the package to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { answersPing } from '../../src/net.js';
import { eventually } from './poll.js';
import { freePort } from './ports.js';
import { startRedis, type RedisServer } from './redis.js';

export function requireBinary(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
}

/** The live stage's read-only ACL (docs/CONTRACT.md §5) plus what a topology's discovery needs. */
export const READ_ONLY_ACL = ['on', '~*', 'resetchannels', '-@all', '+@read', '+ping', '+hello', '+info', '+select', '+client|setname', '+client|list'];

export async function addReadOnlyUser(admin: Redis, user: string, password: string, extra: string[] = []): Promise<void> {
  await admin.call('ACL', 'SETUSER', user, 'reset', ...READ_ONLY_ACL, `>${password}`, ...extra);
}

/** ACL LOG entries (denied commands or keys) as `reason:object` strings. */
export async function aclLog(admin: Redis): Promise<string[]> {
  const log = (await admin.call('ACL', 'LOG')) as unknown[][];
  return log.map((entry) => `${String(entry[entry.indexOf('reason') + 1])}:${String(entry[entry.indexOf('object') + 1])}`);
}

export interface SentinelSetup {
  master: RedisServer;
  replica: RedisServer;
  sentinels: { port: number; process: ChildProcess }[];
  masterName: string;
  sentinelPassword: string;
  /** `host:port` the sentinels name as master right now. */
  currentMaster(): Promise<string>;
  stop(): Promise<void>;
}

/** A master, one replica and three sentinels (quorum 2) with their own password, on free loopback ports. */
export async function startSentinelSetup(
  masterName = 'mymaster',
  sentinelPassword = 'sentinel-pw-77',
  /** The port the sentinels monitor the master on (a proxy in front of it); the master's own by default. */
  monitorPort?: (master: RedisServer) => Promise<number>,
): Promise<SentinelSetup> {
  requireBinary('/usr/bin/redis-sentinel', 'redis-sentinel');
  // No diskless-sync delay (5 s by default): the replica is in sync as soon as it is up.
  const master = await startRedis(['--repl-diskless-sync-delay', '0']);
  const replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)]);
  const replicaAdmin = new Redis(replica.url);
  try {
    await eventually(async () => (/master_link_status:up/.test(await replicaAdmin.info('replication')) ? true : undefined), {
      what: 'the replica to sync',
      timeoutMs: 20_000,
    });
  } finally {
    replicaAdmin.disconnect();
  }
  const monitored = monitorPort ? await monitorPort(master) : master.port;
  const dir = mkdtempSync(join(tmpdir(), 'rd-sentinel-'));
  const sentinels: { port: number; process: ChildProcess }[] = [];
  for (let index = 0; index < 3; index++) {
    const port = await freePort();
    const file = join(dir, `sentinel-${index}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${monitored} 2`,
        `sentinel down-after-milliseconds ${masterName} 2000`,
        `sentinel failover-timeout ${masterName} 10000`,
        `requirepass ${sentinelPassword}`,
        `sentinel sentinel-pass ${sentinelPassword}`,
        '',
      ].join('\n'),
    );
    const child = spawn('/usr/bin/redis-sentinel', [file], { stdio: 'ignore' });
    sentinels.push({ port, process: child });
  }
  for (const sentinel of sentinels) {
    await eventually(async () => ((await answersPing(sentinel.port, { acceptAuthError: true })) ? true : undefined), { what: 'redis-sentinel to answer' });
  }
  const ask = async (port: number, ...args: string[]) => {
    const client = new Redis({ port, host: '127.0.0.1', password: sentinelPassword, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return await client.call('SENTINEL', ...args);
    } finally {
      client.disconnect();
    }
  };
  // Ready when every sentinel sees the replica and the two other sentinels (needed to agree on a failover).
  for (const sentinel of sentinels) {
    await eventually(
      async () => {
        const fields = (await ask(sentinel.port, 'master', masterName)) as string[];
        const field = (name: string) => Number(fields[fields.indexOf(name) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2 ? true : undefined;
      },
      { what: 'the sentinels to see the replica and each other', timeoutMs: 30_000 },
    );
  }
  return {
    master,
    replica,
    sentinels,
    masterName,
    sentinelPassword,
    async currentMaster() {
      const [host, port] = (await ask(sentinels[0]!.port, 'get-master-addr-by-name', masterName)) as string[];
      return `${host}:${port}`;
    },
    async stop() {
      for (const sentinel of sentinels) sentinel.process.kill('SIGKILL');
      await Promise.all([master.stop(), replica.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asks a sentinel for a failover and waits until the sentinels name the replica and it answers as a master. */
export async function failover(setup: SentinelSetup): Promise<string> {
  const before = await setup.currentMaster();
  // Everything written so far is on the replica before it is promoted.
  const old = new Redis({ port: Number(before.split(':')[1]), host: '127.0.0.1' });
  try {
    const acknowledged = Number(await old.call('WAIT', '1', '10000'));
    if (acknowledged < 1) throw new Error('the replica did not acknowledge the writes before the failover');
  } finally {
    old.disconnect();
  }
  const client = new Redis({ port: setup.sentinels[0]!.port, host: '127.0.0.1', password: setup.sentinelPassword });
  try {
    await client.call('SENTINEL', 'FAILOVER', setup.masterName);
  } finally {
    client.disconnect();
  }
  const after = await eventually(async () => {
    const now = await setup.currentMaster();
    return now !== before ? now : undefined;
  }, { what: 'the sentinels to name a new master', timeoutMs: 30_000 });
  const port = Number(after.split(':')[1]);
  const admin = new Redis({ port, host: '127.0.0.1' });
  try {
    await eventually(async () => (/role:master/.test(await admin.info('replication')) ? true : undefined), { what: 'the new master to be a master' });
  } finally {
    admin.disconnect();
  }
  return after;
}

export interface LocalCluster {
  nodes: RedisServer[];
  /** redis://127.0.0.1:<port of the first node> */
  url: string;
  stop(): Promise<void>;
}

/** Three masters (`--cluster-enabled yes`) joined by `redis-cli --cluster create … --cluster-yes`. */
export async function startCluster(): Promise<LocalCluster> {
  requireBinary('/usr/bin/redis-cli', 'redis-tools');
  const nodes = await Promise.all(
    [0, 1, 2].map(() => startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'])),
  );
  await execa('/usr/bin/redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
    timeout: 60_000,
  });
  for (const node of nodes) {
    const client = new Redis({ port: node.port, host: '127.0.0.1' });
    try {
      await eventually(async () => (/cluster_state:ok/.test(String(await client.call('CLUSTER', 'INFO'))) ? true : undefined), {
        what: 'the cluster to be ok',
        timeoutMs: 30_000,
      });
    } finally {
      client.disconnect();
    }
  }
  return {
    nodes,
    url: `redis://127.0.0.1:${nodes[0]!.port}`,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}

export interface Certificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting it must fail. */
  otherCa: string;
  remove(): void;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with the openssl CLI. */
export async function makeCertificates(): Promise<Certificates> {
  requireBinary('/usr/bin/openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'rd-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execa('/usr/bin/openssl', args, { cwd: dir });
  const ca = async (name: string) => {
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', path(`${name}.key`), '-out', path(`${name}.crt`));
  };
  await ca('test-ca');
  await ca('other-ca');
  const signed = async (name: string, subject: string, extensions: string) => {
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`));
    writeFileSync(path(`${name}.ext`), extensions);
    await openssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path('test-ca.crt'), '-CAkey', path('test-ca.key'), '-CAcreateserial', '-days', '2', '-extfile', path(`${name}.ext`), '-out', path(`${name}.crt`));
  };
  await signed('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await signed('client', '/CN=receipts-doctor', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: path('test-ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    otherCa: path('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
