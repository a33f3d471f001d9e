/**
 * The fuzz's HTTP client: node:http, so that any method, header and byte reaches the adapter
 * as a client would send it (`fetch` refuses TRACE and normalizes what it sends).
 */
import { Agent, request } from 'node:http';
import type { FuzzAnswer } from './checks.js';

/** Sends one request over HTTP/1.1 and reads the whole answer, body as text. */
export type Send = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array,
) => Promise<FuzzAnswer>;

/** A client of `baseUrl` (`http://127.0.0.1:<port>`) over kept-alive connections. */
export function httpClient(baseUrl: string): { send: Send; close: () => void } {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const send: Send = (method, path, headers, body) => {
    const all =
      body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method, path, headers: all, agent, timeout: 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) out[name] = Array.isArray(value) ? value.join('\n') : value;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: out, body: text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : Buffer.from(body));
    });
  };
  return { send, close: () => agent.destroy() };
}

/** Percent-encodes UTF-8 bytes (a lone surrogate becomes U+FFFD, as any client sends it). */
export function formEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9*\-._]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
