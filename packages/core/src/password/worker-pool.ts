import type { Worker as NodeWorker } from 'node:worker_threads';
import type { Argon2Params } from './argon2-params.js';
import type { KdfPrimitives } from './kdf.js';
import { KDF_WORKER_SOURCE } from './worker-source.js';

type Op = 'argon2id' | 'argon2Verify' | 'bcryptVerify' | 'pbkdf2' | 'scrypt' | 'priority';

interface Task {
  readonly id: number;
  readonly op: Op;
  readonly args: Record<string, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: NodeWorker;
  task: Task | undefined;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** Options of {@link KdfWorkerPool}. */
export interface KdfWorkerPoolOptions {
  /** Number of worker threads. Default: available parallelism minus one (at least 1). */
  size?: number;
  /**
   * Run argon2id with `@node-rs/argon2` (resolved from this package) instead of hash-wasm.
   * Default false.
   */
  native?: boolean;
  /**
   * The workers' scheduling priority, a `nice` value from 1 (slightly lower than the event
   * loop) to 19 (only CPU nobody else wants). Default 0: as the rest of the process.
   */
  nice?: number;
}

/**
 * Runs hash-wasm's slow functions (argon2id, bcrypt, PBKDF2, scrypt) on worker threads, one
 * task per worker at a time, queueing the rest, so the event loop stays responsive while a
 * password is hashed. Workers start on first use and are `unref`ed: an idle pool never keeps a
 * process alive. A worker that dies fails its task and is replaced.
 */
export class KdfWorkerPool implements KdfPrimitives {
  readonly #size: number | undefined;
  readonly #native: boolean;
  readonly #nice: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #runtime:
    | Promise<{
        Worker: typeof NodeWorker;
        hashWasmPath: string;
        nativePath: string | undefined;
        size: number;
      }>
    | undefined;
  #closed = false;

  /** Makes an idle pool; workers start on the first task. */
  constructor(options: KdfWorkerPoolOptions = {}) {
    if (options.size !== undefined && (!Number.isInteger(options.size) || options.size < 1)) {
      throw new RangeError('KdfWorkerPool size must be a positive integer');
    }
    this.#size = options.size;
    this.#native = options.native ?? false;
    this.#nice = options.nice ?? 0;
  }

  /**
   * Resolves whether worker threads can run here (Node with `node:worker_threads`). When this
   * is false, callers fall back to hashing inline.
   */
  static async available(): Promise<boolean> {
    try {
      await import('node:worker_threads');
      return true;
    } catch {
      return false;
    }
  }

  /** Hashes with argon2id and resolves to the PHC string. */
  argon2idHash(password: string, salt: Uint8Array, params: Argon2Params): Promise<string> {
    return this.#run('argon2id', { password, salt, ...params }) as Promise<string>;
  }

  argon2Verify(password: string, phc: string): Promise<boolean> {
    return this.#run('argon2Verify', { password, phc }) as Promise<boolean>;
  }

  bcryptVerify(password: string | Uint8Array, hash: string): Promise<boolean> {
    return this.#run('bcryptVerify', { password, hash }) as Promise<boolean>;
  }

  pbkdf2(options: Parameters<KdfPrimitives['pbkdf2']>[0]): Promise<Uint8Array> {
    return this.#run('pbkdf2', { ...options }) as Promise<Uint8Array>;
  }

  scrypt(options: Parameters<KdfPrimitives['scrypt']>[0]): Promise<Uint8Array> {
    return this.#run('scrypt', { ...options }) as Promise<Uint8Array>;
  }

  /** The scheduling priority (`nice`) of the worker that takes this task (Linux; 0 elsewhere). */
  workerPriority(): Promise<number> {
    return this.#run('priority', {}) as Promise<number>;
  }

  /** Stops every worker; queued and running tasks reject. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const task of this.#queue.splice(0)) task.reject(new Error('KdfWorkerPool closed'));
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #run(op: Op, args: Record<string, unknown>): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('KdfWorkerPool closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, op, args, resolve, reject });
      this.#pump().catch(reject);
    });
  }

  async #pump(): Promise<void> {
    const runtime = await this.#loadRuntime();
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.task === undefined);
      if (!slot && this.#slots.length < runtime.size) slot = this.#spawn(runtime);
      if (!slot) return;
      const task = this.#queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, op: task.op, args: task.args });
    }
  }

  #spawn(runtime: {
    Worker: typeof NodeWorker;
    hashWasmPath: string;
    nativePath: string | undefined;
  }): Slot {
    const worker = new runtime.Worker(KDF_WORKER_SOURCE, {
      eval: true,
      workerData: {
        hashWasmPath: runtime.hashWasmPath,
        nativePath: runtime.nativePath,
        nice: this.#nice,
      },
    });
    const slot: Slot = { worker, task: undefined };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      slot.task = undefined;
      worker.unref();
      if (reply.ok) task.resolve(reply.value);
      else task.reject(new Error(reply.message));
      void this.#pump();
    });
    const fail = (error: Error) => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      slot.task?.reject(error);
      slot.task = undefined;
      if (!this.#closed) void this.#pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Hashing worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }

  #loadRuntime() {
    this.#runtime ??= (async () => {
      const [{ Worker }, { createRequire }, os] = await Promise.all([
        import('node:worker_threads'),
        import('node:module'),
        import('node:os'),
      ]);
      const require = createRequire(import.meta.url);
      const hashWasmPath = require.resolve('hash-wasm');
      const nativePath = this.#native ? require.resolve('@node-rs/argon2') : undefined;
      const size = this.#size ?? Math.max(1, os.availableParallelism() - 1);
      return { Worker, hashWasmPath, nativePath, size };
    })();
    return this.#runtime;
  }
}
