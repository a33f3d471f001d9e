import { AuthError } from '../errors/auth-error.js';

/** A request body as a flat record of fields (JSON object or form). */
export type BodyFields = Record<string, unknown>;

/**
 * Reads and parses a request body: JSON (`application/json`, `+json`) or a form
 * (`application/x-www-form-urlencoded`), at most `limitBytes`. An empty body is `{}`.
 * @throws AuthError `PAYLOAD_TOO_LARGE` (413), `UNSUPPORTED_MEDIA_TYPE` (415), `BAD_REQUEST`
 * (400: malformed JSON or a JSON value that is not an object)
 */
export async function readBody(request: Request, limitBytes: number): Promise<BodyFields> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limitBytes) throw new AuthError('PAYLOAD_TOO_LARGE');
  const bytes = await readLimited(request, limitBytes);
  if (bytes.length === 0) return {};
  const type =
    (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json = type === 'application/json' || type.endsWith('+json');
  if (!json && type !== 'application/x-www-form-urlencoded') {
    throw new AuthError('UNSUPPORTED_MEDIA_TYPE');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new AuthError('BAD_REQUEST', { cause });
  }
  if (json) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new AuthError('BAD_REQUEST', { cause });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AuthError('BAD_REQUEST', { message: 'The request body must be a JSON object.' });
    }
    return value as BodyFields;
  }
  const fields: BodyFields = {};
  for (const [key, value] of new URLSearchParams(text)) {
    // Forms carry strings only; booleans arrive as "true"/"on" and are read as such.
    fields[key] = value;
  }
  return fields;
}

/** Reads at most `limit` bytes, stopping (and refusing) as soon as the stream goes past it. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AuthError('PAYLOAD_TOO_LARGE');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
