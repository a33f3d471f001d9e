import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionRecord, UserRecord } from '@portcullis/core/storage';
import { Redis } from 'ioredis';
import { createRedis } from '../src/index.js';

/** The shared Redis server of this machine. Tests never stop it. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A client of the shared server. Rejects when it cannot be reached, so the suite that calls it
 * fails loudly instead of skipping.
 */
export function connect(): Promise<Redis> {
  return createRedis(REDIS_URL, { connectTimeoutMs: 3000, commandTimeoutMs: 5000 });
}

/** A key prefix of its own for one test file: no file sees another's keys. */
export function testPrefix(file: string): string {
  return `portcullis-test:${file}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN + DEL). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) deleted += await redis.del(key);
  } while (cursor !== '0');
  return deleted;
}

/** Every key under `prefix`. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** A TCP port nobody listens on (at the time of asking). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A redis-server child process of this test's own, on a free port. */
export interface ThrowawayServer {
  readonly port: number;
  readonly url: string;
  /** Starts the process (again, on the same port after `stop`). */
  start(): Promise<void>;
  /** Kills the process and waits for it to exit. */
  stop(): Promise<void>;
  /** Sends a signal (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the process and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * Starts `redis-server --port <free port> --save "" --appendonly no` (with `cluster: true`, a
 * single-node Redis Cluster owning all 16384 slots). Never the shared server.
 */
export async function throwawayServer(
  options: { cluster?: boolean } = {},
): Promise<ThrowawayServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-redis-'));
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir);
  if (options.cluster === true) {
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'));
    // Without it, a lone node announces an empty address and ioredis finds no node for a slot.
    args.push('--cluster-announce-ip', '127.0.0.1');
  }

  const server: ThrowawayServer = {
    port,
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
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (proc === undefined || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
    signal(signal) {
      child?.kill(signal);
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

/**
 * The credential generation of test records: the largest core can draw (2^53 - 1), so an
 * encoding that loses precision (Lua's number formatting, cjson) fails the tests.
 */
export const GENERATION = 2 ** 53 - 1;

/** A live session of `userId` (idle expiry in one hour, absolute in ten), with a random id. */
export function newSession(
  userId: string,
  now: number,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id: `sess-${randomBytes(12).toString('base64url')}`,
    userId,
    secretHash: randomBytes(32).toString('base64url'),
    refreshHash: randomBytes(32).toString('base64url'),
    previousRefreshHashes: [],
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + HOUR,
    absoluteExpiresAt: now + 10 * HOUR,
    freshUntil: now + 5 * 60_000,
    ip: '203.0.113.7',
    userAgent: 'RedisTest/1.0',
    amr: ['pwd'],
    credentialGeneration: GENERATION,
    ...overrides,
  };
}

/** A user with a random id, email and username. */
export function newUser(now: number, overrides: Partial<UserRecord> = {}): UserRecord {
  const id = `user-${randomBytes(9).toString('base64url')}`;
  const name = id.toLowerCase();
  return {
    id,
    email: `${name}@example.test`,
    emailNormalized: `${name}@example.test`,
    username: name,
    usernameNormalized: name,
    passwordHash: 'hash',
    metadata: { plan: 'pro', seats: [1, 2] },
    disabled: false,
    credentialGeneration: GENERATION,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A unique id for a user, token selector or rate-limit key. */
export const uid = (what: string): string => `${what}-${randomBytes(9).toString('base64url')}`;

/** One hour in milliseconds. */
export const HOUR = 3_600_000;

/** Real time, rounded to the second: records then live (by TTL) while a test runs. */
export const startTime = (): number => Math.floor(Date.now() / 1000) * 1000;

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Records every command `redis` sends from now on (name and arguments, as `MONITOR` would show
 * them, scripts as `evalsha`), by wrapping its `sendCommand`. Use a client of its own.
 */
export function recordCommands(redis: Redis): { readonly log: string[][]; clear(): void } {
  const send = redis.sendCommand.bind(redis);
  const log: string[][] = [];
  const record: typeof send = (command, stream) => {
    log.push([command.name.toLowerCase(), ...command.args.map(String)]);
    return send(command, stream);
  };
  Reflect.set(redis, 'sendCommand', record);
  return {
    log,
    clear: () => {
      log.length = 0;
    },
  };
}
