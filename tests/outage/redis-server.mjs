// A redis-server child process of the script's own on a free port: killed (SIGKILL) and
// started again by the Redis scenario. Never the shared server. No persistence, so a restart
// comes back empty.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function throwawayRedis() {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--daemonize', 'no');
  let child;
  const server = {
    url: `redis://127.0.0.1:${port}`,
    /** Starts the process; resolves when it accepts connections. */
    async start() {
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      await new Promise((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`redis-server: ${output}`)), 10_000);
        proc.stdout.on('data', (chunk) => {
          output += chunk;
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
    /** SIGKILL, and wait for the exit. */
    async kill() {
      const proc = child;
      child = undefined;
      if (proc === undefined || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  await server.start();
  return server;
}
