import { type Static, type TSchema, Type } from 'typebox'
import { userRoles } from './enums'
import { Geometry } from './geojson'
import { LiteralUnion } from './literal-union'

/**
 * A member's own data (GDPR Art. 15 and 20): `GET /api/me/export` answers one JSON document with everything the
 * platform holds about the signed-in member, one section per kind of data, and `DELETE /api/me` erases it
 * (Art. 17). The document names other people only by id and display name, never by email.
 */

/** Raised when the document's shape changes in a way a reader of an older one would misread. */
export const personalDataFormatVersion = 1
/** Rows per section at most. A member with more (years of notifications) gets the newest, and the section is listed in `truncated`. */
export const personalDataSectionRowsMax = 50_000

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Decimal = Type.String({
  pattern: '^-?[0-9]+(\\.[0-9]+)?$',
  description: 'A decimal string, e.g. "1.50".',
})
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Row = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false })

export const DeleteAccountBody = Type.Object(
  {
    password: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The current password: erasing an account asks who you are once more.',
    }),
  },
  { additionalProperties: false },
)
export type DeleteAccountBody = Static<typeof DeleteAccountBody>

export const personalDataSections = [
  'profile',
  'sessions',
  'accounts',
  'transfers',
  'exchanges',
  'entities',
  'posts',
  'comments',
  'media',
  'groups',
  'joinRequests',
  'follows',
  'notifications',
  'reports',
  'pactHistory',
  'pactDocuments',
  'campaigns',
  'pledges',
  'currencies',
  'initiatives',
  'moderationActions',
  'emailLinks',
  'digests',
  'mailFailures',
  'pushDevices',
] as const
export type PersonalDataSection = (typeof personalDataSections)[number]

const Profile = Row({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: LiteralUnion(userRoles),
  locale: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
  emailVerifiedAt: Nullable(DateTime),
})

/** A link sent by email: a password reset or an address confirmation. The token itself is never exported. */
const EmailLink = Row({
  purpose: Type.String(),
  email: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  usedAt: Nullable(DateTime),
})

/** A login: when it started and how it ended. The token itself is stored only hashed and never exported. */
const Session = Row({
  createdAt: DateTime,
  expiresAt: DateTime,
  lastRotatedAt: Nullable(DateTime),
  revokedAt: Nullable(DateTime),
})

const Account = Row({
  id: Uuid,
  currency: Type.String(),
  balance: Decimal,
  debitsPending: Decimal,
  creditsPending: Decimal,
  lowerLimit: Nullable(Decimal),
  upperLimit: Nullable(Decimal),
  createdAt: DateTime,
})

/** Who is on the other side of a transfer: an account, and whose it is (a member's or group's name, or the platform's). */
const Counterparty = Row({
  accountId: Uuid,
  ownerType: LiteralUnion(['user', 'group', 'system'] as const),
  name: Type.String(),
})

const Transfer = Row({
  id: Uuid,
  accountId: Type.String({ format: 'uuid', description: 'Which of my accounts.' }),
  direction: LiteralUnion(['debit', 'credit'] as const),
  type: LiteralUnion(['posted', 'pending', 'post_pending', 'void_pending'] as const),
  amount: Decimal,
  currency: Type.String(),
  balanceAfter: Decimal,
  counterparty: Counterparty,
  memo: Type.String(),
  entityId: Nullable(Uuid),
  pendingId: Nullable(Uuid),
  reversalOf: Nullable(Uuid),
  expiresAt: Nullable(DateTime),
  createdByMe: Type.Boolean(),
  createdAt: DateTime,
})

const Exchange = Row({
  id: Uuid,
  entityId: Uuid,
  role: LiteralUnion(['provider', 'receiver'] as const),
  holdId: Uuid,
  state: LiteralUnion(['open', 'confirmed', 'cancelled'] as const),
  createdAt: DateTime,
})

const Entity = Row({
  id: Uuid,
  kind: Type.String(),
  title: Type.String(),
  description: Type.String(),
  geometry: Geometry,
  locationPrivate: Type.Boolean(),
  validFrom: Nullable(DateTime),
  validTo: Nullable(DateTime),
  parentId: Nullable(Uuid),
  categories: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  properties: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
  updatedAt: DateTime,
  deletedAt: Nullable(DateTime),
  hiddenAt: Nullable(DateTime),
})

const Post = Row({
  id: Uuid,
  entityId: Uuid,
  title: Type.String(),
  body: Type.String(),
  tags: Type.Array(Type.String()),
  mediaIds: Type.Array(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
  deletedAt: Nullable(DateTime),
  hiddenAt: Nullable(DateTime),
})

const Comment = Row({
  id: Uuid,
  postId: Uuid,
  body: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
  deletedAt: Nullable(DateTime),
  hiddenAt: Nullable(DateTime),
})

const MediaItem = Row({
  id: Uuid,
  entityId: Nullable(Uuid),
  contentType: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  bytes: Type.Integer(),
  url: Type.String({ description: 'The display size, while the image is neither deleted nor hidden.' }),
  thumbnailUrl: Type.String(),
  createdAt: DateTime,
  deletedAt: Nullable(DateTime),
  hiddenAt: Nullable(DateTime),
})

const GroupMembership = Row({
  groupId: Uuid,
  title: Type.String(),
  role: LiteralUnion(['owner', 'manager', 'member'] as const),
  since: DateTime,
})

const JoinRequest = Row({
  id: Uuid,
  groupId: Uuid,
  message: Type.String(),
  status: Type.String(),
  createdAt: DateTime,
  decidedAt: Nullable(DateTime),
})

const Follow = Row({ entityId: Uuid, title: Type.String(), since: DateTime })

const Notification = Row({
  id: Uuid,
  topic: Type.String(),
  entityId: Nullable(Uuid),
  payload: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
  readAt: Nullable(DateTime),
})

const Report = Row({
  id: Uuid,
  targetType: Type.String(),
  targetId: Uuid,
  reason: Type.String(),
  details: Type.String(),
  status: Type.String(),
  createdAt: DateTime,
  resolvedAt: Nullable(DateTime),
})

const PactHistoryEntry = Row({
  id: Uuid,
  pactId: Uuid,
  type: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Nullable(Type.String()),
  groupId: Nullable(Uuid),
  note: Type.String(),
  createdAt: DateTime,
})

const PactDocument = Row({
  id: Uuid,
  pactId: Uuid,
  title: Type.String(),
  url: Nullable(Type.String()),
  mediaId: Nullable(Uuid),
  createdAt: DateTime,
})

const Campaign = Row({
  id: Uuid,
  entityId: Uuid,
  title: Type.String(),
  description: Type.String(),
  ownedByMe: Type.Boolean({ description: 'False when I created it for a group.' }),
  acceptCurrency: Type.String(),
  giveCurrency: Type.String(),
  goal: Decimal,
  cap: Decimal,
  state: Type.String(),
  startsAt: DateTime,
  endsAt: DateTime,
  createdAt: DateTime,
})

const Pledge = Row({
  id: Uuid,
  campaignId: Uuid,
  campaignTitle: Type.String(),
  currency: Type.String(),
  requested: Decimal,
  amount: Decimal,
  state: LiteralUnion(['held', 'posted', 'voided'] as const),
  createdAt: DateTime,
})

const CurrencyIssued = Row({
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  createdAt: DateTime,
})
const InitiativeCreated = Row({ id: Uuid, slug: Type.String(), name: Type.String(), createdAt: DateTime })
const ModerationAction = Row({
  id: Uuid,
  action: Type.String(),
  targetType: Type.String(),
  targetId: Uuid,
  reason: Type.String(),
  createdAt: DateTime,
})

/** A digest period of mine and what became of it (issue #21). */
const DigestDelivery = Row({
  period: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  coveredFrom: Nullable(DateTime),
  coveredUntil: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  createdAt: DateTime,
})
/** A message to me that did not leave. */
const MailFailure = Row({ occurredAt: DateTime, permanent: Type.Boolean(), reason: Type.String() })
/** My email settings and standing; the unsubscribe token is a credential and is not exported. */
const EmailStanding = Row({
  digestFrequency: Type.String(),
  consecutivePermanentFailures: Type.Integer(),
  suppressedAt: Nullable(DateTime),
  lastDeliveredAt: Nullable(DateTime),
})
const PushDeviceRow = Row({
  id: Uuid,
  endpoint: Type.String(),
  label: Type.String(),
  createdAt: DateTime,
  lastSentAt: Nullable(DateTime),
})

export const PersonalDataExport = Type.Object(
  {
    formatVersion: Type.Literal(personalDataFormatVersion),
    generatedAt: DateTime,
    truncated: Type.Array(LiteralUnion(personalDataSections), {
      description: `Sections that held more than ${personalDataSectionRowsMax} rows; they carry the newest.`,
    }),
    profile: Profile,
    sessions: Type.Array(Session),
    accounts: Type.Array(Account),
    transfers: Type.Array(Transfer, { description: 'Every transfer on any of my accounts, oldest first.' }),
    exchanges: Type.Array(Exchange),
    entities: Type.Array(Entity, { description: 'What I put on the map, exact locations included.' }),
    posts: Type.Array(Post),
    comments: Type.Array(Comment),
    media: Type.Array(MediaItem),
    groups: Type.Array(GroupMembership),
    joinRequests: Type.Array(JoinRequest),
    follows: Type.Array(Follow),
    notifications: Type.Array(Notification),
    reports: Type.Array(Report, { description: 'Reports I made.' }),
    pactHistory: Type.Array(PactHistoryEntry, { description: 'Pact steps and activity reports I recorded.' }),
    pactDocuments: Type.Array(PactDocument, { description: 'Documents I added to pacts.' }),
    campaigns: Type.Array(Campaign, { description: 'Campaigns I own or created.' }),
    pledges: Type.Array(Pledge),
    currencies: Type.Array(CurrencyIssued, { description: 'Community currencies I created for a group.' }),
    initiatives: Type.Array(InitiativeCreated),
    moderationActions: Type.Array(ModerationAction, { description: 'As a moderator.' }),
    emailLinks: Type.Array(EmailLink, {
      description: 'Password-reset and address-confirmation links sent to me, and whether they were used.',
    }),
    email: EmailStanding,
    digests: Type.Array(DigestDelivery, { description: 'Email digests made for me, one per period.' }),
    mailFailures: Type.Array(MailFailure, { description: 'Messages to me that did not leave (the newest).' }),
    pushDevices: Type.Array(PushDeviceRow, { description: 'Browsers I turned push notifications on in.' }),
  },
  {
    additionalProperties: false,
    description:
      'Everything the platform holds about me (GDPR Art. 15 and 20), machine-readable. Other people appear by id and display name only.',
  },
)
export type PersonalDataExport = Static<typeof PersonalDataExport>
