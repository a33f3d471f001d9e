/**
 * Runs the fuzz against an example on a loopback port: sends each generated request with the
 * credentials it asks for (`account.ts`), placeholders swapped for live values, and checks the
 * answer (`checks.ts`). Passwords that took effect and tokens that were mailed become secrets
 * that no later answer may contain.
 */
import { type AccountTarget, FuzzAccount } from './account.js';
import { AnswerChecker, type FuzzAnswer } from './checks.js';
import { formEncode, httpClient, type Send } from './client.js';
import { type OpenApiDocument, type Operation, operationsOf } from './document.js';
import type { BodyPlan, FuzzRequest } from './requests.js';
import { PLACEHOLDER } from './values.js';

/** The example under test. */
export interface FuzzTarget extends AccountTarget {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** `http.bodyLimitBytes` of the app. */
  readonly bodyLimitBytes: number;
  /** Empties the rate-limit counters, so that each run starts from none. */
  resetLimits(): void;
}

/** A fuzz harness for one running example. */
export class FuzzHarness {
  readonly operations: readonly Operation[];
  readonly checker: AnswerChecker;
  /** Sends a request as it is, without checking the answer. */
  readonly send: Send;
  readonly close: () => void;
  readonly #target: FuzzTarget;
  readonly #account: FuzzAccount;
  /** Tokens from the dev mailbox, oldest first: never in any answer. */
  readonly #mailTokens: string[] = [];

  private constructor(target: FuzzTarget, document: OpenApiDocument) {
    this.#target = target;
    this.operations = operationsOf(document);
    this.checker = new AnswerChecker(document, target);
    const client = httpClient(target.baseUrl);
    this.send = client.send;
    this.close = client.close;
    this.#account = new FuzzAccount(target, client.send);
  }

  /** Reads the document the example serves at `{basePath}/openapi.json`. */
  static async start(target: FuzzTarget): Promise<FuzzHarness> {
    const res = await fetch(`${target.baseUrl}${target.basePath}/openapi.json`);
    if (res.status !== 200) throw new Error(`GET openapi.json answered ${res.status}`);
    return new FuzzHarness(target, (await res.json()) as OpenApiDocument);
  }

  /**
   * Sends one generated request and checks the answer.
   * @throws Error naming the request, the answer and each problem found
   */
  async run(fuzz: FuzzRequest): Promise<FuzzAnswer> {
    this.#target.resetLimits();
    const account = this.#account;
    const signedIn = fuzz.credential !== 'none' && fuzz.credential !== 'forged';
    if (signedIn) await account.ensureSignedIn();
    const carried = account.carried(fuzz.credential);
    const headers = { ...fuzz.headers, ...account.headers(fuzz.credential, fuzz.headers.cookie) };
    const body = fuzz.body === undefined ? undefined : this.#encode(fuzz.body);
    if (body !== undefined) {
      if (body.type === undefined) delete headers['content-type'];
      else headers['content-type'] = body.type;
    }
    const answer = await this.send(fuzz.method, fuzz.path, headers, body?.bytes);
    // As a browser: cookies set in answer to requests that carried the account's cookies.
    if (signedIn) account.adopt(answer);
    this.#learn(fuzz, answer);
    const request = { method: fuzz.method, path: fuzz.path, bodyBytes: body?.bytes.length ?? 0 };
    const problems = this.checker.problems(request, answer, {
      // The dev mailbox shows mailed tokens by design (development only).
      anywhere: fuzz.path.includes('mailbox') ? [] : [...account.passwords, ...this.#mailTokens],
      inBody: carried,
    });
    if (problems.length > 0) {
      throw new Error(
        `${fuzz.label}: ${fuzz.method} ${fuzz.path.slice(0, 200)} answered ${answer.status}\n` +
          `- ${problems.join('\n- ')}\nbody: ${answer.body.slice(0, 400)}`,
      );
    }
    return answer;
  }

  /** The body's bytes and Content-Type, placeholders swapped for live values. */
  #encode(plan: BodyPlan): { bytes: Uint8Array; type: string | undefined } {
    const account = this.#account;
    const swap = (text: string) =>
      text
        .replaceAll(PLACEHOLDER.password, account.password)
        .replaceAll(PLACEHOLDER.email, account.email)
        .replaceAll(PLACEHOLDER.mailToken, this.#mailTokens.at(-1) ?? 'no-token-yet')
        .replaceAll(PLACEHOLDER.refreshToken, account.refreshToken ?? 'no-refresh-token');
    switch (plan.kind) {
      case 'json':
        return {
          bytes: Buffer.from(swap(JSON.stringify(plan.value) ?? 'null')),
          type: plan.contentType,
        };
      case 'raw':
        return { bytes: Buffer.from(swap(plan.text)), type: plan.contentType };
      case 'bytes':
        return { bytes: plan.bytes, type: plan.contentType };
      case 'form': {
        const pairs: string[] = [];
        for (const [key, value] of Object.entries(plan.value)) {
          for (const v of Array.isArray(value) ? value : [value]) {
            const text = typeof v === 'string' ? v : v === null ? '' : (JSON.stringify(v) ?? '');
            pairs.push(`${formEncode(swap(key))}=${formEncode(swap(text))}`);
          }
        }
        return { bytes: Buffer.from(pairs.join('&')), type: plan.contentType };
      }
    }
  }

  /** Passwords that took effect and tokens that were mailed become secrets. */
  #learn(fuzz: FuzzRequest, answer: FuzzAnswer): void {
    if (answer.status < 300 && fuzz.body?.kind === 'json' && isRecord(fuzz.body.value)) {
      const next = fuzz.body.value.newPassword;
      if (typeof next === 'string' && next !== PLACEHOLDER.password && isSecretLike(next)) {
        this.#account.passwordChanged(next);
      }
    }
    for (const mail of this.#target.mails()) {
      for (const match of mail.text.matchAll(/[?&]token=([^&\s]+)/g)) {
        const token = decodeURIComponent(match[1] as string);
        if (!this.#mailTokens.includes(token)) this.#mailTokens.push(token);
      }
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Long and varied enough that finding it in an answer means it leaked, not chance. */
function isSecretLike(text: string): boolean {
  return text.length >= 8 && new Set(text).size >= 5 && text.trim() === text;
}
