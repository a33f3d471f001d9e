// A TCP proxy of the script's own in front of the shared PostgreSQL, to fake its outages without
// ever touching it (adapted from `startProxy` in packages/postgres/test/helpers.ts):
// - `stop()`: resets every connection and every new one (a server that is down: the driver sees
//   ECONNRESET at once); `start()` forwards again.
// - `freeze()`: holds every byte both ways and connects nobody, so nothing is lost and nothing
//   answers (a server or a network that stalls: SIGSTOP, a full disk, a partition); `thaw()`
//   delivers what was held and carries on.
import { createServer, connect as tcpConnect } from 'node:net';

export async function startProxy(target) {
  let mode = 'forward';
  const sockets = new Set();
  const pending = []; // connections accepted while frozen, connected upstream on thaw
  const track = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const link = (client) => {
    const upstream = tcpConnect(target.port, target.host);
    track(upstream);
    // Plain 'data' handlers, not pipe(): pipe() resumes a source on 'drain', which would undo
    // a freeze.
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const server = createServer((client) => {
    if (mode === 'stopped') {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    track(client);
    if (mode === 'frozen') {
      client.pause();
      pending.push(client);
      return;
    }
    link(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    stop() {
      mode = 'stopped';
      for (const socket of sockets) socket.resetAndDestroy();
      pending.length = 0;
    },
    start() {
      mode = 'forward';
    },
    freeze() {
      mode = 'frozen';
      // Paused sockets are not read: the kernel buffers hold the bytes, nothing is dropped.
      for (const socket of sockets) socket.pause();
    },
    thaw() {
      mode = 'forward';
      for (const socket of sockets) socket.resume();
      for (const client of pending.splice(0)) {
        if (client.destroyed) continue;
        link(client);
        client.resume();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
