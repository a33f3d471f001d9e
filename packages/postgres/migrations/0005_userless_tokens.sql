-- Portcullis storage, version 5: one-time tokens of no user. Applied by migrate() like 0001 to
-- 0004, in one transaction with search_path set to the target schema.
--
-- A token may belong to no user yet: the OAuth state of a social sign-in (single use, ten
-- minutes), and passkey sign-in challenges. Such a token has user_id NULL, which the store reads
-- back as a record without userId; deleteByUser (user_id = $1) never matches it. The foreign key
-- stays: a token that names a user still goes with that user (ON DELETE CASCADE). Rows that
-- exist before this migration all have a user, and keep it.
--
-- DROP NOT NULL only changes the catalog: no table rewrite and no scan, so the ALTER holds its
-- lock for a moment only.

ALTER TABLE tokens ALTER COLUMN user_id DROP NOT NULL;
