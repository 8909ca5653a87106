import { type Static, Type } from 'typebox'
import { EntityKind } from './entity-properties'
import { LiteralUnion } from './literal-union'

/**
 * The realtime feed: one websocket at `/ws`, JSON text messages both ways, one JSON object per frame.
 *
 * Every event the server sends carries its outbox `seq`, a number that only grows (with holes: events the
 * client may not see, or that match none of its subscriptions, are not sent). A client remembers the last `seq`
 * it received and sends it back as `resumeFrom` after a reconnect; the server replays what it missed, in order,
 * then goes live, with no gap and no duplicate.
 *
 * Two ways an event reaches a connection:
 * - spatial events (they have a bbox: `entity.*`, `post.*`, `comment.*`) go to the subscriptions whose viewport
 *   they fall in; `subscriptions` lists the ids of those that matched;
 * - personal events (they have an audience: `transfer.*`, `exchange.*`, `notification.created`) go to every
 *   connection authenticated as one of the users in the audience, whatever its subscriptions; `subscriptions`
 *   is then empty.
 */

/** Limits a server announces in `welcome`; the defaults are the values in packages/realtime. */
export const realtimeSubscriptionIdLengthMax = 64
export const realtimeTokenLengthMax = 4096
/** A hello may carry at most this many subscriptions (the server's own per-connection limit may be lower). */
export const realtimeHelloSubscriptionsMax = 100

/** Close codes the server uses (RFC 6455 section 7.4.1, plus what they mean here). */
export const realtimeCloseCodes = {
  /** The server is shutting down or restarting: reconnect (to another instance) and resume. */
  goingAway: 1001,
  /** Not JSON, or too many messages per second, or too many sockets for this user. */
  policyViolation: 1008,
  /** A frame larger than the server's message size limit. */
  messageTooBig: 1009,
  /** The server restarts: reconnect after a short delay and resume. */
  serviceRestart: 1012,
  /** The client did not read fast enough and its send buffer grew past the limit: reconnect and resume. */
  tryAgainLater: 1013,
  /** No message and no pong within the idle timeout. */
  idleTimeout: 4000,
  /** The access token given in hello was refused (expired or invalid): refresh it and reconnect. */
  unauthorized: 4001,
} as const

const Seq = Type.Integer({ minimum: 0, description: 'An outbox sequence number.' })
const SubscriptionId = Type.String({
  minLength: 1,
  maxLength: realtimeSubscriptionIdLengthMax,
  description: 'Chosen by the client; unique on its connection. Subscribing again with an id replaces it.',
})
const TimeText = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'RFC 3339 date-time or YYYY-MM-DD, as in the map query.',
})

/** [minLon, minLat, maxLon, maxLat], WGS84. */
export const RealtimeBbox = Type.Tuple([
  Type.Number({ minimum: -180, maximum: 180 }),
  Type.Number({ minimum: -90, maximum: 90 }),
  Type.Number({ minimum: -180, maximum: 180 }),
  Type.Number({ minimum: -90, maximum: 90 }),
])

/** What a subscription asks for: a viewport, optionally only some kinds and a time window (as the map query). */
export const RealtimeSubscription = Type.Object(
  {
    id: SubscriptionId,
    bbox: RealtimeBbox,
    kinds: Type.Optional(Type.Array(EntityKind, { minItems: 1, maxItems: 8, uniqueItems: true })),
    from: Type.Optional(TimeText),
    to: Type.Optional(TimeText),
  },
  { additionalProperties: false },
)
export type RealtimeSubscription = Static<typeof RealtimeSubscription>

// ---------------------------------------------------------------- client → server

/**
 * The first message on a connection. `token` is an access token (as in `Authorization: Bearer`); without it the
 * connection sees public events only. `resumeFrom` is the last `seq` the client received on an earlier
 * connection. To resume atomically, give the subscriptions here: the replay then matches them; subscriptions
 * sent after hello take effect from the point the stream has reached.
 */
export const RealtimeHello = Type.Object(
  {
    type: Type.Literal('hello'),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: realtimeTokenLengthMax })),
    resumeFrom: Type.Optional(Seq),
    subscriptions: Type.Optional(
      Type.Array(RealtimeSubscription, { maxItems: realtimeHelloSubscriptionsMax }),
    ),
  },
  { additionalProperties: false },
)
export type RealtimeHello = Static<typeof RealtimeHello>

export const RealtimeSubscribe = Type.Object(
  {
    type: Type.Literal('subscribe'),
    id: SubscriptionId,
    bbox: RealtimeBbox,
    kinds: Type.Optional(Type.Array(EntityKind, { minItems: 1, maxItems: 8, uniqueItems: true })),
    from: Type.Optional(TimeText),
    to: Type.Optional(TimeText),
  },
  { additionalProperties: false },
)
export type RealtimeSubscribe = Static<typeof RealtimeSubscribe>

export const RealtimeUnsubscribe = Type.Object(
  { type: Type.Literal('unsubscribe'), id: SubscriptionId },
  { additionalProperties: false },
)
export type RealtimeUnsubscribe = Static<typeof RealtimeUnsubscribe>

export const RealtimePing = Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false })
export type RealtimePing = Static<typeof RealtimePing>

export const RealtimeClientMessage = Type.Union([
  RealtimeHello,
  RealtimeSubscribe,
  RealtimeUnsubscribe,
  RealtimePing,
])
export type RealtimeClientMessage = Static<typeof RealtimeClientMessage>

// ---------------------------------------------------------------- server → client

export const RealtimeLimits = Type.Object({
  subscriptionsMax: Type.Integer(),
  bboxAreaDeg2Max: Type.Number(),
  messageBytesMax: Type.Integer(),
  messagesPerSecondMax: Type.Integer(),
  heartbeatMs: Type.Integer(),
  idleTimeoutMs: Type.Integer(),
})
export type RealtimeLimits = Static<typeof RealtimeLimits>

/**
 * The answer to hello. Events with a `seq` greater than this one follow: when resuming it is `resumeFrom`
 * (and the replay comes next, closed by `live`), otherwise the current head of the outbox.
 */
export const RealtimeWelcome = Type.Object({
  type: Type.Literal('welcome'),
  seq: Seq,
  userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  limits: RealtimeLimits,
})
export type RealtimeWelcome = Static<typeof RealtimeWelcome>

/** Sent once the replay asked for by `resumeFrom` is done: from here on events are live. */
export const RealtimeLive = Type.Object({ type: Type.Literal('live'), seq: Seq })
export type RealtimeLive = Static<typeof RealtimeLive>

/**
 * Events: `entity.created` and `entity.updated` carry the entity's GeoJSON Feature (as the map query serves it);
 * `entity.deleted` carries `{ id }` (and a `reason`: `hidden` by moderation; `gone` for a change read after the thing
 * had left the public map, sent where the thing was so that clients drop it). An entity that moved out of a viewport (or whose time window left the
 * subscription's) is still sent to that subscription, so the client can drop it: clients should re-check the
 * Feature against their viewport. `transfer.*` carry the transfer and `exchange.*` the exchange as the ledger
 * API returns them; `post.*`, `comment.*` and `notification.created` what the community API returns.
 */
export const RealtimeEvent = Type.Object({
  type: Type.Literal('event'),
  seq: Seq,
  topic: Type.String({ description: 'e.g. entity.created, transfer.posted, notification.created' }),
  subscriptions: Type.Array(SubscriptionId, {
    description: 'The ids of the subscriptions it matched; empty for personal (audience) events.',
  }),
  data: Type.Unknown(),
})
export type RealtimeEvent = Static<typeof RealtimeEvent>

export const realtimeErrorCodes = [
  'invalid_message',
  'hello_required',
  'hello_repeated',
  'unauthorized',
  'too_many_subscriptions',
  'bbox_too_large',
  'invalid_bbox',
  'invalid_time_window',
  'unknown_subscription',
  'internal_error',
] as const
export const RealtimeErrorCode = LiteralUnion(realtimeErrorCodes)
export type RealtimeErrorCode = (typeof realtimeErrorCodes)[number]

/** A refused message; the connection stays open (unless a close frame follows). `id`: the subscription concerned. */
export const RealtimeError = Type.Object({
  type: Type.Literal('error'),
  code: RealtimeErrorCode,
  message: Type.String(),
  id: Type.Optional(SubscriptionId),
})
export type RealtimeError = Static<typeof RealtimeError>

/**
 * `resumeFrom` is older than what the outbox keeps (retention): the client must reload what it shows (the map
 * query, its balances). The connection carries on live from `seq`.
 */
export const RealtimeReset = Type.Object({ type: Type.Literal('reset'), seq: Seq })
export type RealtimeReset = Static<typeof RealtimeReset>

export const RealtimeSubscribed = Type.Object({ type: Type.Literal('subscribed'), id: SubscriptionId })
export type RealtimeSubscribed = Static<typeof RealtimeSubscribed>

export const RealtimeUnsubscribed = Type.Object({ type: Type.Literal('unsubscribed'), id: SubscriptionId })
export type RealtimeUnsubscribed = Static<typeof RealtimeUnsubscribed>

export const RealtimePong = Type.Object({ type: Type.Literal('pong') })
export type RealtimePong = Static<typeof RealtimePong>

export const RealtimeServerMessage = Type.Union([
  RealtimeWelcome,
  RealtimeLive,
  RealtimeEvent,
  RealtimeError,
  RealtimeReset,
  RealtimeSubscribed,
  RealtimeUnsubscribed,
  RealtimePong,
])
export type RealtimeServerMessage = Static<typeof RealtimeServerMessage>
