-- Quartiere: photos described and reportable. Frozen once landed. Runs on PostgreSQL 15 + PostGIS 3 and on PGlite.

-- What an image shows, in words, written by its uploader for those who cannot see it (screen readers, a slow
-- connection). Asked for, not forced: an image without one has the empty string.
ALTER TABLE media ADD COLUMN alt_text text NOT NULL DEFAULT '' CHECK (char_length(alt_text) <= 1000);

-- A photo can be reported like a thing, a post or a comment (moderators could hide photos already).
ALTER TABLE reports DROP CONSTRAINT reports_target_type_check;
ALTER TABLE reports ADD CONSTRAINT reports_target_type_check
  CHECK (target_type IN ('entity', 'post', 'comment', 'media'));
