/**
 * Servers a fault test may break without touching the machine's shared ones (issue 16): a TCP
 * proxy of the test's own in front of the shared PostgreSQL, and a throwaway `redis-server` on
 * a free port. Adapted from packages/postgres/test/helpers.ts and packages/redis/test/helpers.ts
 * (not imported: another package's test folder is not an API).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A TCP port nobody listens on (at the time of asking). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A TCP proxy in front of the shared PostgreSQL; see {@link startProxy}. */
export interface PgProxy {
  /** `postgres://…` through the proxy, to the same database as `target`. */
  readonly url: string;
  /** Keeps connections open but drops every byte both ways: a server that stopped answering. */
  blackhole(): void;
  /** Forwards again. */
  restore(): void;
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a proxy to the server of `databaseUrl`; its `url` is `databaseUrl` through the proxy.
 * Failures are faked here, never on the shared server.
 */
export async function startProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  let forwarding = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!forwarding) return; // accepted, never answered
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
    track(upstream);
    client.on('data', (chunk) => forwarding && upstream.write(chunk));
    upstream.on('data', (chunk) => forwarding && client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    blackhole: () => {
      forwarding = false;
    },
    restore: () => {
      forwarding = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A redis-server child process of this test's own; see {@link throwawayRedis}. */
export interface ThrowawayRedis {
  readonly url: string;
  /** Starts the process (again, on the same port and with the data it saved at `stop`). */
  start(): Promise<void>;
  /**
   * Saves the dataset (`SAVE`, so a restart loses nothing: the fault is the outage, not data
   * loss) and kills the process with SIGKILL.
   */
  stop(): Promise<void>;
  /** Stops the process and removes its directory. */
  dispose(): Promise<void>;
}

/** Starts `redis-server --port <free port> --save "" --appendonly no` in a directory of its own. */
export async function throwawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-faults-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir);
  let child: ChildProcess | undefined;
  // One connection of its own for SAVE, never one of the clients under test.
  let admin: Redis | undefined;

  const server: ThrowawayRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`redis-server: ${output}`)), 10_000);
        proc.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (${code}): ${output}`));
        });
      });
      admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
      admin.on('error', () => undefined);
      await admin.connect();
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (admin !== undefined) {
        await admin.save();
        admin.disconnect();
        admin = undefined;
      }
      if (proc === undefined || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
