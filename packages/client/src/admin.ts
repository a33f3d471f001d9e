import type { Engine } from './engine.js';
import { impersonate, stopImpersonation } from './impersonation.js';
import type { AuthClient } from './surface.js';
import type { AdminAuditEvent, AdminUser, AdminUserDetail, RevokeAllResult } from './types.js';

/** `admin` of {@link AuthClient}: the `/admin` routes (docs/admin.md). */
export function adminApi(engine: Engine): Pick<AuthClient, 'admin'> {
  return {
    admin: {
      users: {
        list: (query = {}) =>
          engine.api<{ users: AdminUser[]; nextCursor: string | null }>('listAdminUsers', {
            query,
          }),
        get: (id) => engine.api<AdminUserDetail>('getAdminUser', { params: { id } }),
        async create(input) {
          return (await engine.api<{ user: AdminUser }>('createAdminUser', { body: input })).user;
        },
        async update(id, patch) {
          return (
            await engine.api<{ user: AdminUser }>('updateAdminUser', {
              params: { id },
              body: patch,
            })
          ).user;
        },
        async delete(id) {
          await engine.api('deleteAdminUser', { params: { id } });
        },
        async revokeSessions(id, sessionId) {
          await engine.api('revokeAdminUserSessions', {
            params: { id },
            body: sessionId === undefined ? {} : { sessionId },
          });
        },
        async unlock(id) {
          await engine.api('unlockAdminUser', { params: { id }, body: {} });
        },
        async resetSecondFactor(id) {
          await engine.api('resetAdminUserSecondFactor', { params: { id }, body: {} });
        },
        async sendResetLink(id) {
          await engine.api('sendAdminUserResetLink', { params: { id }, body: {} });
        },
        impersonate: (id) => impersonate(engine, id),
      },
      impersonation: {
        stop: (options) => stopImpersonation(engine, options),
      },
      sessions: {
        async revokeAll() {
          const result = await engine.api<RevokeAllResult>('revokeAllAdminSessions', { body: {} });
          // This client's own session ended with every other one.
          engine.signOut();
          return result;
        },
      },
      audit: {
        list: (query = {}) =>
          engine.api<{ events: AdminAuditEvent[]; nextCursor: string | null }>('listAdminAudit', {
            query,
          }),
      },
    },
  };
}
