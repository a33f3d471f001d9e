import type { Auth, SessionInfo } from '@portcullis/core';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { apiForm, field, localPath, when } from './layout.js';
import { passkeysSection } from './pages-passkeys.js';
import { linkedAccountsSection, linkedNotice, type ProviderView } from './pages-social.js';
import { type TwoFactorPagesOptions, twoFactorSection } from './pages-two-factor.js';
import { profileFieldFacts, profileFieldInputs } from './profile-fields.js';
import { codeField, methodChoice } from './two-factor-fields.js';
import { type PageEnv, render, signedInOnly, viewerOf } from './viewer.js';

/**
 * Pages of a signed-in user: profile (view and edit, with the app's own fields: the picture and
 * the bio, `profile-fields.ts`; the second factor's state), sessions
 * (sign out the others), change password, change email, delete the account, and confirm the
 * password (and second factor) again before a sensitive action on a session older than 10
 * minutes. The profile also lists the passkeys (add, rename, delete) and, with social sign-in
 * configured, the linked accounts (link, unlink).
 */
export function accountPages(
  app: Hono<PageEnv>,
  auth: Auth,
  options: TwoFactorPagesOptions & { providers: readonly ProviderView[] },
): void {
  const guard = signedInOnly();

  app.get('/profile', guard, async (c) => {
    const { user } = viewerOf(c);
    const twoFactor = await twoFactorSection(c, auth, options);
    const passkeys = await passkeysSection(c, auth);
    const linked = await linkedAccountsSection(c, auth, options.providers);
    return render(
      c,
      'Your profile',
      html`${linkedNotice(c, options.providers)}
        <dl>
          <dt>Email</dt>
          <dd>${user.email} ${user.emailVerified ? '(confirmed)' : '(not confirmed)'}</dd>
          <dt>Username</dt>
          <dd>${user.username ?? '—'}</dd>
          <dt>Name</dt>
          <dd data-testid="profile-name">${[user.firstName, user.lastName].filter(Boolean).join(' ') || '—'}</dd>
          ${profileFieldFacts(c, user)}
          <dt>Member since</dt>
          <dd>${when(user.createdAt)}</dd>
        </dl>
        <h2>Edit your profile</h2>
        ${apiForm(
          {
            api: 'PATCH /user',
            next: '/profile?notice=profile-saved',
            submit: 'Save profile',
            emptyAsNull: true,
          },
          html`${field({ label: 'Username', name: 'username', value: user.username, autocomplete: 'username', hint: '3–32 letters, digits, ".", "_" or "-"; leave empty for none.' })}
          ${field({ label: 'First name', name: 'firstName', value: user.firstName, autocomplete: 'given-name' })}
          ${field({ label: 'Last name', name: 'lastName', value: user.lastName, autocomplete: 'family-name' })}
          ${profileFieldInputs(user)}`,
        )}
        ${passkeys}
        ${twoFactor}
        ${linked}
        <h2>Account</h2>
        <ul>
          <li><a href="/sessions">Sessions: where you are signed in</a></li>
          <li><a href="/password">Change your password</a></li>
          <li><a href="/email">Change your email address</a></li>
          <li><a href="/delete-account">Delete your account</a></li>
        </ul>`,
    );
  });

  app.get('/sessions', guard, async (c) => {
    const { user, session } = viewerOf(c);
    const sessions = await auth.sessions.list(user.id, { currentId: session.id });
    return render(
      c,
      'Your sessions',
      html`<p>Every browser or device signed in to your account. Sign out the ones you do not
          recognize, then change your password.</p>
        <table>
          <thead>
            <tr><th>Device</th><th>Signed in</th><th>Last seen</th><th></th></tr>
          </thead>
          <tbody>
            ${sessions.map(sessionRow)}
          </tbody>
        </table>
        ${apiForm({
          api: 'POST /logout/all',
          next: '/sign-in?notice=signed-out-everywhere',
          submit: 'Sign out everywhere, this browser too',
          className: 'danger',
        })}`,
    );
  });

  app.get('/password', guard, (c) =>
    render(
      c,
      'Change your password',
      html`<p>Your other sessions are signed out when the password changes.</p>
        ${apiForm(
          {
            api: 'POST /password/change',
            next: '/profile?notice=password-changed',
            submit: 'Change password',
          },
          html`${field({ label: 'Current password', name: 'currentPassword', type: 'password', autocomplete: 'current-password', required: true })}
          ${field({ label: 'New password', name: 'newPassword', type: 'password', autocomplete: 'new-password', required: true })}`,
        )}`,
    ),
  );

  app.get('/email', guard, (c) => {
    const { user } = viewerOf(c);
    return render(
      c,
      'Change your email address',
      html`<p>Your address is <strong>${user.email}</strong>. We mail a link to the new address;
          the change happens when you follow it. The current address gets a notice.</p>
        ${apiForm(
          {
            api: 'POST /user/email',
            next: '/profile?notice=email-sent',
            submit: 'Send the confirmation link',
          },
          html`${field({ label: 'New email', name: 'newEmail', type: 'email', autocomplete: 'email', required: true })}
          ${field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })}`,
        )}`,
    );
  });

  app.get('/delete-account', guard, (c) =>
    render(
      c,
      'Delete your account',
      html`<p>This deletes your account, your sessions and your security history at once. It
          cannot be undone.</p>
        ${apiForm(
          {
            api: 'DELETE /user',
            next: '/?notice=account-deleted',
            submit: 'Delete my account',
            className: 'danger',
          },
          field({
            label: 'Password',
            name: 'password',
            type: 'password',
            autocomplete: 'current-password',
            required: true,
          }),
        )}`,
    ),
  );

  // Sensitive actions (signing out other sessions, …) need a session younger than 10 minutes
  // or the password again; the client script sends the user here on `REAUTH_REQUIRED`.
  app.get('/reauthenticate', guard, (c) => {
    const next = localPath(c.req.query('next'), '/profile');
    const password = field({
      label: 'Password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    // With 2FA on, the password alone does not make a session fresh: a code comes with it.
    const secondFactor = viewerOf(c).user.twoFactorEnabled
      ? html`<fieldset>
            <legend>Your code is from</legend>
            ${methodChoice({ method: 'totp', label: 'Your authenticator app', checked: true })}
            ${methodChoice({ method: 'recovery', label: 'Your recovery codes' })}
          </fieldset>
          ${codeField()}`
      : '';
    return render(
      c,
      'Confirm your password',
      html`<p>For your security, confirm your password${secondFactor === '' ? '' : ' and enter a code'} to
          go on.</p>
        ${apiForm({ api: 'POST /reauthenticate', next, submit: 'Confirm' }, html`${password}${secondFactor}`)}`,
    );
  });
}

function sessionRow(s: SessionInfo) {
  // A session an admin opened as this user (support): the user sees it, and may end it.
  const by =
    s.impersonatedBy === null
      ? ''
      : html`<br /><small>Opened by an administrator (impersonation)</small>`;
  const device = html`${s.userAgent ?? 'Unknown browser'}${s.ip === null ? '' : html`<br /><small>${s.ip}</small>`}${by}`;
  const action = s.current
    ? html`<strong>This browser</strong>`
    : apiForm({
        api: `DELETE /sessions/${encodeURIComponent(s.id)}`,
        next: '/sessions?notice=session-revoked',
        submit: 'Sign out',
        className: 'inline',
      });
  return html`<tr data-session="${s.current ? 'current' : 'other'}">
    <td>${device}</td>
    <td>${when(s.createdAt)}</td>
    <td>${when(s.lastSeenAt)}</td>
    <td>${action}</td>
  </tr>`;
}
