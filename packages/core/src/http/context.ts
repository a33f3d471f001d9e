import type { Auth } from '../create-auth.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { authenticateRequest } from './authenticate.js';
import { type BodyFields, readBody } from './body.js';
import type { RequestAuth } from './types.js';

/** What a route handler gets. */
export interface HttpContext {
  readonly request: Request;
  readonly auth: Auth;
  readonly rt: AuthRuntime;
  /** Path parameters (`:id`). */
  readonly params: Readonly<Record<string, string>>;
  /** Client IP and user agent, for sessions, events and throttling. */
  readonly client: RequestContext;
  /** The parsed body (JSON or form), read once, within the size limit. */
  body(): Promise<BodyFields>;
  /** The signed-in caller. @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED` */
  caller(): Promise<RequestAuth>;
}

/** Builds the context of one request. */
export function createContext(
  auth: Auth,
  rt: AuthRuntime,
  request: Request,
  params: Record<string, string>,
  client: RequestContext,
): HttpContext {
  let body: Promise<BodyFields> | undefined;
  let caller: Promise<RequestAuth> | undefined;
  return {
    request,
    auth,
    rt,
    params,
    client,
    body: () => {
      body ??= readBody(request, rt.config.http.bodyLimitBytes);
      return body;
    },
    caller: () => {
      caller ??= authenticateRequest(rt, request);
      return caller;
    },
  };
}
