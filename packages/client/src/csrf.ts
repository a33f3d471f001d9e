/**
 * The CSRF token of the cookie strategy: fetched once (`GET /csrf`), shared by concurrent
 * callers, dropped when the server may have rotated it (sign-in) or refused it (`CSRF_FAILED`).
 */
export class CsrfCache {
  #token: string | undefined;
  #pending: Promise<string> | undefined;
  #epoch = 0;
  readonly #load: () => Promise<string>;

  constructor(load: () => Promise<string>) {
    this.#load = load;
  }

  /** The cached token, or the one a single `GET /csrf` brings. */
  get(): Promise<string> {
    if (this.#token !== undefined) return Promise.resolve(this.#token);
    if (this.#pending === undefined) {
      const epoch = this.#epoch;
      const pending = this.#load().then((token) => {
        // A sign-in during the request rotated the cookie: this token may be stale already.
        if (epoch === this.#epoch) this.#token = token;
        return token;
      });
      this.#pending = pending;
      pending.then(
        () => this.#clearPending(pending),
        () => this.#clearPending(pending),
      );
    }
    return this.#pending;
  }

  /** Forgets the token; the next unsafe request fetches a new one. */
  invalidate(): void {
    this.#epoch += 1;
    this.#token = undefined;
    this.#pending = undefined;
  }

  #clearPending(pending: Promise<string>): void {
    if (this.#pending === pending) this.#pending = undefined;
  }
}
