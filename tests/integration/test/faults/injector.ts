/**
 * A thin layer over a composed {@link Storage} that records every store call a flow makes and,
 * when armed, breaks the real server behind one call at an exact point: right before it (the
 * call and every later one on that server then fail with the driver's own error), or right
 * after it returns (the write is applied, then the server goes away before the reply reaches
 * the app: the call rejects with the real error of a probe on the broken connection, as when
 * a connection drops between commit and acknowledgement).
 */
import type { Storage, StoreName } from '@portcullis/core/storage';

/** Which server a store lives on. */
export type Backend = 'postgres' | 'redis';

/** One store call as recorded: `transaction` is the PostgreSQL transaction itself. */
export interface StoreCall {
  readonly store: StoreName | 'transaction';
  readonly method: string;
  /** 1 for the first call of this store and method since recording started, 2 for the next … */
  readonly nth: number;
  readonly backend: Backend;
  /** Set when the call rejected: the order of its failure among this run's failures (1, 2 …). */
  failed?: number;
}

/** Where to break a server: the `nth` call of `store.method`, `before` it or `after` it. */
export interface FaultPoint {
  readonly store: StoreCall['store'];
  readonly method: string;
  readonly nth: number;
  readonly when: 'before' | 'after';
}

/** How to break a server, and a real call on it that fails while it is broken. */
export interface Breaker {
  break(): Promise<void>;
  /** A round trip on the server (through the app's own client), which rejects while broken. */
  probe(): Promise<unknown>;
}

/** Methods that only read. */
const READS = /^(get|list|peek|lockedUntil)/;

/** Whether a recorded call writes. */
export const isWrite = (call: StoreCall): boolean => !READS.test(call.method);

export interface FaultInjector {
  /** The storage to give `createAuth`. */
  readonly storage: Storage;
  /** The calls since {@link FaultInjector.reset}. */
  readonly calls: readonly StoreCall[];
  /** Forgets recorded calls and disarms. */
  /** Resolves when no break is in progress (one fired by a call made after the answer). */
  quiesce(): Promise<void>;
  reset(): void;
  /** Arms one fault (and forgets recorded calls, so `nth` counts from here). */
  arm(point: FaultPoint): void;
  /** Whether the armed fault fired (the server was broken). */
  readonly fired: boolean;
}

/**
 * Wraps `storage` (whose stores live on `backends[store]`) so that its calls are recorded and
 * a fault can be armed. Transactions are wrapped too: calls inside one are recorded in order.
 */
export function faultInjector(
  storage: Storage,
  backends: Readonly<Record<StoreName, Backend>>,
  breakers: Readonly<Record<Backend, Breaker>>,
): FaultInjector {
  let calls: StoreCall[] = [];
  let armed: FaultPoint | undefined;
  let fired = false;
  /** The break in progress: a call made after the answer (an undo step) may have fired it. */
  let breaking: Promise<void> | undefined;
  const counts = new Map<string, number>();
  let failures = 0;

  const intercept = async <T>(
    store: StoreCall['store'],
    method: string,
    backend: Backend,
    run: () => Promise<T>,
  ): Promise<T> => {
    const key = `${store}.${method}`;
    const nth = (counts.get(key) ?? 0) + 1;
    counts.set(key, nth);
    const call: StoreCall = { store, method, nth, backend };
    calls.push(call);
    const failing = (error: unknown): never => {
      failures += 1;
      call.failed = failures;
      throw error;
    };
    const point = armed;
    if (point === undefined || point.store !== store || point.method !== method) {
      return run().catch(failing);
    }
    if (point.nth !== nth) return run().catch(failing);
    armed = undefined;
    fired = true;
    const breaker = breakers[backend];
    if (point.when === 'before') {
      breaking = breaker.break();
      await breaking;
      return run().catch(failing);
    }
    // After: the call reaches the server and completes there, then the server goes away before
    // the app sees the answer.
    await run().catch(() => undefined);
    breaking = breaker.break();
    await breaking;
    await breaker.probe().catch(failing);
    throw new Error(`the ${backend} probe succeeded on a broken server`);
  };

  const wrapStore = <S extends StoreName>(name: S, store: Storage[S]): Storage[S] =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) =>
          intercept(name, property, backends[name], () =>
            Promise.resolve(Reflect.apply(value, target, args)),
          );
      },
    });

  const wrap = (inner: Storage): Storage => {
    const transaction = inner.transaction?.bind(inner);
    const sessionWithUser = inner.sessionWithUser?.bind(inner);
    return {
      users: wrapStore('users', inner.users),
      accounts: wrapStore('accounts', inner.accounts),
      passkeys: wrapStore('passkeys', inner.passkeys),
      sessions: wrapStore('sessions', inner.sessions),
      tokens: wrapStore('tokens', inner.tokens),
      twoFactor: wrapStore('twoFactor', inner.twoFactor),
      rateLimits: wrapStore('rateLimits', inner.rateLimits),
      audit: wrapStore('audit', inner.audit),
      ...(transaction === undefined
        ? {}
        : {
            transaction: <T>(fn: (tx: Storage) => Promise<T>) =>
              intercept('transaction', 'begin', 'postgres', () =>
                transaction((tx) => fn(wrap(tx))),
              ),
          }),
      ...(sessionWithUser === undefined
        ? {}
        : {
            sessionWithUser: (...args: Parameters<typeof sessionWithUser>) =>
              intercept('sessions', 'sessionWithUser', backends.sessions, () =>
                sessionWithUser(...args),
              ),
          }),
    };
  };

  return {
    storage: wrap(storage),
    get calls() {
      return calls;
    },
    get fired() {
      return fired;
    },
    async quiesce() {
      await breaking;
    },
    reset() {
      calls = [];
      counts.clear();
      failures = 0;
      armed = undefined;
      fired = false;
    },
    arm(point) {
      calls = [];
      counts.clear();
      failures = 0;
      armed = point;
      fired = false;
    },
  };
}
