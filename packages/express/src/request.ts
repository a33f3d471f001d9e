import { AuthError } from '@portcullis/core';
import type { Request as ExpressRequest } from 'express';

// Methods a Web `Request` cannot carry; Node's parser lets them through to Express.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/** A body as the adapter hands it to the Web `Request`. */
export type RequestBody = Uint8Array<ArrayBuffer> | string;

/**
 * The full URL of `req` as the client sent it: the path is `req.originalUrl`, which keeps the
 * mount point (`/api/auth/login`, not the router-relative `/login`), so the handler sees its
 * base path.
 */
export function requestUrl(req: ExpressRequest): URL {
  let path = req.originalUrl;
  if (!path.startsWith('/')) {
    // Absolute-form request target (`POST http://host/api/auth/login HTTP/1.1`).
    try {
      const absolute = new URL(path);
      path = absolute.pathname + absolute.search;
    } catch {
      path = '/';
    }
  }
  // Concatenated, not resolved: `new URL('//evil.example/x', base)` would change the host.
  const url = new URL(`http://localhost${path}`);
  url.protocol = req.protocol;
  // The setter ignores a Host header that is not a valid host, keeping `localhost`.
  if (req.headers.host !== undefined) url.host = req.headers.host;
  return url;
}

/**
 * Every header of `req` from `rawHeaders`, repeated lines joined as the Fetch spec does.
 * `req.headers` silently keeps only the first of some (a second `Authorization` line, say).
 */
export function requestHeaders(req: ExpressRequest): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    // HTTP/2 pseudo-headers (`:path`) are not headers of the Web request.
    if (name.startsWith(':')) continue;
    try {
      // Node's Headers joins repeated Cookie lines with "; " (RFC 9113 8.2.3), others with ", ".
      headers.append(name, raw[i + 1] ?? '');
    } catch {
      // A value Node's parser accepts but the Fetch spec refuses: dropped rather than a 500.
    }
  }
  return headers;
}

/**
 * A Web `Request` for `req` with the given body (none for GET and HEAD).
 * @throws AuthError `METHOD_NOT_ALLOWED` for TRACE, TRACK and CONNECT (no Web request has them)
 */
export function toWebRequest(
  req: ExpressRequest,
  headers: Headers,
  body: RequestBody | undefined,
): Request {
  if (FORBIDDEN_METHODS.has(req.method)) throw new AuthError('METHOD_NOT_ALLOWED');
  const init: RequestInit = { method: req.method, headers };
  if (body !== undefined && !BODYLESS_METHODS.has(req.method)) init.body = body;
  return new Request(requestUrl(req), init);
}

/**
 * The body of `req` for the handler, whichever way it has to be read:
 * - nobody read the stream yet: the raw body, read up to `limitBytes` (this also covers
 *   body-parser 1, which sets `req.body = {}` without reading when the type does not match);
 * - a body parser read it: its result, re-serialized, as JSON for objects (`express.json()`,
 *   `express.urlencoded()`), as is for strings and bytes (`express.text()`, `express.raw()`);
 * - something else read it and kept nothing: no body.
 * Fixes `headers` to match (content type, no stale length or encoding).
 * @throws AuthError `PAYLOAD_TOO_LARGE` past `limitBytes`, `BAD_REQUEST` when the stream fails
 */
export async function requestBody(
  req: ExpressRequest,
  headers: Headers,
  limitBytes: number,
): Promise<RequestBody | undefined> {
  if (BODYLESS_METHODS.has(req.method)) return undefined;
  // The test on-finished (used by body-parser) applies: ended, or fully received and drained.
  const consumed = req.readableEnded || (req.complete && !req.readable);
  if (!consumed) {
    const bytes = await readLimited(req, limitBytes);
    return bytes.length === 0 ? undefined : bytes;
  }
  const parsed: unknown = req.body;
  if (parsed === undefined) return undefined;
  headers.delete('content-length');
  headers.delete('content-encoding');
  headers.delete('transfer-encoding');
  if (typeof parsed === 'string') return parsed;
  // A copy, so the Web body owns a plain ArrayBuffer.
  if (parsed instanceof Uint8Array) return new Uint8Array(parsed);
  headers.set('content-type', 'application/json');
  try {
    return JSON.stringify(parsed);
  } catch (cause) {
    // Something in the app put a value there that JSON cannot hold (a BigInt, a cycle).
    throw new AuthError('BAD_REQUEST', { cause });
  }
}

/**
 * Reads the raw body, refusing as soon as it passes `limitBytes`, so a huge upload is never
 * held in memory. The rest of a refused body keeps flowing and is dropped (the stream is not
 * destroyed: that would kill the socket before the 413 is written).
 */
function readLimited(req: ExpressRequest, limitBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limitBytes) {
    req.resume();
    return Promise.reject(new AuthError('PAYLOAD_TOO_LARGE'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: AuthError | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) done(new AuthError('PAYLOAD_TOO_LARGE'));
      else chunks.push(chunk);
    };
    const onEnd = () => done(undefined);
    const onError = (cause: unknown) => done(new AuthError('BAD_REQUEST', { cause }));
    // The client went away before the end of the body.
    const onClose = () => done(new AuthError('BAD_REQUEST'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
