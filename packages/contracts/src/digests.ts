import { type Static, Type } from 'typebox'
import { LiteralUnion } from './literal-union'

/**
 * Email digests (issue #21): how often a member gets one, the state of mail delivery to their address, and the
 * one-click unsubscribe link every digest carries (RFC 8058).
 */

export const digestFrequencies = ['none', 'daily', 'weekly'] as const
export type DigestFrequency = (typeof digestFrequencies)[number]
export const DigestFrequency = LiteralUnion(digestFrequencies, {
  description: '`none`: no digests; `daily` or `weekly` (the default).',
})

/**
 * An unsubscribe token: 31 random bytes in lowercase hex. It travels as the unsubscribe page's `id`, the item a
 * page of the web client keeps in its address (`/unsubscribe?id=…`).
 */
export const unsubscribeTokenPattern = '^[0-9a-f]{62}$'

const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const EmailPreferences = Type.Object(
  {
    digestFrequency: DigestFrequency,
    delivery: Type.Object(
      {
        state: LiteralUnion(['active', 'suspended'] as const, {
          description:
            '`suspended`: mail to this address stopped after repeated permanent refusals; resume it once the address is fixed.',
        }),
        consecutivePermanentFailures: Type.Integer({ minimum: 0 }),
        permanentFailuresMax: Type.Integer({
          minimum: 1,
          description: 'Consecutive permanent refusals after which mail to the address stops.',
        }),
        suspendedAt: Nullable(DateTime),
        lastDeliveredAt: Nullable(DateTime),
        lastFailure: Type.Union([
          Type.Object(
            {
              at: DateTime,
              permanent: Type.Boolean(),
              reason: Type.String(),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)
export type EmailPreferences = Static<typeof EmailPreferences>

export const EmailPreferencesPatch = Type.Object(
  { digestFrequency: DigestFrequency },
  { additionalProperties: false },
)
export type EmailPreferencesPatch = Static<typeof EmailPreferencesPatch>

export const UnsubscribeQuery = Type.Object(
  {
    id: Type.String({
      pattern: unsubscribeTokenPattern,
      description: 'The token of the List-Unsubscribe link a digest carried.',
    }),
  },
  { additionalProperties: false },
)
export type UnsubscribeQuery = Static<typeof UnsubscribeQuery>

export const UnsubscribeResult = Type.Object(
  { digestFrequency: Type.Literal('none') },
  { additionalProperties: false },
)
export type UnsubscribeResult = Static<typeof UnsubscribeResult>
