import { connect, createServer } from 'node:net';

/** A free TCP port on the loopback interface (the OS picks it; a race with another process is possible but rare). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * True when a Redis on the loopback port answers an inline PING. With `acceptAuthError`, a server that
 * demands a password (NOAUTH) counts as up too.
 */
export function answersPing(port: number, { acceptAuthError = false } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.destroy();
      const reply = data.toString();
      resolve(reply.includes('PONG') || (acceptAuthError && reply.includes('NOAUTH')));
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
