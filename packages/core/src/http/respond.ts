/** A JSON response with the headers every auth answer carries. */
export function json(status: number, body: unknown, cookies: readonly string[] = []): Response {
  const headers = baseHeaders(cookies);
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(body), { status, headers });
}

/** A `204 No Content`. */
export function noContent(cookies: readonly string[] = []): Response {
  return new Response(null, { status: 204, headers: baseHeaders(cookies) });
}

/** `Cache-Control: no-store` (responses hold personal data and tokens) plus Set-Cookie lines. */
export function baseHeaders(cookies: readonly string[]): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const cookie of cookies) headers.append('set-cookie', cookie);
  return headers;
}

/** Adds Set-Cookie lines to a response (error responses that clear a dead cookie). */
export function withCookies(response: Response, cookies: readonly string[]): Response {
  for (const cookie of cookies) response.headers.append('set-cookie', cookie);
  return response;
}
