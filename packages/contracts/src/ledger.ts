import { type Static, Type } from 'typebox'
import { transferStates } from './enums'
import { LiteralUnion } from './literal-union'

export const ledgerPageSizeMax = 500
export const ledgerPageSizeDefault = 50
/** A hold may wait at most 30 days for its post or void. */
export const holdTimeoutSecondsMax = 30 * 24 * 3600

const Uuid = Type.String({ format: 'uuid' })
const Amount = Type.String({
  pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$',
  maxLength: 40,
  description: 'A positive decimal string in the currency\'s scale, e.g. "1.50". Never a float.',
})
const SignedAmount = Type.String({ description: 'A decimal string, possibly negative, e.g. "-2.50".' })
const CurrencyCode = Type.String({ pattern: '^[A-Z][A-Z0-9]{1,11}$', description: 'TIME for time credits.' })

export const AccountOwner = Type.Object({
  type: LiteralUnion(['user', 'group', 'system'] as const),
  userId: Type.Optional(Uuid),
  groupId: Type.Optional(Uuid),
  name: Type.Optional(Type.String()),
})

export const Account = Type.Object(
  {
    id: Uuid,
    currency: CurrencyCode,
    owner: AccountOwner,
    balance: SignedAmount,
    available: SignedAmount,
    debitsPending: SignedAmount,
    creditsPending: SignedAmount,
    lowerLimit: Type.Union([SignedAmount, Type.Null()], { description: 'The credit line; null: none.' }),
    upperLimit: Type.Union([SignedAmount, Type.Null()]),
  },
  { additionalProperties: false },
)
export type Account = Static<typeof Account>

export const Transfer = Type.Object(
  {
    id: Uuid,
    debitAccountId: Uuid,
    creditAccountId: Uuid,
    amount: SignedAmount,
    currency: CurrencyCode,
    state: LiteralUnion(transferStates),
    memo: Type.String(),
    entityId: Type.Union([Uuid, Type.Null()]),
    pendingId: Type.Union([Uuid, Type.Null()], { description: 'For a post or void: the hold it resolves.' }),
    reversalOf: Type.Union([Uuid, Type.Null()]),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdBy: Type.Union([Uuid, Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)
export type Transfer = Static<typeof Transfer>

export const StatementLine = Type.Object(
  {
    ...Transfer.properties,
    direction: LiteralUnion(['debit', 'credit'] as const),
    balance: Type.String({ description: "The account's posted balance right after this transfer." }),
  },
  { additionalProperties: false },
)
export type StatementLine = Static<typeof StatementLine>

export const AccountList = Type.Object({
  items: Type.Array(Account),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export const Statement = Type.Object({
  items: Type.Array(StatementLine),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const AccountRef = Type.Union([
  Uuid,
  Type.Object({ userId: Uuid }, { additionalProperties: false }),
  Type.Object({ groupId: Uuid }, { additionalProperties: false }),
])

export const TransferCreateBody = Type.Object(
  {
    id: Type.Optional(Uuid),
    from: Type.Optional(Uuid),
    to: AccountRef,
    amount: Amount,
    currency: Type.Optional(CurrencyCode),
    memo: Type.Optional(Type.String({ maxLength: 500 })),
    entityId: Type.Optional(Uuid),
    pending: Type.Optional(Type.Boolean()),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: holdTimeoutSecondsMax })),
    reversalOf: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type TransferCreateBody = Static<typeof TransferCreateBody>

export const TransferPostBody = Type.Object(
  { amount: Type.Optional(Amount) },
  {
    additionalProperties: false,
    description: 'Post less than was held with `amount`; the rest is released.',
  },
)

export const IssuanceBody = Type.Object(
  {
    id: Type.Optional(Uuid),
    to: AccountRef,
    amount: Amount,
    currency: Type.Optional(CurrencyCode),
    memo: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
)

export const AccountLimitsBody = Type.Object(
  {
    lowerLimit: Type.Union([
      Type.String({ pattern: '^-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$' }),
      Type.Null(),
    ]),
    upperLimit: Type.Union([
      Type.String({ pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$' }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
)

export const ExchangeCreateBody = Type.Object({ hours: Amount }, { additionalProperties: false })

export const Exchange = Type.Object(
  {
    id: Uuid,
    entityId: Uuid,
    entityKind: LiteralUnion(['offer', 'request'] as const),
    entityTitle: Type.String(),
    providerId: Uuid,
    receiverId: Uuid,
    hours: Type.String(),
    state: LiteralUnion(transferStates),
    postedHours: Type.Union([Type.String(), Type.Null()]),
    holdId: Uuid,
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)
export type Exchange = Static<typeof Exchange>
export const ExchangeList = Type.Object({
  items: Type.Array(Exchange),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: ledgerPageSizeMax, default: ledgerPageSizeDefault }),
    ),
    // An exchange's cursor (a timestamp and a uuid in base64url JSON) is 116 characters.
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export const StatementQuery = Type.Object(
  {
    ...PageQuery.properties,
    format: Type.Optional(LiteralUnion(['json', 'csv'] as const)),
  },
  { additionalProperties: false },
)
