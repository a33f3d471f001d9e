-- Portcullis storage, version 6: passkeys. Applied by migrate() like 0001 to 0005, in one
-- transaction with search_path set to the target schema.
--
-- One row per WebAuthn credential a user registered: credential_id (the id the authenticator
-- chose, base64url) is unique across users, so one credential signs in one user. Rows go with
-- their user (ON DELETE CASCADE), like every other user-owned table. Nothing here is secret:
-- public_key is the credential's COSE public key (base64url); the private key never leaves the
-- authenticator. counter is the signature counter (a 32-bit unsigned number, hence bigint),
-- which recordUse only ever raises (greatest(counter, $n)). last_used_at is NULL until the
-- first sign-in. Passkeys never expire: the purge leaves them alone.
--
-- A new, empty table: nothing existing is rewritten or locked for long.

CREATE TABLE passkeys (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id text NOT NULL,
  public_key    text NOT NULL,
  counter       bigint NOT NULL,
  transports    text[] NOT NULL,
  device_type   text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up     boolean NOT NULL,
  name          text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  CONSTRAINT passkeys_credential_id_key UNIQUE (credential_id)
);
-- listByUser (oldest first, ties by id in code-unit order, hence COLLATE "C" whatever the
-- database's collation), delete's count of the user's passkeys, and deleteByUser.
CREATE INDEX passkeys_user_id_created_at_id_idx ON passkeys (user_id, created_at, id COLLATE "C");
