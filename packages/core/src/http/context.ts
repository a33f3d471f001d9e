import type { Auth, AuthOptions } from '../create-auth.js';
import type { RequestContext } from '../events/types.js';
import { authenticateCaller } from './authenticate.js';
import { type BodyFields, readBody } from './body.js';
import type { Caller } from './types.js';

/** What a route handler gets. */
export interface HttpContext {
  readonly request: Request;
  readonly auth: Auth;
  /** `auth.options`: the resolved configuration, without secrets. */
  readonly config: AuthOptions;
  /** The current time from the configured clock, epoch ms. */
  now(): number;
  /** Path parameters (`:id`). */
  readonly params: Readonly<Record<string, string>>;
  /** Client IP and user agent, for sessions, events and throttling. */
  readonly client: RequestContext;
  /** The parsed body (JSON or form), read once, within the size limit. */
  body(): Promise<BodyFields>;
  /** The signed-in caller. @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED` */
  caller(): Promise<Caller>;
}

/** Builds the context of one request. */
export function createContext(
  auth: Auth,
  request: Request,
  params: Record<string, string>,
  client: RequestContext,
): HttpContext {
  let body: Promise<BodyFields> | undefined;
  let caller: Promise<Caller> | undefined;
  return {
    request,
    auth,
    config: auth.options,
    now: () => auth.options.clock.now(),
    params,
    client,
    body: () => {
      body ??= readBody(request, auth.options.http.bodyLimitBytes);
      return body;
    },
    caller: () => {
      caller ??= authenticateCaller(auth, request);
      return caller;
    },
  };
}
