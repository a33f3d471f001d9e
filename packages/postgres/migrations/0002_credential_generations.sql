-- Portcullis storage, version 2: credential generations. Applied by migrate() like 0001, in
-- one transaction with search_path set to the target schema.
--
-- A user's credential_generation changes (to a new random value) in the same write as a new
-- password, a reset, a 2FA disable or an email change; sessions and trusted devices record the
-- generation they were made under, and core refuses them once it differs from their user's.
-- Values are safe integers (below 2^53), read back as text so that no driver or float
-- formatting can round them. Rows that exist before this migration read as generation 0, the
-- generation of every user core creates, so nothing is signed out by the upgrade.
--
-- ADD COLUMN with a constant default and no volatile expression rewrites no table
-- (PostgreSQL 11 and later): each ALTER holds its lock for a moment only.

ALTER TABLE users
  ADD COLUMN credential_generation bigint NOT NULL DEFAULT 0;

ALTER TABLE sessions
  ADD COLUMN credential_generation bigint NOT NULL DEFAULT 0,
  -- When a second factor was last proven in the session; NULL when none was.
  ADD COLUMN second_factor_at timestamptz;

ALTER TABLE trusted_devices
  ADD COLUMN credential_generation bigint NOT NULL DEFAULT 0;
