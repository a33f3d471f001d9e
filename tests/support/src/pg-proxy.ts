import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** Options of {@link startPgProxy}. */
export interface PgProxyOptions {
  /**
   * The server to forward to, as a `postgres://` URL; the proxy's own `url` is this URL with
   * host and port replaced by the proxy's. Default: `process.env.DATABASE_URL`, else
   * `postgres://postgres@127.0.0.1:5432/test` (the machine's shared server). The port defaults
   * to 5432 when the URL has none.
   */
  readonly databaseUrl?: string;
}

/**
 * A TCP proxy of one test's own in front of a PostgreSQL server, started by
 * {@link startPgProxy}. It fakes the server's failures without ever touching the server. One
 * fault at a time: each fault method replaces the previous one, `restore()` ends any of them.
 */
export interface PgProxy {
  /** `databaseUrl` through the proxy: same user, password, database and parameters. */
  readonly url: string;
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /**
   * A server or network that stopped answering: connections stay open, every byte is dropped
   * both ways (lost for good), new connections are accepted and never answered (not even after
   * `restore()`).
   */
  blackhole(): void;
  /**
   * A server or network that stalls (SIGSTOP, a full disk, a partition): every byte is held
   * both ways and new connections wait unconnected; nothing is lost, nothing answers.
   * `restore()` delivers what was held and connects the waiting connections.
   */
  freeze(): void;
  /**
   * A server that is down: every connection is reset (the driver sees ECONNRESET at once) and
   * so is every new one until `restore()`.
   */
  stop(): void;
  /** Ends the current fault (`blackhole`, `freeze` or `stop`) and forwards again. */
  restore(): void;
  /** Destroys every connection and stops listening: a server that is gone for good. */
  close(): Promise<void>;
}

type Mode = 'forward' | 'blackhole' | 'frozen' | 'stopped';

const SHARED_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Starts a {@link PgProxy} on a free port of 127.0.0.1, forwarding to the server of
 * `options.databaseUrl`. Connect through `proxy.url`, break the proxy, never the server.
 *
 * @throws Error when the proxy cannot listen.
 * @example
 * ```ts
 * const proxy = await startPgProxy({ databaseUrl: DATABASE_URL });
 * const pool = await createPool(proxy.url, { connectionTimeoutMillis: 500 });
 * proxy.blackhole();
 * // … assert that calls fail fast …
 * proxy.restore();
 * await proxy.close();
 * ```
 */
export async function startPgProxy(options: PgProxyOptions = {}): Promise<PgProxy> {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? SHARED_DATABASE_URL;
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  let mode: Mode = 'forward';
  const sockets = new Set<Socket>();
  const pending: Socket[] = []; // accepted while frozen, connected upstream on restore
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const link = (client: Socket) => {
    const upstream = tcpConnect(targetPort, target.hostname);
    track(upstream);
    // Plain 'data' handlers, not pipe(): pipe() resumes a source on 'drain', which would undo
    // a freeze.
    client.on('data', (chunk) => mode !== 'blackhole' && upstream.write(chunk));
    upstream.on('data', (chunk) => mode !== 'blackhole' && client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const server: Server = createServer((client) => {
    if (mode === 'stopped') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    track(client);
    if (mode === 'blackhole') return; // accepted, never answered
    if (mode === 'frozen') {
      client.pause();
      pending.push(client);
      return;
    }
    link(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);

  return {
    url: url.toString(),
    port: address.port,
    blackhole() {
      mode = 'blackhole';
    },
    freeze() {
      mode = 'frozen';
      // Paused sockets are not read: the kernel buffers hold the bytes, nothing is dropped.
      for (const socket of sockets) socket.pause();
    },
    stop() {
      mode = 'stopped';
      for (const socket of sockets) socket.resetAndDestroy();
      pending.length = 0;
    },
    restore() {
      const wasFrozen = mode === 'frozen';
      mode = 'forward';
      if (!wasFrozen) return;
      for (const client of pending.splice(0)) {
        if (!client.destroyed) link(client);
      }
      // After the links: a socket resumed with no 'data' listener would lose what it held.
      for (const socket of sockets) socket.resume();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
