import {
  AuthClientError,
  type AuthClientErrorDetail,
  isServerErrorCode,
  type ServerErrorCode,
} from './errors.js';

/** Methods that change nothing: no CSRF header (the contract's CSRF rule). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that need the CSRF header under the cookie strategy. */
export function isUnsafe(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Runs `fetch`; a rejection other than an abort becomes `NETWORK_ERROR`. */
export async function fetchOrNetworkError(
  fetchImpl: typeof globalThis.fetch,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  try {
    return await fetchImpl(input, init);
  } catch (error) {
    // The caller aborted on purpose: keep the AbortError it expects.
    if (isAbort(error)) throw error;
    throw new AuthClientError('NETWORK_ERROR', {
      status: 0,
      message: 'The server could not be reached.',
      cause: error,
    });
  }
}

function isAbort(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'AbortError' ||
      (error as { name?: unknown }).name === 'TimeoutError')
  );
}

/** The contract's error code of a response, read from a clone; `undefined` when none. */
export async function errorCodeOf(response: Response): Promise<ServerErrorCode | undefined> {
  if (response.ok) return undefined;
  const body = await readJson(response.clone());
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return isServerErrorCode(code) ? code : undefined;
}

/** The {@link AuthClientError} of a non-2xx response (consumes the body). */
export async function errorFromResponse(response: Response): Promise<AuthClientError> {
  const body = await readJson(response);
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const common = {
    status: response.status,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  };
  if (error === undefined || !isServerErrorCode(error.code)) {
    return new AuthClientError('INVALID_RESPONSE', {
      ...common,
      message: `Unexpected answer from the auth server (HTTP ${response.status}).`,
    });
  }
  const details = parseDetails(error.details);
  return new AuthClientError(error.code, {
    ...common,
    ...(typeof error.message === 'string' ? { message: error.message } : {}),
    ...(details === undefined ? {} : { details }),
  });
}

/** The JSON body of a 2xx response; `undefined` for an empty one (204). */
export async function successBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AuthClientError('INVALID_RESPONSE', {
      status: response.status,
      message: 'The auth server answered with a body that is not JSON.',
      cause: error,
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function parseDetails(value: unknown): AuthClientErrorDetail[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((d): d is { path: unknown; message: unknown } => typeof d === 'object' && d !== null)
    .map((d) => ({
      path: typeof d.path === 'string' ? d.path : '',
      message: typeof d.message === 'string' ? d.message : '',
    }));
}
