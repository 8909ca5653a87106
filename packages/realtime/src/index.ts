/**
 * The realtime feed: the outbox relay and the websocket protocol.
 *
 * - `createOutboxRelay({ db, listenUrl })` tails `events_outbox` and hands committed events on in seq order,
 *   each exactly once, across holes left by transactions that commit out of order. Other modules subscribe
 *   in process with `relay.onEvents((events: OutboxEventRow[]) => …)`, which returns its unsubscribe
 *   function: each event has `seq`, `topic`, `entityId`, `bbox` (and `previous` for moves and deletes), e.g.
 *   for the open-data tile cache to drop the tiles an event touches. Call `relay.announce()` after committing
 *   outbox events in this process (the API does it after every successful write request).
 * - `appendOutboxEvents(db, events)` (and `appendOutboxEvent`) is the one writer of `events_outbox`, in the
 *   caller's transaction; `outboxInsertSql(events)` is the same INSERT as a fragment for a statement that writes
 *   its events among other rows (the ledger's batch).
 * - `createFeed({ db, relay, authenticate, checkMessage })` speaks the protocol of
 *   packages/contracts/src/realtime.ts over any websocket (`accept(socket)`).
 */
export {
  type ClientMessageCheck,
  createFeed,
  type Feed,
  type FeedConnectionHandlers,
  type FeedLimits,
  type FeedOptions,
  type FeedSocket,
  feedDefaults,
} from './feed'
export { type CompiledSubscription, compileSubscription, type MatchState, matches } from './matching'
export { type OutboxEventRow, pruneOutbox, readOutbox } from './outbox.repository'
export {
  appendOutboxEvent,
  appendOutboxEvents,
  forgetUserInOutbox,
  type OutboxEvent,
  type OutboxMatchState,
  type OutboxRecord,
  outboxInsertSql,
  outboxRecordsInsertSql,
  toOutboxRecord,
} from './outbox.writer'
export {
  createOutboxRelay,
  type EventsListener,
  type OutboxRelay,
  outboxChannel,
  type RelayLog,
  type RelayOptions,
  relayDefaults,
} from './relay'
