/**
 * What every answer of the fuzz must satisfy: no 5xx; under the base path, a status the
 * document gives the operation (or 404 off the routes, 405 with `Allow` for another method),
 * a body that matches that response's schema, `Cache-Control: no-store`; anywhere, no secret
 * and no stack trace in the headers or the body.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { findTemplate, type JsonSchema, type OpenApiDocument } from './document.js';

/** An answer as the harness received it. */
export interface FuzzAnswer {
  readonly status: number;
  /** Header names in lower case; repeated headers (Set-Cookie) joined with a newline. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What must not appear in an answer. */
export interface Secrets {
  /** Never anywhere: passwords, mailed tokens, the TOTP secrets of earlier enrolments. */
  readonly anywhere: readonly string[];
  /** Never in the body: the credentials this request carried (its session or refresh token). */
  readonly inBody: readonly string[];
}

// A V8 stack frame (`at f (/x/y.ts:1:2)`), a Node-internal frame, or an absolute source path.
const STACK_TRACE = /\bat .*[/\\].*\.[cm]?[jt]s:\d+|node:internal|\/work\/|\/node_modules\//;
// Fields no answer ever holds: hashes, and secrets at rest. `secret` is TOTP enrolment's only.
const FORBIDDEN_KEYS = /^(passwordHash|password|hash|tokenHash|secretHash|totpSecret|stack)$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Checks answers against one document; `basePath` is where the API is mounted. */
export class AnswerChecker {
  readonly #document: OpenApiDocument;
  readonly #basePath: string;
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();
  /** Statuses seen per operation, for the report. */
  readonly seen = new Map<string, Map<number, number>>();

  readonly #bodyLimitBytes: number;

  constructor(document: OpenApiDocument, options: { basePath: string; bodyLimitBytes: number }) {
    this.#document = document;
    this.#basePath = options.basePath;
    this.#bodyLimitBytes = options.bodyLimitBytes;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    this.#ajv.addFormat('date-time', DATE_TIME);
    this.#ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/);
    // The app's picture URL (a user field, `v.url()`); the server checks it in full.
    this.#ajv.addFormat('uri', (value: string) => URL.canParse(value));
    this.#ajv.addSchema({ $id: 'doc', components: document.components });
  }

  /**
   * The problems of one answer to `method path` that carried `bodyBytes` bytes of body; empty
   * when it is fine.
   */
  problems(
    request: { method: string; path: string; bodyBytes: number },
    answer: FuzzAnswer,
    secrets: Secrets,
  ): string[] {
    const { method, path } = request;
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`status ${answer.status}`);
    const pathname = path.split('?')[0] ?? '';
    // The document itself names the request fields (`password`…): no field scan there.
    const isDocument = /\/openapi\.json\/?$/.test(pathname);
    problems.push(...leaks(answer, secrets, !isDocument));
    if (pathname === this.#basePath || pathname.startsWith(`${this.#basePath}/`)) {
      const oversized = request.bodyBytes > this.#bodyLimitBytes;
      const route = pathname.slice(this.#basePath.length);
      problems.push(...this.#contract(method, route, answer, oversized));
    }
    return problems;
  }

  /** One line per operation: its statuses and how often each was seen. */
  report(): string {
    return [...this.seen]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, statuses]) => {
        const list = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
        return `${key}: ${list.join(', ')}`;
      })
      .join('\n');
  }

  #record(key: string, status: number): void {
    const statuses = this.seen.get(key) ?? new Map<number, number>();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    this.seen.set(key, statuses);
  }

  #contract(method: string, route: string, answer: FuzzAnswer, oversized: boolean): string[] {
    const problems: string[] = [];
    // docs/http.md: larger bodies are refused while streaming, before they are buffered. An
    // adapter that reads the body before the handler routes (Express's) answers 413 first,
    // also where the path is unknown or the method is not the route's.
    const refusedEarly = oversized && answer.status === 413;
    // docs/http.md: "Every response carries Cache-Control: no-store".
    if (!/\bno-store\b/.test(answer.headers['cache-control'] ?? '')) {
      problems.push('no Cache-Control: no-store');
    }
    const template = findTemplate(this.#document, route || '/');
    if (template === undefined) {
      this.#record('(unknown path)', answer.status);
      if (refusedEarly)
        return [...problems, ...this.#error(answer, 413, 'PAYLOAD_TOO_LARGE', method)];
      return [...problems, ...this.#error(answer, 404, 'NOT_FOUND', method)];
    }
    const item = this.#document.paths[template] ?? {};
    const operation = item[(method === 'HEAD' ? 'GET' : method).toLowerCase()];
    if (operation === undefined) {
      this.#record(`${method} ${template} (not an operation)`, answer.status);
      if (refusedEarly)
        return [...problems, ...this.#error(answer, 413, 'PAYLOAD_TOO_LARGE', method)];
      problems.push(...this.#error(answer, 405, 'METHOD_NOT_ALLOWED', method));
      const allow = answer.headers.allow ?? '';
      const expected = Object.keys(item).map((m) => m.toUpperCase());
      if (!expected.every((m) => allow.toUpperCase().includes(m))) {
        problems.push(`405 with Allow "${allow}", expected ${expected.join(', ')}`);
      }
      return problems;
    }
    this.#record(`${method} ${template}`, answer.status);
    const response = operation.responses[String(answer.status)];
    if (response === undefined) {
      return [...problems, `status ${answer.status} is not documented for ${method} ${template}`];
    }
    if (answer.status === 429 && !/^[1-9]\d*$/.test(answer.headers['retry-after'] ?? '')) {
      problems.push('429 without a Retry-After in seconds');
    }
    if (method === 'HEAD') return problems;
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      return answer.body === '' ? problems : [...problems, 'a body where the document has none'];
    }
    const key = `${method} ${template} ${answer.status}`;
    return [...problems, ...this.#body(key, schema, answer)];
  }

  /** An error outside the operations: `status` with the error body and `code`. */
  #error(answer: FuzzAnswer, status: number, code: string, method: string): string[] {
    if (answer.status !== status) return [`expected ${status} ${code}`];
    if (method === 'HEAD') return [];
    const problems = this.#body('ErrorBody', { $ref: '#/components/schemas/ErrorBody' }, answer);
    if (!answer.body.includes(`"code":"${code}"`)) problems.push(`expected code ${code}`);
    return problems;
  }

  #body(key: string, schema: JsonSchema, answer: FuzzAnswer): string[] {
    if (!(answer.headers['content-type'] ?? '').startsWith('application/json')) {
      return [`content-type "${answer.headers['content-type'] ?? ''}", not JSON`];
    }
    let value: unknown;
    try {
      value = JSON.parse(answer.body);
    } catch {
      return ['the body is not JSON'];
    }
    let validate = this.#compiled.get(key);
    if (validate === undefined) {
      // The response schemas' refs point into the document's components, added as `doc`.
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/');
      validate = this.#ajv.compile(JSON.parse(text) as object);
      this.#compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `body${e.instancePath}: ${e.message ?? 'invalid'}`);
  }
}

/** Secrets, stack traces and forbidden fields in an answer. */
function leaks(answer: FuzzAnswer, secrets: Secrets, scanKeys: boolean): string[] {
  const problems: string[] = [];
  const headers = Object.entries(answer.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  for (const secret of secrets.anywhere) {
    if (answer.body.includes(secret)) problems.push(`a secret in the body: ${mask(secret)}`);
    if (headers.includes(secret)) problems.push(`a secret in the headers: ${mask(secret)}`);
  }
  for (const secret of secrets.inBody) {
    if (answer.body.includes(secret))
      problems.push(`the request's credential in the body: ${mask(secret)}`);
  }
  if (STACK_TRACE.test(answer.body) || STACK_TRACE.test(headers))
    problems.push('a stack trace or a source path');
  if (answer.body.includes('$argon2')) problems.push('a password hash ($argon2)');
  if (scanKeys && (answer.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      for (const key of keysOf(JSON.parse(answer.body) as unknown)) {
        if (FORBIDDEN_KEYS.test(key)) problems.push(`a "${key}" field`);
      }
    } catch {
      // Not JSON: the contract checks say so where it matters.
    }
  }
  return problems;
}

function* keysOf(value: unknown): Generator<string> {
  if (Array.isArray(value)) for (const item of value) yield* keysOf(item);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* keysOf(item);
    }
  }
}

/** A secret as a failure message may show it: its start only. */
function mask(secret: string): string {
  return `${JSON.stringify(secret.slice(0, 6))}… (${secret.length} chars)`;
}
