// The load: `CLIENTS` clients, each one closed loop (one request in flight at a time, as a
// browser tab or a mobile app would), paced to `RATE` requests a second: Bearer calls to the
// protected route, a refresh every 2 s, a profile write (PATCH /user) every second and a
// sign-in from another device every 5 s (its tokens are dropped). A client whose session stops
// working (a 401) signs in again, so the next scenario starts with everyone signed in.
import { performance } from 'node:perf_hooks';

const REFRESH_EVERY_MS = 2000;
const WRITE_EVERY_MS = 1000;
const SIGNIN_EVERY_MS = 5000;
/** Generous by default, so the server's own timeouts decide; see docs/outages.md. */
const CLIENT_TIMEOUT_MS = Number(process.env.OUTAGE_CLIENT_TIMEOUT_MS ?? 30_000);

/** One request: kind, start and end (ms since the run began), status (0: no answer), code. */
async function send(base, client, kind, method, path, body, bearer) {
  const headers = { 'x-test-ip': client.ip };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  const record = { client: client.index, kind, start: performance.now(), status: 0, code: '' };
  let json;
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    record.status = response.status;
    const text = await response.text();
    json = text === '' ? undefined : JSON.parse(text);
    if (response.status >= 400) record.code = json?.error?.code ?? json?.code ?? '';
  } catch (error) {
    record.code = error?.name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NETWORK';
  }
  record.end = performance.now();
  return { record, json };
}

/**
 * Runs the clients until `stop()`. `onRecord` receives each finished request with, for
 * refreshes, `afterFailedRefresh` (the client's previous refresh was not answered 2xx), and
 * `signedOut` on the 401 that told a client its session is gone.
 */
export function startLoad({ base, users, password, rate, onRecord }) {
  let running = true;
  const intervalMs = 1000 / rate;
  const loops = users.map((user, index) => {
    const client = {
      index,
      ip: `10.0.0.${index + 1}`,
      email: user.email,
      access: user.accessToken,
      refresh: user.refreshToken,
      lastRefreshOk: true,
    };
    return (async () => {
      const t0 = performance.now() + (index * intervalMs) / users.length;
      let nextRefresh = t0 + (index * REFRESH_EVERY_MS) / users.length;
      let nextWrite = t0 + (index * WRITE_EVERY_MS) / users.length;
      let nextSignin = t0 + (index * SIGNIN_EVERY_MS) / users.length;
      let due = t0;
      while (running) {
        const now = performance.now();
        if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));
        // Behind schedule (a slow answer): carry on from now rather than bursting to catch up.
        due = Math.max(due, performance.now() - intervalMs) + intervalMs;
        if (!running) break;
        const at = performance.now();
        if (client.access === undefined) {
          await signIn(client, 'signin');
        } else if (at >= nextRefresh) {
          nextRefresh = at + REFRESH_EVERY_MS;
          await refresh(client);
        } else if (at >= nextWrite) {
          nextWrite = at + WRITE_EVERY_MS;
          const body = { firstName: `n${Math.floor(at)}` };
          const r = await send(
            base,
            client,
            'write',
            'PATCH',
            '/api/auth/user',
            body,
            client.access,
          );
          report(client, r.record);
        } else if (at >= nextSignin) {
          nextSignin = at + SIGNIN_EVERY_MS;
          const r = await send(base, client, 'signin', 'POST', '/api/auth/login', {
            identifier: client.email,
            password,
          });
          report(client, r.record);
        } else {
          const r = await send(base, client, 'bearer', 'GET', '/api/me', undefined, client.access);
          report(client, r.record);
        }
      }
    })();
  });

  function report(client, record, extra = {}) {
    const signedOut = record.status === 401 && record.kind !== 'signin';
    if (signedOut) {
      client.access = undefined;
      client.refresh = undefined;
    }
    onRecord({ ...record, ...extra, signedOut });
  }

  async function refresh(client) {
    const afterFailedRefresh = !client.lastRefreshOk;
    const r = await send(base, client, 'refresh', 'POST', '/api/auth/token/refresh', {
      refreshToken: client.refresh,
    });
    client.lastRefreshOk = r.record.status >= 200 && r.record.status < 300;
    if (client.lastRefreshOk) {
      client.access = r.json.accessToken;
      client.refresh = r.json.refreshToken;
    }
    report(client, r.record, { afterFailedRefresh });
  }

  async function signIn(client, kind) {
    const r = await send(base, client, kind, 'POST', '/api/auth/login', {
      identifier: client.email,
      password,
    });
    if (r.record.status === 200 && r.json?.status === 'signed_in') {
      client.access = r.json.accessToken;
      client.refresh = r.json.refreshToken;
      client.lastRefreshOk = true;
      r.record.resumed = true;
    }
    onRecord({ ...r.record, signedOut: false });
    // Not signed in (the backend is down): wait a little before the next try.
    if (client.access === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
