/** A cookie jar for the contract suite: `Set-Cookie` parsing, Path, Max-Age and Expires. */

/** One `Set-Cookie` header, parsed. Attribute names are lower-cased; flags map to `true`. */
export interface SetCookie {
  /** Cookie name. */
  readonly name: string;
  /** Cookie value (empty when the cookie is being cleared). */
  readonly value: string;
  /** Attributes by lower-cased name: `path`, `max-age`, `samesite`, `httponly` (`true`), … */
  readonly attributes: ReadonlyMap<string, string | true>;
  /** The header line as received. */
  readonly raw: string;
}
/** Parses one `Set-Cookie` header line. */
export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...attrs] = raw.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    if (attr.trim() === '') continue;
    if (i < 0) attributes.set(attr.trim().toLowerCase(), true);
    else attributes.set(attr.slice(0, i).trim().toLowerCase(), attr.slice(i + 1).trim());
  }
  return {
    name: (eq < 0 ? '' : pair.slice(0, eq)).trim(),
    value: (eq < 0 ? pair : pair.slice(eq + 1)).trim(),
    attributes,
    raw,
  };
}

/** RFC 6265 5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** A cookie jar keyed by cookie name, as a browser keeps it for one site. */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();
  readonly #now: () => number;

  /** `now` decides `Expires` (epoch ms): pass the suite's fake clock. */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Applies a `Set-Cookie` received for `requestPath`: stores, replaces or deletes. */
  store(cookie: SetCookie, requestPath: string): void {
    const maxAge = cookie.attributes.get('max-age');
    const expires = cookie.attributes.get('expires');
    const dead =
      typeof maxAge === 'string'
        ? Number(maxAge) <= 0
        : typeof expires === 'string' && Date.parse(expires) <= this.#now();
    if (dead) {
      this.#cookies.delete(cookie.name);
      return;
    }
    const path = cookie.attributes.get('path');
    const defaultPath = requestPath.slice(0, Math.max(1, requestPath.lastIndexOf('/')));
    this.#cookies.set(cookie.name, {
      value: cookie.value,
      path: typeof path === 'string' && path.startsWith('/') ? path : defaultPath,
    });
  }

  /** The `Cookie` header for a request to `path`; `undefined` when no cookie applies. */
  header(path: string): string | undefined {
    const pairs = [...this.#cookies]
      .filter(([, c]) => pathMatches(path, c.path))
      .map(([name, c]) => `${name}=${c.value}`);
    return pairs.length === 0 ? undefined : pairs.join('; ');
  }

  /** The value of cookie `name`, whatever its path. */
  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  /** Sets a cookie by hand (to replay an old value). */
  set(name: string, value: string, path = '/'): void {
    this.#cookies.set(name, { value, path });
  }

  /** Forgets cookie `name`. */
  delete(name: string): void {
    this.#cookies.delete(name);
  }
}
