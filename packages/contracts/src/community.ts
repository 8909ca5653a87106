import { type Static, Type } from 'typebox'
import {
  commentBodyLengthMax,
  communityPageSizeDefault,
  communityPageSizeMax,
  joinMessageLengthMax,
  mediaAltTextLengthMax,
  moderationReasonLengthMax,
  pactLinksMax,
  pactNoteLengthMax,
  postBodyLengthMax,
  postImagesMax,
  postTagsMax,
  postTitleLengthMax,
  reportDetailsLengthMax,
} from './community-limits'
import { groupRoles, pactStatuses, reportReasons, reportTargetTypes } from './enums'
import { Geometry } from './geojson'
import { LiteralUnion } from './literal-union'

/**
 * The community layer's contract: threads (posts and comments) on map things, groups and their members,
 * pacts of collaboration, initiatives, moderation, subscriptions and notifications, and images.
 */

export * from './community-limits'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const CommunityPageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: communityPageSizeMax, default: communityPageSizeDefault }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `nextCursor` of the last page.' })),
  },
  { additionalProperties: false },
)
export type CommunityPageQuery = Static<typeof CommunityPageQuery>

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const MemberParams = Type.Object({ id: Uuid, userId: Uuid }, { additionalProperties: false })
export const JoinRequestParams = Type.Object({ id: Uuid, requestId: Uuid }, { additionalProperties: false })

export const PersonRef = Type.Object({ id: Uuid, displayName: Type.String() })

// ---------------------------------------------------------------------------------------------- capabilities

/**
 * What the caller may do with a thing, a post, a comment or an image, computed by the domain from the same
 * functions that enforce each rule: the client offers what the API would accept, and nothing else. Served on
 * direct reads to a signed-in caller; never in feed events (one event serves many people).
 */
const Capability = (description: string) => Type.Boolean({ description })
export const EntityCapabilities = Type.Object(
  {
    edit: Capability('Change it, move it or redraw it.'),
    delete: Capability('Remove it from the map.'),
    report: Capability('Report it to the moderators.'),
    addPhoto: Capability('Add photos to it.'),
  },
  { additionalProperties: false },
)
export type EntityCapabilities = Static<typeof EntityCapabilities>
export const ThreadItemCapabilities = Type.Object(
  {
    edit: Capability('Change its text.'),
    delete: Capability('Remove it.'),
    report: Capability('Report it to the moderators.'),
  },
  { additionalProperties: false },
)
export type ThreadItemCapabilities = Static<typeof ThreadItemCapabilities>
export const MediaCapabilities = Type.Object(
  {
    edit: Capability('Change its description (alt text).'),
    delete: Capability('Delete it.'),
    report: Capability('Report it to the moderators.'),
  },
  { additionalProperties: false },
)
export type MediaCapabilities = Static<typeof MediaCapabilities>

const HiddenReason = Type.Optional(
  Type.String({
    description: 'Why a moderator hid it: served with `hidden` to its author and to moderators, no one else.',
  }),
)

// ---------------------------------------------------------------------------------------------- images

export const Media = Type.Object(
  {
    id: Uuid,
    ownerId: Uuid,
    entityId: Nullable(Uuid),
    contentType: Type.String({ description: 'Of the stored variants (display size and thumbnail).' }),
    width: Type.Integer(),
    height: Type.Integer(),
    bytes: Type.Integer(),
    url: Type.String({ description: 'The display size.' }),
    thumbnailUrl: Type.String(),
    thumbnailWidth: Type.Integer(),
    thumbnailHeight: Type.Integer(),
    altText: Type.String({ description: "What the image shows, in its uploader's words; may be empty." }),
    hidden: Type.Optional(Type.Boolean()),
    hiddenReason: HiddenReason,
    can: Type.Optional(MediaCapabilities),
    createdAt: DateTime,
  },
  { additionalProperties: false },
)
export type Media = Static<typeof Media>
export const MediaPatchBody = Type.Object(
  { altText: Type.String({ maxLength: mediaAltTextLengthMax }) },
  { additionalProperties: false },
)
export type MediaPatchBody = Static<typeof MediaPatchBody>
export const MediaList = Type.Object({ items: Type.Array(Media), nextCursor: Nullable(Type.String()) })
export const MediaUploadQuery = Type.Object(
  {
    entityId: Type.Optional(Type.String({ format: 'uuid', description: 'Illustrate this entity.' })),
    altText: Type.Optional(
      Type.String({ maxLength: mediaAltTextLengthMax, description: 'What the image shows, in words.' }),
    ),
  },
  { additionalProperties: false },
)
export type MediaList = Static<typeof MediaList>

// ---------------------------------------------------------------------------------------------- threads

const PostTag = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^,]+$' })

export const PostCreateBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: postTitleLengthMax })),
    body: Type.String({ minLength: 1, maxLength: postBodyLengthMax }),
    tags: Type.Optional(Type.Array(PostTag, { maxItems: postTagsMax, uniqueItems: true })),
    images: Type.Optional(
      Type.Array(Uuid, {
        maxItems: postImagesMax,
        uniqueItems: true,
        description: 'Ids from POST /api/media.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type PostCreateBody = Static<typeof PostCreateBody>

export const PostPatchBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: postTitleLengthMax })),
    body: Type.Optional(Type.String({ minLength: 1, maxLength: postBodyLengthMax })),
    tags: Type.Optional(Type.Array(PostTag, { maxItems: postTagsMax, uniqueItems: true })),
    images: Type.Optional(Type.Array(Uuid, { maxItems: postImagesMax, uniqueItems: true })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PostPatchBody = Static<typeof PostPatchBody>

export const PostImage = Type.Object({
  id: Uuid,
  url: Type.String(),
  thumbnailUrl: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  altText: Type.String(),
})
export type PostImage = Static<typeof PostImage>

export const Post = Type.Object(
  {
    id: Uuid,
    entityId: Uuid,
    author: Nullable(PersonRef),
    title: Type.String(),
    body: Type.String(),
    tags: Type.Array(Type.String()),
    images: Type.Array(PostImage),
    commentsCount: Type.Integer({ minimum: 0 }),
    version: Type.Integer({ minimum: 1 }),
    removed: Type.Boolean({ description: 'Deleted by its author: kept as a placeholder in the thread.' }),
    hidden: Type.Boolean({ description: 'Hidden by a moderator: only its author and moderators see it.' }),
    hiddenReason: HiddenReason,
    can: Type.Optional(ThreadItemCapabilities),
    createdAt: DateTime,
    updatedAt: DateTime,
    lastActivityAt: DateTime,
  },
  { additionalProperties: false },
)
export type Post = Static<typeof Post>
export const PostList = Type.Object({ items: Type.Array(Post), nextCursor: Nullable(Type.String()) })

export const CommentCreateBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: commentBodyLengthMax }) },
  { additionalProperties: false },
)
export type PostList = Static<typeof PostList>
export type CommentCreateBody = Static<typeof CommentCreateBody>

export const Comment = Type.Object(
  {
    id: Uuid,
    postId: Uuid,
    author: Nullable(PersonRef),
    body: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    removed: Type.Boolean(),
    hidden: Type.Boolean(),
    hiddenReason: HiddenReason,
    can: Type.Optional(ThreadItemCapabilities),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { additionalProperties: false },
)
export type Comment = Static<typeof Comment>
export const CommentList = Type.Object({ items: Type.Array(Comment), nextCursor: Nullable(Type.String()) })

// ---------------------------------------------------------------------------------------------- groups

export const GroupMember = Type.Object(
  {
    user: PersonRef,
    role: LiteralUnion(groupRoles),
    since: DateTime,
  },
  { additionalProperties: false },
)
export type CommentList = Static<typeof CommentList>
export type GroupMember = Static<typeof GroupMember>
export const GroupMemberList = Type.Object({
  items: Type.Array(GroupMember),
  nextCursor: Nullable(Type.String()),
})
export type GroupMemberList = Static<typeof GroupMemberList>

export const JoinBody = Type.Object(
  { message: Type.Optional(Type.String({ maxLength: joinMessageLengthMax })) },
  { additionalProperties: false },
)
export type JoinBody = Static<typeof JoinBody>

export const JoinRequest = Type.Object(
  {
    id: Uuid,
    groupId: Uuid,
    user: PersonRef,
    message: Type.String(),
    status: LiteralUnion(['pending', 'approved', 'rejected', 'withdrawn'] as const),
    createdAt: DateTime,
    decidedAt: Nullable(DateTime),
  },
  { additionalProperties: false },
)
export type JoinRequest = Static<typeof JoinRequest>
export const JoinRequestList = Type.Object({
  items: Type.Array(JoinRequest),
  nextCursor: Nullable(Type.String()),
})
export type JoinRequestList = Static<typeof JoinRequestList>

export const JoinOutcome = Type.Object(
  {
    status: LiteralUnion(['member', 'requested'] as const, {
      description: 'member: joined an open group; requested: a manager of the closed group decides.',
    }),
    member: Type.Optional(GroupMember),
    request: Type.Optional(JoinRequest),
  },
  { additionalProperties: false },
)
export type JoinOutcome = Static<typeof JoinOutcome>

export const MemberRoleBody = Type.Object({ role: LiteralUnion(groupRoles) }, { additionalProperties: false })
export type MemberRoleBody = Static<typeof MemberRoleBody>

export const GroupAbilities = Type.Object(
  {
    manage: Type.Boolean({
      description: "See and decide requests to join, and the group's management screen (owners, managers).",
    }),
    changeRoles: Type.Boolean({ description: "Change members' roles, hand the group over (owners)." }),
    removeRoles: Type.Array(LiteralUnion(groupRoles), {
      description: 'The roles of the members you may remove (owners anyone, managers plain members).',
    }),
    accounts: Type.Boolean({ description: "Keep the group's accounts: read them and their statements." }),
  },
  {
    additionalProperties: false,
    description: 'What the caller may do in this group, decided by the rules the API enforces.',
  },
)
export type GroupAbilities = Static<typeof GroupAbilities>

export const Membership = Type.Object(
  {
    groupId: Uuid,
    membership: LiteralUnion(['open', 'closed'] as const, {
      description: 'open: joining is immediate; closed: a manager decides each request.',
    }),
    membersCount: Type.Integer({ minimum: 0, description: 'Members on the platform, every role.' }),
    role: Nullable(LiteralUnion(groupRoles, { description: 'Your role; null when you are not a member.' })),
    request: Nullable(JoinRequest),
    can: GroupAbilities,
  },
  { additionalProperties: false, description: 'A group as the caller stands in it.' },
)
export type Membership = Static<typeof Membership>

export const MyGroup = Type.Object(
  {
    groupId: Uuid,
    title: Type.String(),
    role: LiteralUnion(groupRoles),
    since: DateTime,
    speaksFor: Type.Boolean({
      description:
        'Whether I may act on the group’s behalf (propose a pact for it, use its accounts): its owners and managers.',
    }),
  },
  { additionalProperties: false },
)
export type MyGroup = Static<typeof MyGroup>
export const MyGroupList = Type.Object({ items: Type.Array(MyGroup), nextCursor: Nullable(Type.String()) })
export type MyGroupList = Static<typeof MyGroupList>

// ---------------------------------------------------------------------------------------------- pacts

export const PactCreateBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    geometry: Geometry,
    proposerGroupId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Propose on behalf of a group you manage.' }),
    ),
    spaces: Type.Optional(Type.Array(Uuid, { maxItems: pactLinksMax, uniqueItems: true })),
    signatoryGroups: Type.Optional(Type.Array(Uuid, { maxItems: pactLinksMax, uniqueItems: true })),
    durationMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    programme: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type PactCreateBody = Static<typeof PactCreateBody>

export const PactPatchBody = Type.Object(
  {
    spaces: Type.Optional(Type.Array(Uuid, { maxItems: pactLinksMax, uniqueItems: true })),
    signatoryGroups: Type.Optional(Type.Array(Uuid, { maxItems: pactLinksMax, uniqueItems: true })),
    durationMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 120 }))),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PactPatchBody = Static<typeof PactPatchBody>

export const PactTransitionBody = Type.Object(
  {
    to: LiteralUnion(pactStatuses),
    note: Type.Optional(Type.String({ maxLength: pactNoteLengthMax })),
  },
  { additionalProperties: false },
)
export type PactTransitionBody = Static<typeof PactTransitionBody>

export const PactReportBody = Type.Object(
  {
    groupId: Type.String({ format: 'uuid', description: 'The signatory group reporting.' }),
    note: Type.String({ minLength: 1, maxLength: pactNoteLengthMax }),
  },
  { additionalProperties: false },
)
export type PactReportBody = Static<typeof PactReportBody>

export const PactDocumentBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })),
    mediaId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type PactDocumentBody = Static<typeof PactDocumentBody>

export const PactHistoryItem = Type.Object(
  {
    id: Uuid,
    type: LiteralUnion(['transition', 'report'] as const),
    from: Nullable(Type.String()),
    to: Nullable(Type.String()),
    actor: PersonRef,
    groupId: Nullable(Uuid),
    note: Type.String(),
    at: DateTime,
  },
  { additionalProperties: false },
)
export type PactHistoryItem = Static<typeof PactHistoryItem>

export const PactDocument = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    url: Nullable(Type.String()),
    mediaId: Nullable(Uuid),
    addedBy: Uuid,
    createdAt: DateTime,
  },
  { additionalProperties: false },
)
export type PactDocument = Static<typeof PactDocument>

/** What the caller may do to the pact now, from the same rules the API applies when they try. */
export const PactAbilities = Type.Object(
  {
    editLinks: Type.Boolean({ description: 'Change its spaces, signatory groups and duration (PATCH).' }),
    addDocuments: Type.Boolean({ description: 'Attach a document (POST /documents).' }),
    reportFor: Type.Array(Uuid, {
      description: 'The signatory groups the caller may file an activity report for now (POST /reports).',
    }),
  },
  { additionalProperties: false },
)
export type PactAbilities = Static<typeof PactAbilities>

export const Pact = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    status: LiteralUnion(pactStatuses),
    version: Type.Integer({
      minimum: 1,
      description: 'The version of the pact (its thing’s): send it as If-Match when changing its links.',
    }),
    proposer: PersonRef,
    proposerGroupId: Nullable(Uuid),
    spaces: Type.Array(Uuid),
    signatoryGroups: Type.Array(Uuid),
    durationMonths: Nullable(Type.Integer()),
    signedAt: Nullable(DateTime),
    documents: Type.Array(PactDocument),
    history: Type.Array(PactHistoryItem),
    nextSteps: Type.Array(LiteralUnion(pactStatuses), {
      description:
        'The statuses the caller may move the pact to now, from the same table of roles that POST /transitions enforces.',
    }),
    can: PactAbilities,
  },
  { additionalProperties: false },
)
export type Pact = Static<typeof Pact>

export const PactListQuery = Type.Object(
  {
    ...CommunityPageQuery.properties,
    status: Type.Optional(LiteralUnion(pactStatuses, { description: 'Only the pacts at this step.' })),
  },
  { additionalProperties: false },
)
export type PactListQuery = Static<typeof PactListQuery>

export const PactSummary = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    description: Type.String(),
    status: LiteralUnion(pactStatuses),
    proposer: PersonRef,
  },
  { additionalProperties: false },
)
export type PactSummary = Static<typeof PactSummary>
export const PactList = Type.Object({ items: Type.Array(PactSummary), nextCursor: Nullable(Type.String()) })
export type PactList = Static<typeof PactList>

// ---------------------------------------------------------------------------------------------- initiatives

export const InitiativeCreateBody = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'e.g. co-city-2017' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
)
export type InitiativeCreateBody = Static<typeof InitiativeCreateBody>

export const Initiative = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    entitiesCount: Type.Integer({ minimum: 0 }),
    createdAt: DateTime,
    canCurate: Type.Boolean({
      description: 'Whether the caller may put things in it and take them out (PUT/DELETE …/entities/{id}).',
    }),
  },
  { additionalProperties: false },
)
export type Initiative = Static<typeof Initiative>
export const InitiativeList = Type.Object({
  items: Type.Array(Initiative),
  nextCursor: Nullable(Type.String()),
})
export type InitiativeList = Static<typeof InitiativeList>
export const InitiativeRefParams = Type.Object(
  { ref: Type.String({ minLength: 1, maxLength: 63, description: 'The id or the slug.' }) },
  { additionalProperties: false },
)
export const InitiativeEntityParams = Type.Object(
  { ref: Type.String({ minLength: 1, maxLength: 63 }), entityId: Uuid },
  { additionalProperties: false },
)

// ---------------------------------------------------------------------------------------------- moderation

export const ReportCreateBody = Type.Object(
  {
    targetType: LiteralUnion(reportTargetTypes),
    targetId: Uuid,
    reason: LiteralUnion(reportReasons),
    details: Type.Optional(Type.String({ maxLength: reportDetailsLengthMax })),
  },
  { additionalProperties: false },
)
export type ReportCreateBody = Static<typeof ReportCreateBody>

export const Report = Type.Object(
  {
    id: Uuid,
    targetType: LiteralUnion(reportTargetTypes),
    targetId: Uuid,
    reason: LiteralUnion(reportReasons),
    details: Type.String(),
    status: LiteralUnion(['open', 'actioned', 'dismissed'] as const),
    reporterId: Uuid,
    reporter: Type.Optional(
      Type.Object(
        { id: Uuid, displayName: Type.String() },
        { description: "Who reported: in the moderators' queue only." },
      ),
    ),
    createdAt: DateTime,
  },
  { additionalProperties: false },
)
export type Report = Static<typeof Report>

export const QueueItem = Type.Object(
  {
    targetType: LiteralUnion(reportTargetTypes),
    targetId: Uuid,
    hidden: Type.Boolean(),
    excerpt: Type.String({ description: 'The title or the start of the text reported.' }),
    entityId: Type.Union([Uuid, Type.Null()], {
      description: 'The thing on the map it is (an entity) or is on (a post, a comment); null when deleted.',
    }),
    authorId: Nullable(Uuid),
    reportsCount: Type.Integer({ minimum: 1 }),
    reasons: Type.Array(LiteralUnion(reportReasons)),
    firstReportedAt: DateTime,
    reports: Type.Array(Report),
  },
  { additionalProperties: false },
)
export type QueueItem = Static<typeof QueueItem>
export const ModerationQueue = Type.Object({
  items: Type.Array(QueueItem),
  nextCursor: Nullable(Type.String()),
})

export const ModerationActionBody = Type.Object(
  {
    targetType: LiteralUnion(['entity', 'post', 'comment', 'media'] as const),
    targetId: Uuid,
    reason: Type.String({ minLength: 1, maxLength: moderationReasonLengthMax }),
  },
  { additionalProperties: false },
)
export type ModerationQueue = Static<typeof ModerationQueue>
export type ModerationActionBody = Static<typeof ModerationActionBody>
export const DismissBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: moderationReasonLengthMax }) },
  { additionalProperties: false },
)

export const ModerationAction = Type.Object(
  {
    id: Uuid,
    moderator: PersonRef,
    action: LiteralUnion(['hide', 'restore', 'dismiss'] as const),
    targetType: LiteralUnion(['entity', 'post', 'comment', 'media'] as const),
    targetId: Uuid,
    reportId: Nullable(Uuid),
    reason: Type.String(),
    createdAt: DateTime,
  },
  { additionalProperties: false },
)
export type ModerationAction = Static<typeof ModerationAction>
export const ModerationActionList = Type.Object({
  items: Type.Array(ModerationAction),
  nextCursor: Nullable(Type.String()),
})
export type ModerationActionList = Static<typeof ModerationActionList>

export const ModerationActionsQuery = Type.Object(
  {
    ...CommunityPageQuery.properties,
    moderatorId: Type.Optional(
      Type.String({ format: 'uuid', description: "Only this moderator's actions." }),
    ),
    action: Type.Optional(LiteralUnion(['hide', 'restore', 'dismiss'] as const)),
    targetType: Type.Optional(LiteralUnion(['entity', 'post', 'comment', 'media'] as const)),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Taken at or after this instant.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Taken before this instant.' })),
  },
  { additionalProperties: false },
)
export type ModerationActionsQuery = Static<typeof ModerationActionsQuery>

// ---------------------------------------------------------------------------------------------- notifications

export const Notification = Type.Object(
  {
    id: Uuid,
    topic: Type.String({ description: 'e.g. post.created, group.join_requested, transfer.received' }),
    entityId: Nullable(Uuid),
    payload: Type.Record(Type.String(), Type.Unknown()),
    createdAt: DateTime,
    readAt: Nullable(DateTime),
  },
  { additionalProperties: false },
)
export type Notification = Static<typeof Notification>
export const NotificationList = Type.Object({
  items: Type.Array(Notification),
  unreadCount: Type.Integer({ minimum: 0 }),
  nextCursor: Nullable(Type.String()),
})
export type NotificationList = Static<typeof NotificationList>
export const NotificationsQuery = Type.Object(
  {
    ...CommunityPageQuery.properties,
    unread: Type.Optional(Type.Boolean({ description: 'Only unread ones.' })),
  },
  { additionalProperties: false },
)
export const MarkedRead = Type.Object({ marked: Type.Integer({ minimum: 0 }) })

export const Following = Type.Object(
  { entityId: Uuid, following: Type.Boolean() },
  { additionalProperties: false },
)
export type Following = Static<typeof Following>

export const Subscription = Type.Object(
  { entityId: Uuid, kind: Type.String(), title: Type.String(), since: DateTime },
  { additionalProperties: false },
)
export type MarkedRead = Static<typeof MarkedRead>
export type Subscription = Static<typeof Subscription>
export const SubscriptionList = Type.Object({
  items: Type.Array(Subscription),
  nextCursor: Nullable(Type.String()),
})
export type SubscriptionList = Static<typeof SubscriptionList>
