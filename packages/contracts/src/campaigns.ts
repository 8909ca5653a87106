import { type Static, Type } from 'typebox'
import { EntityCreateBody } from './entities'
import { campaignStates } from './enums'
import { LiteralUnion } from './literal-union'

/** Campaigns and pledges listed per page at most. */
export const campaignPageSizeMax = 200
export const campaignPageSizeDefault = 50
/** A campaign runs a year at most. */
export const campaignDurationDaysMax = 366
/** Pledges one campaign takes at most: its settlement posts or voids all of them in one database transaction. */
export const campaignPledgesMax = 5000

const Uuid = Type.String({ format: 'uuid' })
const amountWith = (description: string) =>
  Type.String({ pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$', maxLength: 40, description })
const Amount = amountWith('A positive decimal string in the currency\'s scale, e.g. "2.00".')
const CurrencyCode = Type.String({ pattern: '^[A-Z][A-Z0-9]{1,11}$' })
const DateTime = Type.String({ format: 'date-time' })

export const CampaignCreateBody = Type.Object(
  {
    id: Type.Optional(
      Type.String({ format: 'uuid', description: 'Your key: retrying with it creates nothing twice.' }),
    ),
    entityId: Type.Optional(
      Type.String({ format: 'uuid', description: 'An existing place (space) or project you may edit.' }),
    ),
    entity: Type.Optional(EntityCreateBody),
    groupId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Open it for a group you manage; default: for yourself.' }),
    ),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    acceptCurrency: CurrencyCode,
    giveCurrency: CurrencyCode,
    ratio: Type.Object(
      { accept: Amount, give: Amount },
      {
        additionalProperties: false,
        description: 'accept:give, e.g. { accept: "5.00", give: "1" }: every 5.00 pledged gives back 1.',
      },
    ),
    cap: amountWith('The most it collects, in the accepted currency.'),
    goal: Type.Optional(amountWith('The least it must collect by its end to succeed; default: the cap.')),
    startsAt: Type.Optional(DateTime),
    endsAt: DateTime,
  },
  { additionalProperties: false },
)
export type CampaignCreateBody = Static<typeof CampaignCreateBody>

export const CampaignOwner = Type.Object(
  {
    type: LiteralUnion(['user', 'group'] as const),
    userId: Type.Optional(Uuid),
    groupId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)

export const Campaign = Type.Object(
  {
    id: Uuid,
    entityId: Uuid,
    owner: CampaignOwner,
    title: Type.String(),
    description: Type.String(),
    acceptCurrency: Type.String(),
    giveCurrency: Type.String(),
    ratio: Type.Object({ accept: Type.String(), give: Type.String() }, { additionalProperties: false }),
    cap: Type.String(),
    goal: Type.String(),
    raised: Type.String({ description: 'Pledged and not withdrawn (held, or posted once funded).' }),
    backers: Type.Integer({ description: 'Distinct backers with a live pledge.' }),
    deposit: Type.String({
      description: 'What the owner deposits of the given currency: cap ÷ accept × give.',
    }),
    deposited: Type.Boolean(),
    state: LiteralUnion(campaignStates),
    startsAt: DateTime,
    endsAt: DateTime,
    createdAt: DateTime,
    settledAt: Type.Union([DateTime, Type.Null()]),
    entityTitle: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description:
          'The title of the place or project it is on; null when the caller may not see it (hidden). In HTTP answers, not in feed events.',
      }),
    ),
    canManage: Type.Optional(
      Type.Boolean({
        description:
          'Whether the caller may deposit and stop it: the member who opened it, or an owner or manager of the owning group. In HTTP answers, not in feed events (it depends on who reads).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type Campaign = Static<typeof Campaign>

export const CampaignList = Type.Object({
  items: Type.Array(Campaign),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  canOpen: Type.Optional(
    Type.Boolean({
      description:
        'With ?entityId= and a signed-in caller: whether they may open a campaign on that place or project (its editors), by the rule POST /api/campaigns enforces.',
    }),
  ),
})

export const CampaignListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: campaignPageSizeMax, default: campaignPageSizeDefault }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    entityId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)

export const PledgeBody = Type.Object(
  {
    id: Type.Optional(Uuid),
    amount: amountWith('A multiple of the accepted side of the ratio; cut to what is left under the cap.'),
  },
  { additionalProperties: false },
)
export type PledgeBody = Static<typeof PledgeBody>

export const Pledge = Type.Object(
  {
    id: Uuid,
    campaignId: Uuid,
    backerId: Uuid,
    accountId: Uuid,
    requested: Type.String(),
    amount: Type.String({ description: 'What is held: the request, cut to what was left under the cap.' }),
    state: LiteralUnion(['pending', 'posted', 'voided'] as const),
    payout: Type.Union([Type.String(), Type.Null()], { description: 'What was given back, once funded.' }),
    createdAt: DateTime,
  },
  { additionalProperties: false },
)
export type Pledge = Static<typeof Pledge>

export const PledgeResult = Type.Object(
  { pledge: Pledge, campaign: Campaign },
  { additionalProperties: false },
)

export const PledgeList = Type.Object({
  items: Type.Array(Pledge),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const CampaignPledgeParams = Type.Object({ id: Uuid, pledgeId: Uuid }, { additionalProperties: false })
