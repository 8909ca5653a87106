-- Quartiere: what anyone may see of the map, in one place. Frozen once landed.
--
-- Every reader that serves the map to people other than the author (the entities query, OGC API, vector
-- tiles, exports, the realtime replay) reads through this view, so a visibility rule added here later
-- (moderation hiding content, private locations served blurred) holds everywhere at once. A later migration
-- may CREATE OR REPLACE it with more conditions; new columns can only be appended at the end.
CREATE VIEW visible_entities AS
  SELECT * FROM entities WHERE deleted_at IS NULL;
