/**
 * Drives an authorization request through the provider's pages the way a browser would, without
 * a browser: `fetch` with `redirect: 'manual'`, a small cookie jar, and the login form of
 * `op.ts`. Works against the shape servers of `shapes.ts` too (they redirect at once).
 */

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiresAt: number;
}

/**
 * Cookies by host (not port: like a browser, `127.0.0.1:A` and `127.0.0.1:B` share cookies)
 * and path. Enough for oidc-provider's session and interaction cookies; no Domain/Secure logic.
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  /** Stores the `Set-Cookie` headers of a response from `url` (expired ones delete). */
  store(url: URL, setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const cookie: StoredCookie = {
        name: pair.slice(0, eq).trim(),
        value: pair.slice(eq + 1).trim(),
        host: url.hostname,
        path: defaultPath(url),
        expiresAt: Infinity,
      };
      for (const attribute of attributes) {
        const [rawName = '', ...rest] = attribute.split('=');
        const name = rawName.trim().toLowerCase();
        const value = rest.join('=').trim();
        if (name === 'path' && value.startsWith('/')) cookie.path = value;
        else if (name === 'max-age') cookie.expiresAt = Date.now() + Number(value) * 1000;
        else if (name === 'expires' && cookie.expiresAt === Infinity) {
          cookie.expiresAt = Date.parse(value);
        }
      }
      const key = `${cookie.host}\n${cookie.path}\n${cookie.name}`;
      if (cookie.expiresAt <= Date.now()) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  /** The `Cookie` header for a request to `url` (longest paths first), or `undefined`. */
  header(url: URL): string | undefined {
    const now = Date.now();
    const matching = [...this.#cookies.values()]
      .filter(
        (c) =>
          c.host === url.hostname &&
          c.expiresAt > now &&
          (url.pathname === c.path ||
            url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0
      ? undefined
      : matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** Names of the cookies held (for assertions and debugging). */
  names(): string[] {
    return [...this.#cookies.values()].map((c) => c.name);
  }

  clear(): void {
    this.#cookies.clear();
  }
}

function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : url.pathname.slice(0, slash);
}

/** Who the user is at the provider's login page, or a refusal (→ an error to the client). */
export type LoginAs = { sub: string } | { deny: true; error?: string; errorDescription?: string };

/** A form the provider's page would auto-submit to the client (`response_mode=form_post`). */
export interface FormPost {
  action: string;
  fields: Record<string, string>;
}

export type LoginResult = { callbackUrl: string } | { formPost: FormPost };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Opens `authorizationUrl`, follows redirects, submits the login form (`sub`, or `deny`), and
 * stops at the first hop back to the client: the `redirect_uri` Location (not fetched) as
 * `{ callbackUrl }`, or the auto-submitting form as `{ formPost }` (form_post). Pass the same
 * `jar` to keep the provider session between calls (then no login form: the session answers;
 * use a fresh jar or `prompt=login` to sign in as someone else).
 */
export async function loginAtProvider(
  authorizationUrl: string | URL,
  as: LoginAs,
  jar: CookieJar = new CookieJar(),
): Promise<LoginResult> {
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get('redirect_uri');
  const isClient = (target: URL) =>
    redirectUri === null
      ? target.origin !== start.origin
      : stripQuery(target) === stripQuery(new URL(redirectUri));

  let url = start;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  let submissions = 0;
  for (let hop = 0; hop < 20; hop++) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie !== undefined) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, redirect: 'manual', body: body ?? null });
    jar.store(url, res.headers.getSetCookie());

    if (REDIRECTS.has(res.status)) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (location === null) throw new Error(`${res.status} without Location at ${url}`);
      const next = new URL(location, url);
      if (isClient(next)) return { callbackUrl: next.href };
      if (res.status !== 307 && res.status !== 308) {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }

    const html = await res.text();
    const form = parseForm(html);
    if (res.ok && form?.id === 'login' && submissions < 3) {
      submissions++;
      url = new URL(form.action, url);
      method = 'POST';
      body = new URLSearchParams(
        'sub' in as
          ? { sub: as.sub }
          : {
              deny: '1',
              ...(as.error === undefined ? {} : { error: as.error }),
              ...(as.errorDescription === undefined
                ? {}
                : { error_description: as.errorDescription }),
            },
      );
      continue;
    }
    if (form !== undefined && form.id !== 'login') {
      const action = new URL(form.action, url);
      if (isClient(action)) return { formPost: { action: action.href, fields: form.fields } };
      // The provider's own auto-submitting forms (e.g. logout confirmation on account switch).
      url = action;
      method = 'POST';
      body = new URLSearchParams(form.fields);
      continue;
    }
    throw new Error(`loginAtProvider: ${res.status} at ${url}: ${html.slice(0, 600)}`);
  }
  throw new Error('loginAtProvider: too many hops');
}

const stripQuery = (url: URL) => `${url.origin}${url.pathname}`;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeHtml = (value: string) =>
  value.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) {
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    }
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const [, name = '', double, single] = match;
    out[name.toLowerCase()] = decodeHtml(double ?? single ?? '');
  }
  return out;
}

/** The first `<form>` of a page: its id, action and hidden/named `<input>` values. */
function parseForm(
  html: string,
): { id: string | undefined; action: string; fields: Record<string, string> } | undefined {
  const open = /<form\b[^>]*>/i.exec(html);
  if (open === null) return undefined;
  const formAttributes = attributes(open[0]);
  const end = html.indexOf('</form>', open.index);
  const inner = html.slice(open.index, end === -1 ? undefined : end);
  const fields: Record<string, string> = {};
  for (const input of inner.matchAll(/<input\b[^>]*>/gi)) {
    const { name, value } = attributes(input[0]);
    if (name !== undefined) fields[name] = value ?? '';
  }
  return { id: formAttributes.id, action: formAttributes.action ?? '', fields };
}
