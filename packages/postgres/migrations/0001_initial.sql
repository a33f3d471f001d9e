-- Portcullis storage, version 1. Applied by migrate() (or `portcullis-postgres migrate`)
-- inside one transaction with search_path set to the target schema, so names here are
-- unqualified. Times are timestamptz; ids, hashes and normalized values are text that core
-- computes and the database compares exactly (no lower(), no citext).

CREATE TABLE users (
  id                  text PRIMARY KEY,
  email               text NOT NULL,
  email_normalized    text NOT NULL,
  email_verified_at   timestamptz,
  username            text,
  username_normalized text,
  password_hash       text,
  first_name          text,
  last_name           text,
  phone               text,
  phone_verified_at   timestamptz,
  metadata            jsonb NOT NULL DEFAULT '{}',
  disabled            boolean NOT NULL DEFAULT false,
  totp_secret         text,
  totp_algorithm      text,
  totp_digits         integer,
  totp_period_seconds integer,
  totp_t0             bigint,
  totp_last_used_step bigint,
  last_login_at       timestamptz,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  -- A TOTP enrollment is all of its fields or none of them.
  CONSTRAINT users_totp_whole CHECK (
    (totp_secret IS NULL) = (totp_algorithm IS NULL)
    AND (totp_secret IS NULL) = (totp_digits IS NULL)
    AND (totp_secret IS NULL) = (totp_period_seconds IS NULL)
    AND (totp_secret IS NULL) = (totp_t0 IS NULL)
  )
);
-- "Case-insensitive unique email": core normalizes, these indexes keep the result unique.
-- NULL usernames never conflict.
CREATE UNIQUE INDEX users_email_normalized_key ON users (email_normalized);
CREATE UNIQUE INDEX users_username_normalized_key ON users (username_normalized);

CREATE TABLE sessions (
  id                  text PRIMARY KEY,
  user_id             text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_hash         text,
  refresh_hash        text,
  created_at          timestamptz NOT NULL,
  last_seen_at        timestamptz NOT NULL,
  idle_expires_at     timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  fresh_until         timestamptz NOT NULL,
  ip                  text,
  user_agent          text,
  amr                 text[] NOT NULL DEFAULT '{}'
);
-- listByUser (newest first) and deleteByUser.
CREATE INDEX sessions_user_id_created_at_idx ON sessions (user_id, created_at DESC);
-- purgeExpired: a session is dead once either expiry has passed.
CREATE INDEX sessions_dead_at_idx ON sessions (least(idle_expires_at, absolute_expires_at));

-- Every refresh hash a session replaced, kept for the session's life: presenting one again
-- is refresh-token reuse. Rows go with their session.
CREATE TABLE session_refresh_hashes (
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  hash       text NOT NULL,
  position   bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (session_id, hash)
);

-- One-time tokens: links, codes and second-factor challenges.
CREATE TABLE tokens (
  purpose       text NOT NULL,
  selector      text NOT NULL,
  verifier_hash text NOT NULL,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  payload       jsonb,
  expires_at    timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (purpose, selector)
);
-- deleteByUser, with or without a purpose.
CREATE INDEX tokens_user_id_purpose_idx ON tokens (user_id, purpose);
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);

CREATE TABLE recovery_codes (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id      text NOT NULL,
  hash    text NOT NULL,
  used_at timestamptz,
  -- Serves both lookups: a user's codes, and one code of a user.
  PRIMARY KEY (user_id, id)
);

CREATE TABLE trusted_devices (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_hash  text NOT NULL,
  user_agent   text,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX trusted_devices_user_id_created_at_idx ON trusted_devices (user_id, created_at DESC);
CREATE INDEX trusted_devices_expires_at_idx ON trusted_devices (expires_at);

-- One fixed window and one lock per key. reset_at is NULL for a key that was only locked.
CREATE TABLE rate_limits (
  key          text PRIMARY KEY,
  count        integer NOT NULL DEFAULT 0,
  reset_at     timestamptz,
  locked_until timestamptz
);
-- purgeExpired: a row is dead once its window and its lock have both ended
-- (greatest() skips NULLs).
CREATE INDEX rate_limits_dead_at_idx ON rate_limits (greatest(reset_at, locked_until));

-- Append-only security events. The identity column is the store-assigned sequence.
CREATE TABLE audit_events (
  sequence   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type       text NOT NULL,
  created_at timestamptz NOT NULL,
  ip         text,
  user_agent text,
  session_id text,
  data       jsonb
);
-- list (newest first, paged by sequence) and deleteByUser.
CREATE INDEX audit_events_user_id_sequence_idx ON audit_events (user_id, sequence DESC);
