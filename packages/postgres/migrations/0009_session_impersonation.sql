-- Portcullis storage, version 9: sessions an admin opened by impersonation.
-- Applied by migrate() like 0001 to 0008, in one transaction with search_path set to the
-- target schema.
--
-- impersonated_by holds the id of the admin who opened the session for its user
-- (auth.admin.users.impersonate), exactly as core wrote it; NULL for the user's own sign-ins,
-- which the store reads back as a session without `impersonatedBy`. It is written at create
-- and never changed. Plain text, no foreign key: the store keeps what core gives it, as every
-- adapter does (an admin deleted meanwhile leaves the id, and the session ends within its
-- hour). Rows that exist before this migration are the users' own sessions. ADD COLUMN without
-- a default rewrites no table.

ALTER TABLE sessions ADD COLUMN IF NOT EXISTS impersonated_by text;
