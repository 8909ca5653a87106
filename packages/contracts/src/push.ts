import { type Static, Type } from 'typebox'

/** Web push (issue #21): the server's VAPID key, and a member's devices. */

export const PushPublicKey = Type.Object(
  {
    publicKey: Type.String({
      description: 'The VAPID public key (P-256, base64url): the applicationServerKey to subscribe with.',
    }),
  },
  { additionalProperties: false },
)
export type PushPublicKey = Static<typeof PushPublicKey>

const Base64Url = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$', description })

export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'PushSubscription.endpoint: an https URL of a push service this server sends to.',
    }),
    keys: Type.Object(
      {
        p256dh: Base64Url(128, 'The browser’s P-256 public key, 65 bytes.'),
        auth: Base64Url(64, 'The authentication secret, 16 bytes.'),
      },
      { additionalProperties: false },
    ),
    label: Type.Optional(
      Type.String({ maxLength: 200, description: 'How the device is listed (e.g. the browser’s name).' }),
    ),
  },
  { additionalProperties: false },
)
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>

export const PushDevice = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    endpoint: Type.String(),
    label: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastSentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
)
export type PushDevice = Static<typeof PushDevice>

export const PushDeviceList = Type.Object(
  { items: Type.Array(PushDevice, { maxItems: 20 }) },
  { additionalProperties: false },
)
export type PushDeviceList = Static<typeof PushDeviceList>
