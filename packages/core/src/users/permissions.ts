/**
 * Roles and permissions (docs/roles.md): a user holds roles (`user.roles`), and the
 * configuration maps each role to permissions (`roles` of `createAuth`). A permission is a
 * string such as `users:read`; what it allows is the app's business, except the built-in ones
 * the admin API checks ({@link ADMIN_PERMISSIONS}).
 */

/** The permissions the admin API (`/admin`) checks, each route one of them. */
export const ADMIN_PERMISSIONS = Object.freeze([
  'users:read',
  'users:write',
  'sessions:revoke',
  'audit:read',
  'users:impersonate',
] as const);

/** One of {@link ADMIN_PERMISSIONS}. */
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/** The built-in role: every admin permission (configuration may add more to it). */
export const ADMIN_ROLE = 'admin';

/** A role → permissions map, as `createAuth` resolved it. */
export type RoleMap = Readonly<Record<string, readonly string[]>>;

/** Anything with roles: a stored user, a public user, an access token's claims. */
export interface HasRoles {
  /** The roles held; absent means none. */
  readonly roles?: readonly string[] | undefined;
}

/** Whether `user` holds `role`. */
export function hasRole(user: HasRoles, role: string): boolean {
  return user.roles?.includes(role) ?? false;
}

/** The permissions the user's roles grant under `map` (a role the map lacks grants none). */
export function permissionsOf(user: HasRoles, map: RoleMap): Set<string> {
  const granted = new Set<string>();
  for (const role of user.roles ?? []) {
    // Own properties only: a role named `constructor` or `__proto__` grants nothing.
    if (!Object.hasOwn(map, role)) continue;
    for (const permission of map[role] ?? []) granted.add(permission);
  }
  return granted;
}

/** Whether the user's roles grant `permission` under `map`. */
export function hasPermission(user: HasRoles, permission: string, map: RoleMap): boolean {
  for (const role of user.roles ?? []) {
    if (Object.hasOwn(map, role) && (map[role] ?? []).includes(permission)) return true;
  }
  return false;
}
