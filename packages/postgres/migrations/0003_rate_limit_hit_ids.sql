-- Portcullis storage, version 3: named rate-limit hits. Applied by migrate() like 0001 and
-- 0002, in one transaction with search_path set to the target schema.
--
-- rateLimits.hit may name a hit (a random id, unique per hit); an allowed named hit is
-- remembered in hit_ids with its window, so that rateLimits.release can take it back exactly
-- once (array_remove under the row lock) and never from a later window: a new window restarts
-- the array. At most `limit` ids per window, since denied hits are not remembered. Rows that
-- exist before this migration have no named hits, so nothing can be released from them.
--
-- ADD COLUMN with a constant default and no volatile expression rewrites no table
-- (PostgreSQL 11 and later): the ALTER holds its lock for a moment only.

ALTER TABLE rate_limits
  ADD COLUMN hit_ids text[] NOT NULL DEFAULT '{}';
