import { type Static, Type } from 'typebox'
import { entityKinds, groupMembershipPolicies, projectStatuses, projectTypes, skillCategories } from './enums'
import { LiteralUnion } from './literal-union'

/**
 * Kind-specific properties of map entities. Each kind has a closed schema (no extra properties), so what a
 * client may store under `properties` is explicit and the same for the API, the database seed and the web client.
 */

export const EntityKind = LiteralUnion(entityKinds, { description: 'What the thing on the map is.' })
export type EntityKind = (typeof entityKinds)[number]

const shortText = (description: string, maxLength = 200) =>
  Type.String({ minLength: 1, maxLength, description })
const url = Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' })
const isoDateTime = Type.String({
  format: 'date-time',
  description: 'RFC 3339 date-time, e.g. 2019-06-19T15:00:00+02:00',
})
/** An exact decimal amount on the wire: digits with an optional fraction, never a float. */
export const DecimalString = (scale: number, description: string) =>
  Type.String({
    pattern: scale === 0 ? '^[0-9]{1,15}$' : `^[0-9]{1,15}(\\.[0-9]{1,${scale}})?$`,
    description,
  })

export const SpaceProperties = Type.Object(
  {
    address: Type.Optional(shortText('Street address.')),
    openingHours: Type.Optional(shortText('Opening hours, free text or OSM opening_hours syntax.', 500)),
    capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    accessible: Type.Optional(Type.Boolean({ description: 'Step-free access.' })),
    website: Type.Optional(url),
    network: Type.Optional(
      shortText('The network the space belongs to, e.g. "Rete delle Case del Quartiere".'),
    ),
  },
  { additionalProperties: false },
)

export const GroupProperties = Type.Object(
  {
    membership: Type.Optional(
      LiteralUnion(groupMembershipPolicies, {
        description: 'open: anyone joins; closed: a manager approves requests.',
      }),
    ),
    legalForm: Type.Optional(shortText('Association, foundation, informal group, public body…')),
    website: Type.Optional(url),
    membersCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
)

export const EventProperties = Type.Object(
  {
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    address: Type.Optional(shortText('Where it takes place, as people say it.')),
    organizer: Type.Optional(shortText('Who organises it.')),
    registrationUrl: Type.Optional(url),
    free: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const ProjectProperties = Type.Object(
  {
    status: LiteralUnion(projectStatuses),
    projectType: Type.Optional(LiteralUnion(projectTypes)),
    programme: Type.Optional(shortText('The programme funding it, e.g. "Co-City", "AxTO".')),
    budget: Type.Optional(DecimalString(2, 'Budget in euros as a decimal string, e.g. "5100000.00".')),
    partnerGroups: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100, description: 'Ids of partner groups.' }),
    ),
    organisationsCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    projectsCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    website: Type.Optional(url),
  },
  { additionalProperties: false },
)

export const NewsProperties = Type.Object(
  {
    source: Type.Optional(shortText('Who published it.')),
    url: Type.Optional(url),
    publishedAt: Type.Optional(isoDateTime),
  },
  { additionalProperties: false },
)

export const StoryProperties = Type.Object(
  {
    narrator: Type.Optional(shortText('Whose memory or story it is.')),
    period: Type.Optional(shortText('When it happened, as people say it ("the 1970s").')),
  },
  { additionalProperties: false },
)

export const ExchangeProperties = Type.Object(
  {
    hours: DecimalString(2, 'Hours of work (time credits), e.g. "1.50".'),
    skillCategory: LiteralUnion(skillCategories),
    availability: Type.Optional(shortText('When the person is available.', 500)),
  },
  { additionalProperties: false },
)

export const propertiesSchemaByKind = {
  space: SpaceProperties,
  group: GroupProperties,
  event: EventProperties,
  project: ProjectProperties,
  news: NewsProperties,
  story: StoryProperties,
  offer: ExchangeProperties,
  request: ExchangeProperties,
} as const satisfies Record<EntityKind, unknown>

export type SpaceProperties = Static<typeof SpaceProperties>
export type GroupProperties = Static<typeof GroupProperties>
export type EventProperties = Static<typeof EventProperties>
export type ProjectProperties = Static<typeof ProjectProperties>
export type NewsProperties = Static<typeof NewsProperties>
export type StoryProperties = Static<typeof StoryProperties>
export type ExchangeProperties = Static<typeof ExchangeProperties>
