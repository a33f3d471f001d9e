import type { Engine } from './engine.js';

/**
 * `client.fetch`: the app's own API calls. To the client's own origins (`baseUrl`'s, the
 * page's, `apiOrigins`) it adds the access token (jwt) or `credentials: 'include'` and the
 * CSRF header on unsafe methods (cookie), and retries once as the contract says. Any other URL
 * is fetched untouched. Resolves to the server's `Response` whatever its status, like `fetch`.
 */
export function authorizedFetch(
  engine: Engine,
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const { options } = engine;
  const fetchImpl = options.fetch;
  const request = input instanceof Request ? input : undefined;
  const own = isOwnUrl(engine, request?.url ?? input.toString());
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  if (!own) return fetchImpl(input, init);
  const credentials: RequestCredentials | undefined =
    init?.credentials ?? (options.strategy === 'cookie' ? 'include' : undefined);
  if (request !== undefined) {
    // A Request's body is a stream: keep an untouched copy for the retry.
    const base = new Request(request, init);
    return engine.send({ method, authenticate: true, retryable: true }, (extra) => {
      const copy = base.clone();
      const headers = withHeaders(copy.headers, extra);
      return fetchImpl(
        new Request(copy, { headers, ...(credentials === undefined ? {} : { credentials }) }),
      );
    });
  }
  const retryable = !(init?.body instanceof ReadableStream);
  return engine.send({ method, authenticate: true, retryable }, (extra) =>
    fetchImpl(input, {
      ...init,
      headers: withHeaders(init?.headers, extra),
      ...(credentials === undefined ? {} : { credentials }),
    }),
  );
}

function withHeaders(
  given: HeadersInit | undefined,
  extra: Readonly<Record<string, string>>,
): Headers {
  const headers = new Headers(given);
  // The caller's own Authorization wins: it knows what it is calling.
  for (const [name, value] of Object.entries(extra)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}

function isOwnUrl(engine: Engine, url: string): boolean {
  try {
    return engine.options.ownOrigins.has(new URL(url, engine.options.pageUrl).origin);
  } catch {
    return false;
  }
}
