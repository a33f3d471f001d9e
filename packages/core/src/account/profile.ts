import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { nameField, parseInput, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserPatch, UserRecord } from '../storage/types/users.js';
import { applyUserFields, parseWithUserFields } from '../users/fields.js';
import { normalizeUsername } from '../users/normalize.js';
import { type PublicUser, toPublicUser } from '../users/public.js';

/** A name field that `null` (or an empty string) clears. */
const clearableName = (name: string) => v.optional(v.nullable(nameField(name).wrapped));

/** The input schema (also the source of the OpenAPI document's request body). */
export const updateProfileSchema = v.object({
  userId: text('userId', 256),
  username: v.optional(
    v.nullable(
      v.pipe(
        v.string('username must be a string'),
        v.maxLength(64, 'username is too long'),
        v.check(
          (s) => normalizeUsername(s) !== undefined,
          'username must be 3 to 32 letters, digits, ".", "_" or "-", starting with a letter or digit',
        ),
      ),
    ),
  ),
  firstName: clearableName('firstName'),
  lastName: clearableName('lastName'),
});

/** Input of {@link updateProfile}: an absent key keeps the value, `null` clears it. */
export interface UpdateProfileInput {
  /** The signed-in user. */
  userId: string;
  /** New username (normalized for uniqueness; case kept for display), or `null` to remove it. */
  username?: string | null | undefined;
  /** New given name (trimmed, at most 100 characters), or `null` (or `''`) to remove it. */
  firstName?: string | null | undefined;
  /** New family name (trimmed, at most 100 characters), or `null` (or `''`) to remove it. */
  lastName?: string | null | undefined;
}

/**
 * The body of `PATCH /user` (also the OpenAPI document's request): the profile keys, strict (an
 * unknown key is refused naming it); the app's `editable` fields are taken apart before it.
 */
export const profilePatchSchema = v.strictObject(v.omit(updateProfileSchema, ['userId']).entries);

const callerSchema = v.object({ userId: updateProfileSchema.entries.userId });

/**
 * The signed-in user's public profile.
 * @throws AuthError `UNAUTHENTICATED` when the user no longer exists (the caller's session is
 * stale: the account was deleted).
 */
export async function getUser(rt: AuthRuntime, userId: string): Promise<PublicUser> {
  const user = typeof userId === 'string' ? await rt.storage.users.getById(userId) : undefined;
  if (!user) throw new AuthError('UNAUTHENTICATED');
  return toPublicUser(user, rt.config.user.fields);
}

/**
 * Updates the username, names and the app's `editable` fields (docs/user-fields.md) of a
 * signed-in user. Only fields that actually change are written; `user.updated` lists their
 * names (never their values). Nothing changes: no write, no event. A key that is none of these
 * (an unknown name, a field without `editable`) is refused naming it: a typo must not look
 * saved.
 *
 * @throws AuthError `VALIDATION_FAILED` (bad username syntax, names too long or with control
 * characters, a field its schema refuses, an unknown key), `USERNAME_TAKEN` (another account
 * has it, compared case-insensitively), `UNAUTHENTICATED` (the user no longer exists).
 */
export async function updateProfile(
  rt: AuthRuntime,
  userId: string,
  input: Omit<UpdateProfileInput, 'userId'>,
  context: RequestContext,
): Promise<PublicUser> {
  // `userId` is the caller's, never the patch's: the strict patch schema refuses one in the body,
  // with every other unknown key and every field its schema refuses, at once.
  const { userId: id } = parseInput(callerSchema, { userId });
  const { fields } = rt.config.user;
  const { data: parsed, values } = parseWithUserFields(
    fields,
    profilePatchSchema,
    input,
    'profile',
  );
  const user = await rt.storage.users.getById(id);
  if (!user) throw new AuthError('UNAUTHENTICATED');
  const { patch, changed } = diff(user, parsed);
  const applied = applyUserFields(user.metadata, values);
  if (applied) {
    // Only the changed keys: a field an admin set meanwhile stands.
    patch.metadataKeys = applied.keys;
    changed.push(...applied.changed);
  }
  if (changed.length === 0) return toPublicUser(user, fields);
  const result = await rt.storage.users.update(user.id, { ...patch, updatedAt: rt.now() });
  // Only the username is unique among the fields written here.
  if (result === 'conflict') throw new AuthError('USERNAME_TAKEN');
  if (result === 'not_found') throw new AuthError('UNAUTHENTICATED');
  const updated = await rt.storage.users.getById(user.id);
  if (!updated) throw new AuthError('UNAUTHENTICATED');
  await rt.emit({ type: 'user.updated', userId: user.id, data: { fields: changed } }, context);
  return toPublicUser(updated, rt.config.user.fields);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The patch of what differs from the stored user, and the names of the changed fields. */
function diff(
  user: UserRecord,
  input: v.InferOutput<typeof profilePatchSchema>,
): { patch: Mutable<Omit<UserPatch, 'updatedAt'>>; changed: string[] } {
  const patch: Mutable<Omit<UserPatch, 'updatedAt'>> = {};
  const changed: string[] = [];
  if (input.username !== undefined) {
    const next = input.username === null ? undefined : normalizeUsername(input.username);
    if (next?.username !== user.username) {
      patch.username = next?.username ?? null;
      patch.usernameNormalized = next?.usernameNormalized ?? null;
      changed.push('username');
    }
  }
  for (const field of ['firstName', 'lastName'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const next = value === null || value === '' ? undefined : value;
    if (next !== user[field]) {
      patch[field] = next ?? null;
      changed.push(field);
    }
  }
  return { patch, changed };
}
