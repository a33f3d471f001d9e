import type { RequestContext, RequestProblem } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';

// An operation id or a field path: letters, digits, `_`, `.`, `-`. Anything else (a raw path,
// a value pasted where a name belongs) is not put into events or logs.
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * `auth.reportRequestProblem`: emits `request.csrf_refused` (`data.route`) or
 * `request.invalid` (`data.code`, `data.route`, `data.field` when it is a plain field name)
 * for a request refused at the HTTP boundary (OWASP ASVS 16.3.3). No user (the request was not
 * authenticated), so listeners and the `warn` log only, within the per-type event budget.
 * Names that are not plain identifiers are replaced by `'unknown'` (route) or left out
 * (field), so no client text reaches the log.
 */
export async function reportRequestProblem(
  rt: AuthRuntime,
  problem: RequestProblem,
  context: RequestContext,
): Promise<void> {
  const route = NAME.test(String(problem.route)) ? problem.route : 'unknown';
  if (problem.kind === 'csrf_refused') {
    await rt.emit({ type: 'request.csrf_refused', data: { route } }, context);
    return;
  }
  if (problem.kind !== 'invalid') return;
  const code = NAME.test(String(problem.code)) ? problem.code : 'BAD_REQUEST';
  const field = problem.field !== undefined && NAME.test(problem.field) ? problem.field : undefined;
  await rt.emit(
    {
      type: 'request.invalid',
      data: { code, route, ...(field === undefined ? {} : { field }) },
    },
    context,
  );
}
