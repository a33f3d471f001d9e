/**
 * The app's own user fields on the pages (`user-fields.ts`): the bio and the picture on the
 * profile (shown, and edited in its form), the bio on the sign-up page, and both as text on the
 * admin's user page. Values come from users: every one goes through Hono's `html` helper, which
 * escapes it, and a picture is shown only when its URL is `http(s)://`.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { field, type Html, textArea } from './layout.js';
import {
  type AppUser,
  BIO_MAX_LENGTH,
  PICTURE_URL_MAX_LENGTH,
  pictureOrigin,
} from './user-fields.js';
import type { PageEnv } from './viewer.js';

/** The fields' values, whatever the type of the user object (the admin API is typed without). */
export interface ProfileFieldValues {
  readonly bio: string | null;
  readonly profilePicture: string | null;
}

/**
 * The fields of a user object as core returns it (each key present, `null` when unset): the
 * admin pages get their users from `Auth`, typed without the fields. Anything but a string is
 * `null` here.
 */
export function profileFieldsOf(user: object): ProfileFieldValues {
  const record = user as Readonly<Record<string, unknown>>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { bio: text(record.bio), profilePicture: text(record.profilePicture) };
}

/**
 * The picture and the bio in the profile's list of facts. The picture's origin goes into this
 * response's `img-src` (`allowPageImages`), or the browser would refuse to load it; no
 * Referer goes with the request (`referrerpolicy`), so the picture's host does not learn which
 * page shows it.
 */
export function profileFieldFacts(c: Context<PageEnv>, user: AppUser): Html {
  const origin = user.profilePicture === null ? undefined : pictureOrigin(user.profilePicture);
  if (origin !== undefined) c.set('imageOrigins', [origin]);
  const picture =
    user.profilePicture === null || origin === undefined
      ? '—'
      : html`<img
          class="avatar"
          src="${user.profilePicture}"
          alt="Your profile picture"
          width="96"
          height="96"
          referrerpolicy="no-referrer"
          decoding="async"
          data-testid="profile-picture"
        />`;
  return html`<dt>Picture</dt>
    <dd>${picture}</dd>
    <dt>About you</dt>
    <dd class="bio" data-testid="profile-bio">${user.bio ?? '—'}</dd>`;
}

/** The bio's box, on the sign-up page (empty) and the profile (its current text). */
export function bioField(options: { label: string; value?: string | null }): Html {
  return textArea({
    label: options.label,
    name: 'bio',
    value: options.value ?? null,
    maxLength: BIO_MAX_LENGTH,
    rows: 3,
    hint: `Up to ${BIO_MAX_LENGTH} characters, one paragraph (no line breaks); optional.`,
  });
}

/** The fields' inputs in the profile form, which sends an empty one as `null` (cleared). */
export function profileFieldInputs(user: AppUser): Html {
  return html`${bioField({ label: 'About you', value: user.bio })}
    ${field({
      label: 'Picture URL',
      name: 'profilePicture',
      type: 'url',
      value: user.profilePicture,
      autocomplete: 'photo',
      hint: `An https:// (or http://) address of an image, up to ${PICTURE_URL_MAX_LENGTH} characters; leave empty for none.`,
    })}`;
}

/**
 * The fields on the admin's user page, as text: the picture's address is a link, never an
 * image (an admin's page loads nothing a user chose), and only when it is `http(s)://`.
 */
export function adminFieldFacts(user: object): Html {
  const { bio, profilePicture } = profileFieldsOf(user);
  const picture =
    profilePicture === null
      ? '—'
      : pictureOrigin(profilePicture) === undefined
        ? profilePicture
        : html`<a href="${profilePicture}" rel="noopener noreferrer nofollow" target="_blank"
            >${profilePicture}</a
          >`;
  return html`<dt>About</dt>
    <dd class="bio" data-testid="admin-user-bio">${bio ?? '—'}</dd>
    <dt>Picture URL</dt>
    <dd class="url" data-testid="admin-user-picture">${picture}</dd>`;
}
