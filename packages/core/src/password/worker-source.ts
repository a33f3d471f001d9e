/**
 * Source of the hashing worker. It is evaluated (`new Worker(source, { eval: true })`) rather
 * than loaded from a file because Node 20 cannot run a `.ts` worker and `import.meta.url` does
 * not point at one file in both the ESM and the CJS build. It loads hash-wasm from the path
 * the parent resolved, and runs one operation at a time.
 */
export const KDF_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const hw = require(workerData.hashWasmPath);
const ops = {
  argon2id: (a) => hw.argon2id({ password: a.password, salt: a.salt, iterations: a.iterations,
    parallelism: a.parallelism, memorySize: a.memoryKiB, hashLength: a.hashLength, outputType: 'encoded' }),
  argon2Verify: (a) => hw.argon2Verify({ password: a.password, hash: a.phc }),
  bcryptVerify: (a) => hw.bcryptVerify({ password: a.password, hash: a.hash }),
  pbkdf2: (a) => hw.pbkdf2({ password: a.password, salt: a.salt, iterations: a.iterations,
    hashLength: a.keyLength, hashFunction: a.digest === 'sha256' ? hw.createSHA256() : hw.createSHA1(),
    outputType: 'binary' }),
  scrypt: (a) => hw.scrypt({ password: a.password, salt: a.salt, costFactor: a.costFactor,
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
