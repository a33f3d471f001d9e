/**
 * The fuzz's signed-in account: its cookies and access token as a client would hold them,
 * signed in again when a request ended its session, signed up anew (through the dev mailbox)
 * when a request changed its password or deleted it.
 */
import type { FuzzAnswer } from './checks.js';
import type { Send } from './client.js';
import type { Credential } from './requests.js';

const SESSION = '__Host-portcullis.session';
const CSRF = '__Host-portcullis.csrf';
const REFRESH = '__Secure-portcullis.refresh';

/** What the account needs of the example. */
export interface AccountTarget {
  readonly appUrl: string;
  readonly basePath: string;
  readonly strategy: 'cookie' | 'jwt';
  mails(): readonly { readonly to: string; readonly text: string }[];
}

/** One account of the fuzz at a time; a new one when the last cannot sign in any more. */
export class FuzzAccount {
  email = '';
  password = '';
  /** Every password an account of the fuzz had: never in any answer. */
  readonly passwords = new Set<string>();
  readonly #target: AccountTarget;
  readonly #send: Send;
  /** Cookies, as a browser's jar holds them. */
  readonly #jar = new Map<string, string>();
  #accessToken: string | undefined;
  #count = 0;

  constructor(target: AccountTarget, send: Send) {
    this.#target = target;
    this.#send = send;
  }

  /** The refresh token of the jwt strategy's cookie. */
  get refreshToken(): string | undefined {
    return this.#jar.get(REFRESH);
  }

  /** The credentials a request carries, never to be echoed in a body. */
  carried(credential: Credential): string[] {
    if (credential === 'none' || credential === 'forged') return [];
    return [this.#jar.get(SESSION), this.#jar.get(REFRESH), this.#accessToken].filter(
      (v): v is string => v !== undefined && v.length >= 16,
    );
  }

  /** The headers of `credential`; a generated `Cookie` header joins the account's cookies. */
  headers(credential: Credential, strayCookie: string | undefined): Record<string, string> {
    const stray = strayCookie === undefined ? [] : [strayCookie];
    const cookie = (...names: string[]) =>
      [
        ...names.flatMap((n) => (this.#jar.has(n) ? [`${n}=${this.#jar.get(n)}`] : [])),
        ...stray,
      ].join('; ');
    const origin = this.#target.appUrl;
    switch (credential) {
      case 'none':
        return {};
      case 'forged':
        return { cookie: `${SESSION}=${'A'.repeat(43)}; ${CSRF}=x`, 'x-csrf-token': 'x', origin };
      case 'session':
        if (this.#target.strategy === 'jwt' && this.#accessToken !== undefined) {
          return { authorization: `Bearer ${this.#accessToken}` };
        }
        return { cookie: cookie(SESSION, CSRF), 'x-csrf-token': this.#jar.get(CSRF) ?? '', origin };
      case 'session-no-csrf':
        return { cookie: cookie(SESSION, REFRESH) };
      case 'refresh-cookie':
        return { cookie: cookie(REFRESH), origin };
    }
  }

  /** Takes the cookies and access token an answer handed out, as a client would. */
  adopt(answer: FuzzAnswer): void {
    for (const line of (answer.headers['set-cookie'] ?? '').split('\n')) {
      const match = /^([^=;\s]+)=([^;]*)/.exec(line);
      if (match === null) continue;
      const [, name, value] = match as unknown as [string, string, string];
      if (value === '' || /max-age=0\b/i.test(line)) this.#jar.delete(name);
      else this.#jar.set(name, value);
    }
    if (answer.status === 200 && answer.body.includes('"accessToken"')) {
      this.#accessToken = (JSON.parse(answer.body) as { accessToken: string }).accessToken;
    }
  }

  /** A new password took effect (a change or a reset): it is a secret from now on. */
  passwordChanged(next: string): void {
    this.passwords.add(next);
    // Ours if it was our change or a reset of ours; otherwise the next sign-in fails and a
    // new account is made.
    this.password = next;
  }

  /** Signs in again when the session ended, or signs up a new account. */
  async ensureSignedIn(): Promise<void> {
    if (await this.#signedIn()) return;
    if (this.email !== '' && (await this.#logIn())) return;
    this.#count += 1;
    this.email = `fuzz-${this.#count}-${Date.now()}@example.com`;
    // Nothing in it from the address: the policy refuses those.
    this.password = `crimson lantern ${this.#count} ${Math.random().toString(36).slice(2)}`;
    this.passwords.add(this.password);
    await this.#post('/register', { email: this.email, password: this.password }, 202);
    await this.#post('/email/verify', { token: await this.#waitForToken(this.email) }, 200);
    if (!(await this.#logIn())) throw new Error(`could not sign in as ${this.email}`);
  }

  async #signedIn(): Promise<boolean> {
    const jwt = this.#target.strategy === 'jwt';
    if (jwt && !this.#jar.has(REFRESH)) return false;
    const headers: Record<string, string> = jwt
      ? { authorization: `Bearer ${this.#accessToken ?? 'none'}` }
      : { cookie: `${SESSION}=${this.#jar.get(SESSION) ?? 'none'}` };
    const res = await this.#send('GET', `${this.#target.basePath}/session`, headers);
    return res.status === 200;
  }

  async #logIn(): Promise<boolean> {
    this.#jar.clear();
    this.#accessToken = undefined;
    const res = await this.#post('/login', { identifier: this.email, password: this.password });
    this.adopt(res);
    return res.status === 200 && res.body.includes('"signed_in"');
  }

  async #post(route: string, body: unknown, expected?: number): Promise<FuzzAnswer> {
    const json = Buffer.from(JSON.stringify(body));
    const headers = { 'content-type': 'application/json' };
    const res = await this.#send('POST', `${this.#target.basePath}${route}`, headers, json);
    if (expected !== undefined && res.status !== expected) {
      throw new Error(`setup: POST ${route} answered ${res.status}: ${res.body.slice(0, 200)}`);
    }
    return res;
  }

  async #waitForToken(email: string): Promise<string> {
    // Mail may be sent in the background: it can land just after the answer.
    for (let i = 0; i < 100; i++) {
      const mail = this.#target.mails().find((m) => m.to === email);
      const token = mail && /[?&]token=([^&\s]+)/.exec(mail.text)?.[1];
      if (token !== undefined && token !== '') return decodeURIComponent(token);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no verification mail to ${email}`);
  }
}
