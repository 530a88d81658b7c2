/**
 * A tiny TCP proxy in front of a real redis-server that misbehaves on demand, for live-stage fault injection.
 *
 *   const proxy = await startFaultProxy(redis.port);
 *   proxy.setFault({ kind: 'drop-when', pattern: /SMEMBERS/i });  // cut the connection mid-inspection
 *   await runBounded(['live', '--redis', proxy.url]);
 *   await proxy.close();
 *
 * The fault applies to connections accepted after `setFault`; `proxy.log` records what the client sent.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export type Fault =
  /** Forward everything both ways. */
  | { kind: 'pass' }
  /** Accept, then reset the connection at once (the client sees ECONNRESET / a closed connection). */
  | { kind: 'reset' }
  /** Accept and read, never answer (a firewall black hole, a frozen server). */
  | { kind: 'hang' }
  /** Forward, but hold every reply chunk for `ms` first (a slow link / overloaded server). */
  | { kind: 'delay'; ms: number }
  /** Forward until the client sends a chunk matching `pattern`, then destroy both sides (a drop mid-inspection). */
  | { kind: 'drop-when'; pattern: RegExp }
  /** Forward until the client sends a chunk matching `pattern`, then stop answering (a freeze mid-inspection). */
  | { kind: 'hang-when'; pattern: RegExp }
  /** Forward replies one byte every `ms` (a trickle that never quite stops). */
  | { kind: 'trickle'; ms: number }
  /** Answer every chunk with bytes that are not RESP. */
  | { kind: 'garbage'; bytes: Buffer };

export interface FaultProxy {
  /** redis://127.0.0.1:<proxy port>, plus `auth` (`user:password@` or `:password@`) when given. */
  url(auth?: string, db?: number): string;
  port: number;
  setFault(fault: Fault): void;
  /** Everything clients sent, in order, as latin1 text (RESP commands are readable). */
  log: string[];
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let fault: Fault = { kind: 'pass' };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const log: string[] = [];
  let connections = 0;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const server: Server = createServer((client) => {
    connections++;
    const current = fault;
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    if (current.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (current.kind === 'hang') {
      client.on('data', (data) => log.push(data.toString('latin1')));
      return;
    }
    if (current.kind === 'garbage') {
      client.on('data', (data) => {
        log.push(data.toString('latin1'));
        client.write(current.bytes);
      });
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    let frozen = false;
    client.on('data', (data) => {
      const text = data.toString('latin1');
      log.push(text);
      if (current.kind === 'drop-when' && current.pattern.test(text)) {
        client.destroy();
        upstream.destroy();
        return;
      }
      if (current.kind === 'hang-when' && current.pattern.test(text)) frozen = true;
      if (!frozen) upstream.write(data);
    });
    // Trickled bytes leave strictly in order, one every `ms`, whatever chunks they arrived in.
    let backlog = Buffer.alloc(0);
    let trickling = false;
    const trickle = (ms: number) => {
      if (trickling || client.destroyed) return;
      if (backlog.length === 0) return;
      trickling = true;
      later(ms, () => {
        trickling = false;
        if (client.destroyed) return;
        client.write(backlog.subarray(0, 1));
        backlog = backlog.subarray(1);
        trickle(ms);
      });
    };
    upstream.on('data', (data) => {
      if (frozen || client.destroyed) return;
      if (current.kind === 'delay') later(current.ms, () => client.destroyed || client.write(data));
      else if (current.kind === 'trickle') {
        backlog = Buffer.concat([backlog, data]);
        trickle(current.ms);
      } else client.write(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: (auth, db) => `redis://${auth ? `${auth}@` : ''}127.0.0.1:${port}${db !== undefined ? `/${db}` : ''}`,
    setFault: (next) => {
      fault = next;
    },
    log,
    get connections() {
      return connections;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A fake Redis speaking RESP: the handshake (AUTH, SELECT, CLIENT SETNAME, PING, HELLO) is answered normally and every
 * other command with `answer(command)` — well-formed RESP of the wrong shape, errors, odd cursors.
 */
export async function startFakeRedis(answer: (command: string[]) => string): Promise<{ url: string; commands: string[][]; close(): Promise<void> }> {
  const { RespParser } = await import('../../src/live/resp.js');
  const sockets = new Set<Socket>();
  const commands: string[][] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const parser = new RespParser();
    socket.on('data', (data) => {
      parser.push(data);
      for (;;) {
        let command: unknown;
        try {
          command = parser.next();
        } catch {
          socket.destroy();
          return;
        }
        if (command === undefined) return;
        const words = (Array.isArray(command) ? command : [command]).map(String);
        commands.push(words);
        const name = words[0]!.toLowerCase();
        if (name === 'auth' || name === 'select' || (name === 'client' && words[1]?.toLowerCase() === 'setname')) socket.write('+OK\r\n');
        else if (name === 'ping') socket.write('+PONG\r\n');
        else socket.write(answer(words));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    commands,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
