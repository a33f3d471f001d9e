import type { Response as ExpressResponse } from 'express';

/**
 * Writes a Web `Response` to Express: status, headers (each `Set-Cookie` as its own header
 * line, since folding them with commas breaks cookie parsing), body. Cookies that earlier
 * middleware set on `res` are kept.
 */
export async function sendResponse(res: ExpressResponse, response: Response): Promise<void> {
  // The bodies of the contract are small JSON documents; reading them whole is simplest.
  const body = response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  if (res.headersSent) {
    // Another middleware answered meanwhile (or the socket is gone); nothing left to write.
    return;
  }
  res.status(response.status);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.append('Set-Cookie', cookies);
  res.end(body);
}
