-- Quartiere: private locations. Frozen once landed. Runs on PostgreSQL 15 + PostGIS 3 and on PGlite alike.
--
-- A member may mark where a thing is as private (their home, a request for help at home). The exact geometry is
-- stored as given, in `geom`, and served to its author alone. Everyone else gets `public_geom`: for a private
-- thing a point snapped to a grid of `quartiere_blur_cell_m()` metres; for any other thing the geometry itself.
-- Every reader serves and searches `public_geom` to others: the view visible_entities (OGC API, tiles, exports,
-- events.ics, ledger flows, campaigns) renames it `geom`, the stored Feature (feature_json, which the map query
-- and the realtime outbox send as they are) is built from it, and bbox searches match on it, so that narrowing
-- a box cannot find the exact spot either.
--
-- How the blur works, and why:
-- * A private line or polygon becomes a point too: its shape would say more than a blurred cell should.
-- * The point is the centre of the grid cell its representative point (ST_PointOnSurface) falls in. The grid is
--   of cells about `quartiere_blur_cell_m()` metres on a side (rows of equal latitude, columns as wide in metres
--   as the row's centre allows), so the exact point is at most half a diagonal (~0.71 × the cell) from the one
--   served, and anywhere inside the cell is equally likely.
-- * Each entity has its own grid, shifted by a fraction of a cell taken from a hash of its id: cells of
--   neighbouring private things do not line up, so their edges say nothing about where the homes are.
-- * It is a function of the stored geometry and the id alone: the same answer every time, so repeated queries
--   (or the same thing served by the API, a tile and an export) cannot be averaged to find the point.

-- The side of a blur cell, in metres (at least 200, as the platform promises). Changing it later takes a new
-- migration that replaces this function and recomputes the column: UPDATE entities SET feature_json = NULL
-- WHERE location_private (the trigger below rebuilds both).
CREATE FUNCTION quartiere_blur_cell_m() RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT 250.0::double precision $$;

-- Where a private geometry is served: see above. Pure arithmetic on the sphere (radius 6371008.8 m), so it
-- needs no projection support from PostGIS and gives the same answer on every backend.
CREATE FUNCTION quartiere_blur(geom geometry, entity_id uuid) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    WITH grid AS (
      SELECT ST_X(p) AS lon, ST_Y(p) AS lat,
             -- Degrees of latitude per cell.
             quartiere_blur_cell_m() / (pi() * 6371008.8 / 180) AS cell_lat,
             -- Two fractions of a cell in [0, 1), from the first 16 hex digits of the id's MD5.
             ('x' || lpad(substr(h, 1, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS shift_x,
             ('x' || lpad(substr(h, 9, 8), 16, '0'))::bit(64)::bigint / 4294967296.0 AS shift_y
        FROM (SELECT ST_PointOnSurface(geom) AS p, md5(entity_id::text) AS h) AS source
    ), row_centre AS (
      SELECT lon, shift_x, shift_y * cell_lat + (floor((lat - shift_y * cell_lat) / cell_lat) + 0.5) * cell_lat AS lat
        FROM grid
    ), cell AS (
      -- The row's cells are as wide in degrees of longitude as the cell's metres are at the row's centre (kept
      -- finite near the poles).
      SELECT lon, lat, shift_x,
             quartiere_blur_cell_m() / (pi() * 6371008.8 / 180 * greatest(cos(radians(lat)), 0.01)) AS cell_lon
        FROM row_centre
    )
    SELECT ST_SetSRID(ST_MakePoint(
             least(greatest(shift_x * cell_lon + (floor((lon - shift_x * cell_lon) / cell_lon) + 0.5) * cell_lon, -180), 180),
             least(greatest(lat, -90), 90)
           ), 4326)
      FROM cell
  $$;

ALTER TABLE entities ADD COLUMN location_private boolean NOT NULL DEFAULT false;
-- What everyone but the author is served; kept by the trigger below on every write.
ALTER TABLE entities ADD COLUMN public_geom geometry(Geometry, 4326);

-- Replaces the builder of 0003: it now also keeps public_geom, and the stored Feature carries the public
-- geometry and says whether the location is private. The author's own reads put the exact geometry back.
CREATE OR REPLACE FUNCTION quartiere_entity_feature_json() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.public_geom := CASE WHEN NEW.location_private THEN quartiere_blur(NEW.geom, NEW.id) ELSE NEW.geom END;
  NEW.feature_json := json_build_object(
    'type', 'Feature',
    'id', NEW.id,
    'geometry', ST_AsGeoJSON(NEW.public_geom, 7)::json,
    'properties', json_build_object(
      'kind', NEW.kind,
      'title', NEW.title,
      'description', NEW.description,
      'validFrom', quartiere_iso(NEW.valid_from),
      'validTo', quartiere_iso(NEW.valid_to),
      'zoomLevel', NEW.zoom_level,
      'parentId', NEW.parent_id,
      'categories', NEW.categories,
      'tags', NEW.tags,
      'properties', NEW.properties,
      'locationPrivate', NEW.location_private,
      'author', json_build_object(
        'id', NEW.author_id,
        'displayName', (SELECT display_name FROM users WHERE id = NEW.author_id)
      ),
      'version', NEW.version,
      'createdAt', quartiere_iso(NEW.created_at),
      'updatedAt', quartiere_iso(NEW.updated_at),
      'lastActivityAt', quartiere_iso(NEW.last_activity_at)
    )
  )::text;
  RETURN NEW;
END $$;

-- Fill the rows that exist already (the trigger computes both values).
UPDATE entities SET feature_json = NULL;
ALTER TABLE entities ALTER COLUMN public_geom SET NOT NULL;

-- Spatial searches for everyone but the author run on public_geom; the author's own private things are found
-- through entities_author_idx. An index on the exact geometry would serve no reader any more.
DROP INDEX entities_geom_idx;
CREATE INDEX entities_public_geom_idx ON entities USING gist (public_geom) WHERE deleted_at IS NULL;

-- What the public may see of the map, where it may see it: geom is the public geometry. The columns keep the
-- order of 0006's list (entities' columns up to hidden_at); location_private is appended, as CREATE OR REPLACE
-- VIEW requires. The exact geometry is not in the view at all.
CREATE OR REPLACE VIEW visible_entities AS
  SELECT id, kind, title, description, public_geom AS geom, valid_from, valid_to, validity, zoom_level, parent_id,
         categories, tags, properties, author_id, version, created_at, updated_at, last_activity_at, deleted_at,
         search, feature_json, hidden_at, location_private
    FROM entities
   WHERE deleted_at IS NULL AND hidden_at IS NULL;
