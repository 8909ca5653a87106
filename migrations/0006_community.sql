-- Quartiere: the community layer. Threads (posts and comments) on map things, group membership requests,
-- pacts of collaboration, initiatives, moderation (reports, hiding, an audit log), subscriptions and
-- notifications, and uploaded images. Frozen once landed.
-- It runs on PostgreSQL 15 + PostGIS 3 and on PGlite + PostGIS alike.

-- Moderation hides content without deleting it: the author still sees it (marked hidden), a moderator can
-- restore it, and the audit log says who did what.
ALTER TABLE entities ADD COLUMN hidden_at timestamptz;

-- What the public may see of the map: neither deleted nor hidden. Columns added to entities since 0004 are
-- appended at the end of the view's list, which is all CREATE OR REPLACE VIEW allows.
CREATE OR REPLACE VIEW visible_entities AS
  SELECT * FROM entities WHERE deleted_at IS NULL AND hidden_at IS NULL;

-- The wall sorts things by their last activity (a new post or comment raises it), newest first.
CREATE INDEX entities_activity_idx ON entities (last_activity_at DESC, id DESC) WHERE deleted_at IS NULL;

-- Images uploaded by members, stored as a display size and a thumbnail (EXIF stripped) in a media store
-- (local disk or an S3-compatible bucket) under storage_key. An image may illustrate an entity; a post lists
-- the images it shows in posts.media_ids.
CREATE TABLE media (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id      uuid NOT NULL REFERENCES users (id),
  entity_id     uuid REFERENCES entities (id),
  storage_key   text NOT NULL UNIQUE,
  content_type  text NOT NULL,
  width         integer NOT NULL CHECK (width > 0),
  height        integer NOT NULL CHECK (height > 0),
  bytes         integer NOT NULL CHECK (bytes > 0),
  thumb_width   integer NOT NULL CHECK (thumb_width > 0),
  thumb_height  integer NOT NULL CHECK (thumb_height > 0),
  thumb_bytes   integer NOT NULL CHECK (thumb_bytes > 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  hidden_at     timestamptz,
  deleted_at    timestamptz
);
CREATE INDEX media_entity_idx ON media (entity_id, created_at) WHERE entity_id IS NOT NULL;
CREATE INDEX media_owner_idx ON media (owner_id, created_at);

-- A thread on a map thing (FirstLife's wall): posts, newest first, each with comments, oldest first. Deleting
-- leaves a "removed" placeholder so the conversation around it still makes sense.
CREATE TABLE posts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  entity_id         uuid NOT NULL REFERENCES entities (id),
  author_id         uuid NOT NULL REFERENCES users (id),
  title             text NOT NULL DEFAULT '' CHECK (char_length(title) <= 200),
  body              text NOT NULL CHECK (char_length(body) <= 10000),
  tags              text[] NOT NULL DEFAULT '{}',
  media_ids         uuid[] NOT NULL DEFAULT '{}',
  comments_count    integer NOT NULL DEFAULT 0 CHECK (comments_count >= 0),
  version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  last_activity_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  hidden_at         timestamptz
);
CREATE INDEX posts_entity_idx ON posts (entity_id, created_at DESC, id DESC);
-- The posting rate limit counts a member's recent posts and comments.
CREATE INDEX posts_author_idx ON posts (author_id, created_at);

CREATE TABLE comments (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  post_id     uuid NOT NULL REFERENCES posts (id),
  author_id   uuid NOT NULL REFERENCES users (id),
  body        text NOT NULL CHECK (char_length(body) <= 5000),
  version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  hidden_at   timestamptz
);
CREATE INDEX comments_post_idx ON comments (post_id, created_at, id);
CREATE INDEX comments_author_idx ON comments (author_id, created_at);

-- Asking to join a closed group; a manager approves or rejects. One open request per person and group.
CREATE TABLE group_join_requests (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id    uuid NOT NULL REFERENCES entities (id),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  message     text NOT NULL DEFAULT '' CHECK (char_length(message) <= 1000),
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
  decided_by  uuid REFERENCES users (id),
  decided_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX group_join_requests_pending_key ON group_join_requests (group_id, user_id)
  WHERE status = 'pending';
CREATE INDEX group_join_requests_group_idx ON group_join_requests (group_id, created_at) WHERE status = 'pending';

-- Pacts of collaboration (patti di collaborazione): a project entity whose properties say projectType "pact".
-- Its status lives in the entity's properties; these tables hold what a pact links and what happened to it.
CREATE TABLE pacts (
  entity_id          uuid PRIMARY KEY REFERENCES entities (id),
  proposer_group_id  uuid REFERENCES entities (id),
  duration_months    smallint CHECK (duration_months BETWEEN 1 AND 120),
  signed_at          timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
-- The common goods (spaces) the pact cares for.
CREATE TABLE pact_spaces (
  pact_id   uuid NOT NULL REFERENCES entities (id),
  space_id  uuid NOT NULL REFERENCES entities (id),
  PRIMARY KEY (pact_id, space_id)
);
-- The groups that sign (and then carry out) the pact.
CREATE TABLE pact_signatories (
  pact_id   uuid NOT NULL REFERENCES entities (id),
  group_id  uuid NOT NULL REFERENCES entities (id),
  PRIMARY KEY (pact_id, group_id)
);
CREATE INDEX pact_signatories_group_idx ON pact_signatories (group_id);
CREATE TABLE pact_documents (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pact_id     uuid NOT NULL REFERENCES entities (id),
  title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  url         text CHECK (url IS NULL OR char_length(url) <= 2000),
  media_id    uuid REFERENCES media (id),
  added_by    uuid NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (url IS NOT NULL OR media_id IS NOT NULL)
);
CREATE INDEX pact_documents_pact_idx ON pact_documents (pact_id, created_at);
-- The pact's history, append-only: each step of its lifecycle and each activity report of a signatory.
CREATE TABLE pact_history (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pact_id      uuid NOT NULL REFERENCES entities (id),
  type         text NOT NULL CHECK (type IN ('transition', 'report')),
  from_status  text,
  to_status    text,
  actor_id     uuid NOT NULL REFERENCES users (id),
  group_id     uuid REFERENCES entities (id),
  note         text NOT NULL DEFAULT '' CHECK (char_length(note) <= 5000),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pact_history_pact_idx ON pact_history (pact_id, created_at, id);

-- Initiatives: named collections of things across kinds (FirstLife's "Co-City 2017", "AxTO").
CREATE TABLE initiatives (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description  text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  created_by   uuid NOT NULL REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE initiative_entities (
  initiative_id  uuid NOT NULL REFERENCES initiatives (id),
  entity_id      uuid NOT NULL REFERENCES entities (id),
  added_by       uuid NOT NULL REFERENCES users (id),
  added_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (initiative_id, entity_id)
);
CREATE INDEX initiative_entities_entity_idx ON initiative_entities (entity_id);

-- Reports of content by members, and the moderators' decisions on them.
CREATE TABLE reports (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  target_type  text NOT NULL CHECK (target_type IN ('entity', 'post', 'comment')),
  target_id    uuid NOT NULL,
  reporter_id  uuid NOT NULL REFERENCES users (id),
  reason       text NOT NULL
               CHECK (reason IN ('spam', 'harassment', 'hate', 'misinformation', 'privacy', 'illegal', 'other')),
  details      text NOT NULL DEFAULT '' CHECK (char_length(details) <= 2000),
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'actioned', 'dismissed')),
  resolved_by  uuid REFERENCES users (id),
  resolved_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- One open report per member and target: reporting again does not stack.
CREATE UNIQUE INDEX reports_open_key ON reports (target_type, target_id, reporter_id) WHERE status = 'open';
CREATE INDEX reports_queue_idx ON reports (created_at, id) WHERE status = 'open';
CREATE INDEX reports_reporter_idx ON reports (reporter_id, created_at);

-- Every moderation action, append-only: who hid, restored or dismissed what, and why.
CREATE TABLE moderation_actions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  moderator_id  uuid NOT NULL REFERENCES users (id),
  action        text NOT NULL CHECK (action IN ('hide', 'restore', 'dismiss')),
  target_type   text NOT NULL CHECK (target_type IN ('entity', 'post', 'comment', 'media')),
  target_id     uuid NOT NULL,
  report_id     uuid REFERENCES reports (id),
  reason        text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 2000),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_actions_time_idx ON moderation_actions (created_at DESC, id DESC);
CREATE INDEX moderation_actions_target_idx ON moderation_actions (target_type, target_id);

-- Following an entity (a group is an entity too): its changes, posts and comments reach the follower.
CREATE TABLE subscriptions (
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  entity_id   uuid NOT NULL REFERENCES entities (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, entity_id)
);
CREATE INDEX subscriptions_entity_idx ON subscriptions (entity_id);

-- What a member is told: stored here, and delivered live by the websocket feed through the outbox.
-- Other domains (the ledger's transfers and exchanges) insert rows too, in their own transactions.
CREATE TABLE notifications (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  topic       text NOT NULL CHECK (char_length(topic) BETWEEN 1 AND 100),
  entity_id   uuid,
  payload     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  read_at     timestamptz
);
-- Unread first, newest first within each.
CREATE INDEX notifications_user_idx ON notifications (user_id, (read_at IS NULL) DESC, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
