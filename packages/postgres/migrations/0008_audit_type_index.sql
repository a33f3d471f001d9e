-- Portcullis storage, version 8: the index of the administrators' audit log filtered by type.
-- Applied by migrate() like 0001 to 0007, in one transaction with search_path set to the
-- target schema.
--
-- audit.listAll pages through every user's events newest first by sequence (GET /admin/audit).
-- Without a type it walks the primary key backwards from the cursor; with one
-- (WHERE type = $1 AND sequence < $2 ORDER BY sequence DESC LIMIT n) it walks this index
-- backwards within the type, so a rare type never reads the events of the others.
--
-- Building an index locks audit_events against writes while it runs (seconds per million rows),
-- and every sign-in appends to it. For a large table, create this index beforehand with
-- CREATE INDEX CONCURRENTLY, outside any transaction and under the same name; IF NOT EXISTS then
-- keeps it (drop one left INVALID by a failed concurrent build first, or the list will not use
-- it).

CREATE INDEX IF NOT EXISTS audit_events_type_sequence_idx ON audit_events (type, sequence);
