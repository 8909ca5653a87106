-- Quartiere: the first migration. Frozen: never edit it once it has landed; add a new numbered file instead.
-- It must run on PostgreSQL 15 + PostGIS 3 and on PGlite (PostgreSQL 17/18) + PostGIS alike.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Folds the accented letters Italian and English text use, so that "comunita" finds "comunità". The unaccent
-- extension is not available on the embedded backend, and generated columns need an IMMUTABLE function.
CREATE FUNCTION quartiere_fold(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT translate(lower(input), 'àáâäãåèéêëìíîïòóôöõùúûüçñ', 'aaaaaaeeeeiiiiooooouuuucn') $$;

-- Timestamps in API payloads built by SQL: RFC 3339 in UTC with milliseconds, whatever the session's TimeZone.
CREATE FUNCTION quartiere_iso(ts timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE STRICT
  AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
  password_hash text NOT NULL,
  role          text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin', 'researcher')),
  locale        text NOT NULL DEFAULT 'it' CHECK (locale IN ('it', 'en')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails are unique whatever their case: Anna@Example.org and anna@example.org are one person.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Refresh tokens rotate: each use spends the token and issues the next one of the same family. A spent token
-- presented again means it was stolen, and the whole family is revoked. Only a hash of the token is stored.
CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Everything on the map (FirstLife's "Things"), with where it is and when it exists or happens.
CREATE TABLE entities (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind             text NOT NULL
                   CHECK (kind IN ('space', 'group', 'event', 'project', 'news', 'story', 'offer', 'request')),
  title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 20000),
  geom             geometry(Geometry, 4326) NOT NULL,
  valid_from       timestamptz,
  valid_to         timestamptz,
  validity         tstzrange GENERATED ALWAYS AS (tstzrange(valid_from, valid_to, '[]')) STORED,
  zoom_level       smallint NOT NULL DEFAULT 14 CHECK (zoom_level BETWEEN 0 AND 22),
  parent_id        uuid REFERENCES entities (id),
  categories       text[] NOT NULL DEFAULT '{}',
  tags             text[] NOT NULL DEFAULT '{}',
  properties       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
  author_id        uuid NOT NULL REFERENCES users (id),
  version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz,
  search           tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('italian', title), 'A')
                     || setweight(to_tsvector('english', title), 'A')
                     || setweight(to_tsvector('simple', quartiere_fold(title)), 'A')
                     || setweight(to_tsvector('italian', description), 'B')
                     || setweight(to_tsvector('english', description), 'B')
                     || setweight(to_tsvector('simple', quartiere_fold(description)), 'B')
                   ) STORED,
  CONSTRAINT entities_valid_window CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to),
  -- The API validates geometry before SQL; this keeps anything invalid out of the table whatever the path.
  CONSTRAINT entities_geom_valid CHECK (
    ST_IsValid(geom) AND NOT ST_IsEmpty(geom)
    AND GeometryType(geom) IN ('POINT', 'MULTIPOINT', 'LINESTRING', 'MULTILINESTRING', 'POLYGON', 'MULTIPOLYGON')
  ),
  CONSTRAINT entities_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX entities_geom_idx ON entities USING gist (geom) WHERE deleted_at IS NULL;
CREATE INDEX entities_validity_idx ON entities USING gist (validity) WHERE deleted_at IS NULL;
CREATE INDEX entities_search_idx ON entities USING gin (search) WHERE deleted_at IS NULL;
CREATE INDEX entities_categories_idx ON entities USING gin (categories) WHERE deleted_at IS NULL;
CREATE INDEX entities_tags_idx ON entities USING gin (tags) WHERE deleted_at IS NULL;
CREATE INDEX entities_parent_idx ON entities (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX entities_author_idx ON entities (author_id);
CREATE INDEX entities_kind_idx ON entities (kind, id) WHERE deleted_at IS NULL;

-- Members of a group entity and their roles. The creator of a group is its owner; managers may edit the
-- things that belong to the group (its children on the map).
CREATE TABLE group_members (
  group_id   uuid NOT NULL REFERENCES entities (id),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

-- Every change that clients may see, written in the same database transaction as the change. The realtime
-- feed and its resume read from here. audience NULL means public; otherwise the user ids that may see it.
CREATE TABLE events_outbox (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic      text NOT NULL,
  entity_id  uuid,
  min_lon    double precision,
  min_lat    double precision,
  max_lon    double precision,
  max_lat    double precision,
  audience   uuid[],
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_outbox_created_idx ON events_outbox (created_at);
