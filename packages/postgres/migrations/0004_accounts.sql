-- Portcullis storage, version 4: linked accounts. Applied by migrate() like 0001 to 0003, in
-- one transaction with search_path set to the target schema.
--
-- One row per sign-in identity at an OAuth 2 / OpenID Connect provider linked to a user:
-- (provider, subject) is unique across users, so one identity signs in one user. Rows go with
-- their user (ON DELETE CASCADE), like every other user-owned table. email is what the
-- provider asserted, as it sent it (compared with nothing, so not normalized); encrypted_tokens
-- is core's ciphertext of the provider's tokens, opaque here. Links never expire: the purge
-- leaves them alone.
--
-- A new, empty table: nothing existing is rewritten or locked for long.

CREATE TABLE accounts (
  id               text PRIMARY KEY,
  user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider         text NOT NULL,
  subject          text NOT NULL,
  email            text,
  created_at       timestamptz NOT NULL,
  last_used_at     timestamptz NOT NULL,
  encrypted_tokens text,
  CONSTRAINT accounts_provider_subject_key UNIQUE (provider, subject)
);
-- listByUser (oldest first, ties by id in code-unit order, hence COLLATE "C" whatever the
-- database's collation), delete's count of the user's links, and deleteByUser.
CREATE INDEX accounts_user_id_created_at_id_idx ON accounts (user_id, created_at, id COLLATE "C");
