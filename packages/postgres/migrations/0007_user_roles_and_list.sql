-- Portcullis storage, version 7: users' roles, and the indexes of the admin list of users.
-- Applied by migrate() like 0001 to 0006, in one transaction with search_path set to the
-- target schema.
--
-- roles holds a user's role names as core wrote them (order kept, no duplicates); '{}' is no
-- roles, which the store reads back as a user without `roles`. Rows that exist before this
-- migration have none, so nobody gains a permission by the upgrade. ADD COLUMN with a constant
-- default rewrites no table (PostgreSQL 11 and later).
--
-- users.list pages through users in (created_at, id) order, ids in code-unit order (COLLATE
-- "C", as JavaScript compares them), filtered by a prefix, a role or the disabled flag. Each
-- index below keeps one part of it an index scan:
--   users_created_at_id_idx          every page without a filter: a keyset range scan, in order
--   users_*_prefix_idx               the prefix: LIKE 'abc%' ranges whatever the database's
--                                    collation (text_pattern_ops), names through lower()
--   users_roles_idx                  the role: roles @> ARRAY[$role] (GIN)
--
-- Building an index locks users against writes while it runs (seconds per million rows). For a
-- large table, create these indexes beforehand with CREATE INDEX CONCURRENTLY, outside any
-- transaction and under the same names; IF NOT EXISTS then keeps them (drop one left INVALID
-- by a failed concurrent build first, or the list will not use it).

ALTER TABLE users
  ADD COLUMN roles text[] NOT NULL DEFAULT '{}';

CREATE INDEX IF NOT EXISTS users_created_at_id_idx ON users (created_at, id COLLATE "C");
CREATE INDEX IF NOT EXISTS users_email_normalized_prefix_idx
  ON users (email_normalized text_pattern_ops);
CREATE INDEX IF NOT EXISTS users_username_normalized_prefix_idx
  ON users (username_normalized text_pattern_ops);
CREATE INDEX IF NOT EXISTS users_first_name_prefix_idx ON users (lower(first_name) text_pattern_ops);
CREATE INDEX IF NOT EXISTS users_last_name_prefix_idx ON users (lower(last_name) text_pattern_ops);
CREATE INDEX IF NOT EXISTS users_roles_idx ON users USING gin (roles);
