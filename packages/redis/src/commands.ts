import type { RedisClient } from './client.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

/** One script, called with its one key and its arguments. */
export type ScriptCall = (key: string, ...args: string[]) => Promise<unknown>;

/** Every script of {@link SCRIPTS}, callable. */
export type Commands = { readonly [name in ScriptName]: ScriptCall };

/** The ioredis command name of a script; prefixed so it cannot clash with the app's own. */
export const commandName = (name: ScriptName): string => `portcullis_${name}`;

const defined = new WeakMap<RedisClient, Commands>();

/**
 * The scripts as ioredis custom commands (`defineCommand` with `numberOfKeys: 1`): ioredis sends
 * `EVALSHA` and falls back to `EVAL` once when the server has not cached the script yet, and on a
 * Cluster routes the call by its one key. Defined once per client.
 */
export function commands(client: RedisClient): Commands {
  const known = defined.get(client);
  if (known !== undefined) return known;
  const calls: Partial<Record<ScriptName, ScriptCall>> = {};
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const command = commandName(name);
    client.defineCommand(command, { lua: SCRIPTS[name], numberOfKeys: 1 });
    // defineCommand adds the method at runtime; its type is not known to the compiler.
    const method = Reflect.get(client, command) as (...args: string[]) => Promise<unknown>;
    calls[name] = (key, ...args) => Reflect.apply(method, client, [key, ...args]);
  }
  const result = Object.freeze(calls as Commands);
  defined.set(client, result);
  return result;
}
