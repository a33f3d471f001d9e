/**
 * Source of the hashing worker. It is evaluated (`new Worker(source, { eval: true })`) rather
 * than loaded from a file because Node 20 cannot run a `.ts` worker and `import.meta.url` does
 * not point at one file in both the ESM and the CJS build. It loads hash-wasm (and, when the
 * parent found it, `@node-rs/argon2`, which then runs argon2id natively and synchronously here)
 * from the paths the parent resolved, and runs one operation at a time. With `workerData.nice`
 * it lowers its own thread's scheduling priority first (Linux applies `setpriority` to the
 * calling thread): hashing then takes only the CPU that requests leave (issue 20, sign-in
 * floods).
 */
export const KDF_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.nice) {
  try { require('node:os').setPriority(workerData.nice); } catch {}
}
const native = workerData.nativePath ? require(workerData.nativePath) : undefined;
// hash-wasm only when something needs it: a native worker never loads it.
let wasm;
const hw = () => (wasm ??= require(workerData.hashWasmPath));
const ops = {
  argon2id: (a) => native
    ? native.hashSync(a.password, { algorithm: 2, memoryCost: a.memoryKiB, timeCost: a.iterations,
        parallelism: a.parallelism, outputLen: a.hashLength, salt: Buffer.from(a.salt) })
    : hw().argon2id({ password: a.password, salt: a.salt, iterations: a.iterations,
        parallelism: a.parallelism, memorySize: a.memoryKiB, hashLength: a.hashLength, outputType: 'encoded' }),
  argon2Verify: (a) => {
    if (!native) return hw().argon2Verify({ password: a.password, hash: a.phc });
    // A malformed hash makes the native verify throw; for us it is simply not a match.
    try { return native.verifySync(a.phc, a.password); } catch { return false; }
  },
  // The worker thread's own scheduling priority (what \`nice\` set), for checks.
  priority: () => require('node:os').getPriority(),
  bcryptVerify: (a) => hw().bcryptVerify({ password: a.password, hash: a.hash }),
  pbkdf2: (a) => hw().pbkdf2({ password: a.password, salt: a.salt, iterations: a.iterations,
    hashLength: a.keyLength, hashFunction: a.digest === 'sha256' ? hw().createSHA256() : hw().createSHA1(),
    outputType: 'binary' }),
  scrypt: (a) => hw().scrypt({ password: a.password, salt: a.salt, costFactor: a.costFactor,
    blockSize: a.blockSize, parallelism: a.parallelism, hashLength: a.keyLength, outputType: 'binary' }),
};
parentPort.on('message', async (task) => {
  try {
    const value = await ops[task.op](task.args);
    parentPort.postMessage({ id: task.id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({ id: task.id, ok: false, message: String((error && error.message) || error) });
  }
});
`;
