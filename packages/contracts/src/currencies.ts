import { type Static, Type } from 'typebox'
import { currencyKinds } from './enums'
import { Account } from './ledger'
import { LiteralUnion } from './literal-union'

/** Currencies listed per page at most. */
export const currencyPageSizeMax = 200
export const currencyPageSizeDefault = 50
/** The longest terms document a currency may carry, in characters. */
export const currencyTermsCharsMax = 100_000

const Uuid = Type.String({ format: 'uuid' })
const Amount = Type.String({
  pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$',
  maxLength: 40,
  description:
    'A positive decimal string in the currency\'s scale, e.g. "1.50" for a coin, "3" for a coupon.',
})
const SignedAmount = Type.String({ description: 'A decimal string, possibly negative, e.g. "-2.50".' })
const CommunityCurrencyCode = Type.String({
  pattern: '^[A-Z][A-Z0-9]{1,11}$',
  description: 'Unique, 2–12 capital letters or digits, starting with a letter (TIME is taken).',
})

export const CurrencyCodeParams = Type.Object(
  { code: CommunityCurrencyCode },
  { additionalProperties: false },
)

export const CurrencyCreateBody = Type.Object(
  {
    code: CommunityCurrencyCode,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: LiteralUnion(['coin', 'coupon'] as const, {
      description:
        'A coin circulates (2 decimals by default); a coupon is whole and redeemable with its issuer.',
    }),
    scale: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 6,
        description: 'Decimal places: 2 for a coin unless given, always 0 for a coupon.',
      }),
    ),
    issuerGroupId: Type.String({
      format: 'uuid',
      description: 'The group that issues it; you must manage it.',
    }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    terms: Type.String({
      minLength: 1,
      maxLength: currencyTermsCharsMax,
      description:
        'The terms the issuer promises by. Stored as given; its SHA-256 is recorded. Never changes.',
    }),
    supplyCap: Type.Optional(
      Type.Union([Amount, Type.Null()], { description: 'Hard cap on the supply; null or absent: none.' }),
    ),
    creditLine: Type.Optional(
      Type.String({
        pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$',
        maxLength: 40,
        description:
          'How far below zero a new account may go (e.g. "20.00" for -20.00); default 0. Not with a supply cap.',
      }),
    ),
    logoUrl: Type.Optional(
      Type.Union([Type.String({ maxLength: 2000, pattern: '^(https://|/)' }), Type.Null()], {
        description: 'An https URL or a path on this server (e.g. an uploaded medium).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CurrencyCreateBody = Static<typeof CurrencyCreateBody>

export const CurrencySupply = Type.Object(
  {
    minted: SignedAmount,
    redeemed: SignedAmount,
    supply: Type.String({ description: 'Minted less redeemed: every unit that exists.' }),
    outstanding: Type.String({ description: 'The supply held by others than the issuing group.' }),
    cap: Type.Union([Type.String(), Type.Null()]),
    mintable: Type.Union([Type.String(), Type.Null()], {
      description: 'What may still be minted; null: no cap.',
    }),
  },
  { additionalProperties: false },
)

export const TransferCaps = Type.Object(
  {
    transferAmountMax: Type.Union([Amount, Type.Null()], {
      description: 'The most one transfer from a member account may move; null: no cap.',
    }),
    dailyAmountMax: Type.Union([Amount, Type.Null()], {
      description: 'The most a member account may send per UTC day (holds included); null: no cap.',
    }),
    dailyTransfersMax: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()], {
      description: 'How many transfers and holds a member account may make per UTC day; null: no cap.',
    }),
  },
  {
    additionalProperties: false,
    description:
      "Caps on what one member's account sends in this currency. Corrections (reversals), mints and group or " +
      'system accounts are not capped.',
  },
)
export type TransferCaps = Static<typeof TransferCaps>

export const CurrencyPermissions = Type.Object(
  {
    mint: Type.Boolean({ description: 'Mint new units (an owner or manager of the issuing group).' }),
    setCaps: Type.Boolean({ description: 'Set the transfer caps (an admin, or the issuing managers).' }),
    setCreditLines: Type.Boolean({
      description: 'Give holders credit lines (the issuing managers, when the currency has no supply cap).',
    }),
    readHolders: Type.Boolean({ description: "List the holders' accounts (the issuing managers)." }),
  },
  {
    additionalProperties: false,
    description:
      'What the caller may do with this currency, decided by the same rules that enforce each act. In HTTP answers to a signed-in caller only (it depends on who reads).',
  },
)
export type CurrencyPermissions = Static<typeof CurrencyPermissions>

export const Currency = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    kind: LiteralUnion(currencyKinds),
    scale: Type.Integer(),
    issuerGroupId: Type.Union([Uuid, Type.Null()]),
    description: Type.String(),
    termsSha256: Type.String({ description: 'Hex SHA-256 of the UTF-8 terms document.' }),
    creditLine: Type.String({ description: 'How far below zero a new account may go.' }),
    logoUrl: Type.Union([Type.String(), Type.Null()]),
    supply: CurrencySupply,
    caps: TransferCaps,
    createdAt: Type.String({ format: 'date-time' }),
    can: Type.Optional(CurrencyPermissions),
  },
  { additionalProperties: false },
)
export type Currency = Static<typeof Currency>

export const CurrencyList = Type.Object({
  items: Type.Array(Currency),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const CurrencyListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: currencyPageSizeMax, default: currencyPageSizeDefault }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 20 })),
    issuerGroupId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)

export const MintBody = Type.Object(
  {
    id: Type.Optional(Uuid),
    to: Type.Union([
      Type.Object({ userId: Uuid }, { additionalProperties: false }),
      Type.Object({ groupId: Uuid }, { additionalProperties: false }),
    ]),
    amount: Amount,
    memo: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
)
export type MintBody = Static<typeof MintBody>

export const RedemptionBody = Type.Object(
  {
    id: Type.Optional(Uuid),
    amount: Amount,
    from: Type.Optional(
      Type.String({ format: 'uuid', description: 'One of your accounts; default: your own.' }),
    ),
    memo: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type RedemptionBody = Static<typeof RedemptionBody>

export const CreditLineParams = Type.Object(
  { code: CommunityCurrencyCode, accountId: Uuid },
  { additionalProperties: false },
)
export const CreditLineBody = Type.Object(
  {
    creditLine: Type.String({
      pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$',
      maxLength: 40,
      description: 'How far below zero this account may go, e.g. "20.00"; "0" removes the credit line.',
    }),
  },
  { additionalProperties: false },
)

/** Holders' accounts listed per page at most. */
export const currencyHoldersPageSizeMax = 200
export const currencyHoldersPageSizeDefault = 50

export const CurrencyHoldersQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: currencyHoldersPageSizeMax,
        default: currencyHoldersPageSizeDefault,
      }),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 36, description: 'The cursor the page before gave out.' }),
    ),
  },
  { additionalProperties: false },
)

export const CurrencyHolder = Type.Object(
  {
    account: Account,
    name: Type.String({ description: 'The member’s display name or the group’s title.' }),
  },
  { additionalProperties: false },
)
export type CurrencyHolder = Static<typeof CurrencyHolder>
export const CurrencyHolderList = Type.Object({
  items: Type.Array(CurrencyHolder),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

/** The groups the caller may issue a currency for (the owner-or-manager rule of groups). */
export const IssuingGroup = Type.Object(
  { groupId: Uuid, title: Type.String() },
  { additionalProperties: false },
)
export const IssuingGroupList = Type.Object(
  { items: Type.Array(IssuingGroup) },
  { additionalProperties: false },
)
export type IssuingGroup = Static<typeof IssuingGroup>
/** Groups one member may manage that the issuing-groups list answers at most. */
export const issuingGroupsMax = 200
