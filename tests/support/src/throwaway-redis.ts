import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** Options of {@link throwawayRedis}. */
export interface ThrowawayRedisOptions {
  /**
   * Runs a single-node Redis Cluster that owns all 16384 slots (and announces 127.0.0.1, so
   * ioredis's `Cluster` finds a node for every slot). Default `false`: a plain server.
   */
  readonly cluster?: boolean;
  /**
   * Makes `stop()` run `SAVE` (on a connection of the server's own, never a client under test)
   * before killing the process, so a restart comes back with the data: the fault is the
   * outage, not data loss. Default `false`: no persistence, a restart comes back empty.
   */
  readonly saveOnStop?: boolean;
}

/**
 * A `redis-server` child process of one test's own, in a temporary directory of its own,
 * started by {@link throwawayRedis}. Never the machine's shared server.
 */
export interface ThrowawayRedis {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * Starts the process (again, on the same port and directory after `stop`); resolves once it
   * accepts connections.
   *
   * @throws Error when it exits first or is not ready within 10 s (with its output).
   */
  start(): Promise<void>;
  /**
   * Kills the process with SIGKILL (a crash: clients see their connections drop) and waits for
   * it to exit; with `saveOnStop`, saves the dataset first. Does nothing when it is not running.
   * `thaw()` a frozen server before stopping it with `saveOnStop`: its `SAVE` would wait.
   */
  stop(): Promise<void>;
  /**
   * Freezes the process (SIGSTOP): connections stay open and new ones are accepted by the
   * kernel, but nothing answers.
   */
  freeze(): void;
  /** Resumes a frozen process (SIGCONT); it answers what it was sent meanwhile. */
  thaw(): void;
  /** Stops the process and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * Starts `redis-server --port <free port> --save "" --appendonly no` in a temporary directory
 * (with `cluster`, a single-node cluster owning every slot) and waits until it is ready.
 *
 * @throws Error when the server does not start (see {@link ThrowawayRedis.start}), or a cluster
 *   never reports `cluster_state:ok` within 10 s.
 * @example
 * ```ts
 * const server = await throwawayRedis();
 * const redis = await createRedis(server.url);
 * await server.stop(); // calls now reject
 * await server.start(); // and work again once redis has reconnected
 * await server.dispose();
 * ```
 */
export async function throwawayRedis(options: ThrowawayRedisOptions = {}): Promise<ThrowawayRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir);
  if (options.cluster === true) {
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'));
    // Without it, a lone node announces an empty address and ioredis finds no node for a slot.
    args.push('--cluster-announce-ip', '127.0.0.1');
  }
  let child: ChildProcess | undefined;
  // With saveOnStop: one connection of its own for SAVE, never one of the clients under test.
  let admin: Redis | undefined;

  const server: ThrowawayRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      await untilReady(proc);
      if (options.saveOnStop === true) {
        admin = new Redis({
          port,
          host: '127.0.0.1',
          lazyConnect: true,
          retryStrategy: () => null,
        });
        admin.on('error', () => undefined);
        await admin.connect();
      }
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (admin !== undefined) {
        const connection = admin;
        admin = undefined;
        await connection.save();
        connection.disconnect();
      }
      if (proc === undefined || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  if (options.cluster === true) await claimAllSlots(port);
  return server;
}

/** Resolves once `proc` logs that it accepts connections; rejects if it exits or takes 10 s. */
function untilReady(proc: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
}

/** Makes a fresh cluster node own every slot and waits until the cluster reports `ok`. */
async function claimAllSlots(port: number): Promise<void> {
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await admin.connect();
  try {
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let i = 0; i < 100; i += 1) {
      const info = String(await admin.call('CLUSTER', 'INFO'));
      if (info.includes('cluster_state:ok')) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the throwaway cluster never reached cluster_state:ok');
  } finally {
    admin.disconnect();
  }
}
