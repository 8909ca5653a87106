-- Quartiere: what the realtime feed needs of the outbox. Frozen once landed.
--
-- `previous` says where an entity was (bbox, kind, time window) before an update or a delete, so the feed can
-- tell a viewport the entity left that it should drop it. NULL for every other event.
ALTER TABLE events_outbox ADD COLUMN previous jsonb;

-- Events older than the retention are pruned. A client resuming from a seq at or below `pruned_through` may have
-- missed pruned events and is told to reload (`reset`); one row, kept by the pruner.
CREATE TABLE events_outbox_pruned (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  pruned_through bigint NOT NULL
);
INSERT INTO events_outbox_pruned (singleton, pruned_through) VALUES (true, 0);
