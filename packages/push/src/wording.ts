/**
 * What a push message says: the notification's sentence in the member's language, as the inbox words it
 * (apps/web/src/state/notifications.ts), short. A topic this does not know, or a payload without what its
 * sentence needs, gets the generic sentence: never a raw key or an empty name.
 */
export type PushLocale = 'it' | 'en'

export interface PushMessage {
  title: string
  body: string
  /** The page to open, on this site: the thing the notification is about, or the map. */
  url: string
  /** The notification's id: a second push of the same notification replaces the first on the device. */
  tag: string
  lang: PushLocale
}

/** The encrypted payload stays well under the ~4 KiB push services accept (RFC 8291 adds 86+ bytes). */
export const payloadBytesMax = 3000
/** A quoted excerpt (a comment's start) is cut to this many characters. */
const excerptLengthMax = 140

type Payload = Record<string, unknown>

const words = {
  en: {
    app: 'Quartiere',
    someone: 'Someone',
    postCreated: '{name} wrote in {entity}',
    commentCreated: '{name} commented in {entity}',
    entityCreated: 'New in what you follow: {title}',
    entityUpdated: 'Changes to {title}',
    entityDeleted: '{title} is no longer on the map',
    pactTransitioned: 'The pact {title} changed its status',
    pactReported: 'A group reported on the activities of the pact {title}',
    pactDocumentAdded: 'A document was added to your pact: {title}',
    moderationHidden: 'A moderator hid something of yours',
    moderationRestored: 'A moderator restored something of yours',
    reportHandled: 'The moderators looked at your report',
    joinRequested: '{name} asked to join {group}',
    joinWithdrawn: '{name} withdrew the request to join {group}',
    memberJoined: '{name} joined {group}',
    joinApproved: 'Your request to join {group} was accepted',
    joinRejected: 'Your request to join {group} was declined',
    memberRemoved: 'You are no longer a member of {group}',
    roleChanged: 'Your role in {group} changed',
    transfer: 'A transfer of {amount} {currency}',
    exchangeConfirmed: 'An exchange was confirmed: {hours} h',
    exchangeCancelled: 'An exchange was cancelled',
    exchangeExpired: 'An exchange expired: its hours were released',
    generic: 'Something new for you',
  },
  it: {
    app: 'Quartiere',
    someone: 'Qualcuno',
    postCreated: '{name} ha scritto in {entity}',
    commentCreated: '{name} ha commentato in {entity}',
    entityCreated: 'Novità in ciò che segui: {title}',
    entityUpdated: 'Modifiche a {title}',
    entityDeleted: '{title} non è più sulla mappa',
    pactTransitioned: 'Il patto {title} ha cambiato stato',
    pactReported: 'Un gruppo ha rendicontato le attività del patto {title}',
    pactDocumentAdded: 'Un documento è stato aggiunto al tuo patto: {title}',
    moderationHidden: 'Un moderatore ha nascosto un tuo contenuto',
    moderationRestored: 'Un moderatore ha ripristinato un tuo contenuto',
    reportHandled: 'I moderatori hanno esaminato la tua segnalazione',
    joinRequested: '{name} ha chiesto di entrare in {group}',
    joinWithdrawn: '{name} ha ritirato la richiesta di entrare in {group}',
    memberJoined: '{name} fa ora parte di {group}',
    joinApproved: 'La tua richiesta di entrare in {group} è stata accolta',
    joinRejected: 'La tua richiesta di entrare in {group} non è stata accolta',
    memberRemoved: 'Non fai più parte di {group}',
    roleChanged: 'Il tuo ruolo in {group} è cambiato',
    transfer: 'Un trasferimento di {amount} {currency}',
    exchangeConfirmed: 'Uno scambio è stato confermato: {hours} h',
    exchangeCancelled: 'Uno scambio è stato annullato',
    exchangeExpired: 'Uno scambio è scaduto: le ore sono state liberate',
    generic: 'Una novità per te',
  },
} as const

type Key = keyof (typeof words)['en']

function text(payload: Payload, key: string): string | null {
  const value = payload[key]
  return typeof value === 'string' && value.trim() ? value.trim() : null
}

function person(payload: Payload, key: string): string | null {
  const value = payload[key]
  if (!value || typeof value !== 'object') return null
  const name = (value as { displayName?: unknown }).displayName
  return typeof name === 'string' && name.trim() ? name.trim() : null
}

function sentence(topic: string, payload: Payload, someone: string): [Key, Record<string, string>] | null {
  const group = text(payload, 'groupTitle')
  const title = text(payload, 'title')
  switch (topic) {
    case 'post.created':
    case 'comment.created': {
      const entity = text(payload, 'entityTitle')
      if (!entity) return null
      const name = person(payload, 'author') ?? someone
      return [topic === 'post.created' ? 'postCreated' : 'commentCreated', { name, entity }]
    }
    case 'entity.created':
      return title ? ['entityCreated', { title }] : null
    case 'entity.updated':
      return title ? ['entityUpdated', { title }] : null
    case 'entity.deleted':
      return title ? ['entityDeleted', { title }] : null
    case 'pact.transitioned':
      return title ? ['pactTransitioned', { title }] : null
    case 'pact.reported':
      return title ? ['pactReported', { title }] : null
    case 'pact.document_added':
      return title ? ['pactDocumentAdded', { title }] : null
    case 'moderation.hidden':
      return ['moderationHidden', {}]
    case 'moderation.restored':
      return ['moderationRestored', {}]
    case 'moderation.report_actioned':
    case 'moderation.report_dismissed':
      return ['reportHandled', {}]
    case 'group.join_requested':
    case 'group.join_withdrawn':
    case 'group.member_joined': {
      if (!group) return null
      const name = person(payload, 'member') ?? someone
      const key =
        topic === 'group.join_requested'
          ? 'joinRequested'
          : topic === 'group.join_withdrawn'
            ? 'joinWithdrawn'
            : 'memberJoined'
      return [key, { name, group }]
    }
    case 'group.join_approved':
      return group ? ['joinApproved', { group }] : null
    case 'group.join_rejected':
      return group ? ['joinRejected', { group }] : null
    case 'group.member_removed':
      return group ? ['memberRemoved', { group }] : null
    case 'group.role_changed':
      return group ? ['roleChanged', { group }] : null
    case 'transfer.posted':
    case 'transfer.pending':
    case 'transfer.voided': {
      const amount = text(payload, 'amount')
      const currency = text(payload, 'currency')
      return amount && currency ? ['transfer', { amount, currency }] : null
    }
    case 'exchange.confirmed': {
      const hours = text(payload, 'hours')
      return hours ? ['exchangeConfirmed', { hours }] : null
    }
    case 'exchange.cancelled':
      return ['exchangeCancelled', {}]
    case 'exchange.expired':
      return ['exchangeExpired', {}]
    default:
      return null
  }
}

/** The topics whose excerpt (what was written) follows the sentence. */
const quoting = new Set(['post.created', 'comment.created'])

export function pushMessageOf(
  notification: { id: string; topic: string; entityId: string | null; payload: Payload },
  locale: PushLocale,
): PushMessage {
  const dictionary = words[locale]
  const found = sentence(notification.topic, notification.payload, dictionary.someone)
  const line = found
    ? dictionary[found[0]].replace(/\{(\w+)\}/g, (_, name: string) => found[1][name] ?? '')
    : dictionary.generic
  const excerpt = quoting.has(notification.topic) ? text(notification.payload, 'excerpt') : null
  const quoted = excerpt ? `${line}\n“${cut(excerpt, excerptLengthMax)}”` : line
  const url =
    notification.entityId && notification.topic !== 'entity.deleted'
      ? `/?sel=${encodeURIComponent(notification.entityId)}`
      : '/'
  const message: PushMessage = {
    title: dictionary.app,
    body: quoted,
    url,
    tag: notification.id,
    lang: locale,
  }
  // Titles and names come from members: a very long one is cut so the whole message fits.
  while (Buffer.byteLength(JSON.stringify(message)) > payloadBytesMax)
    message.body = cut(message.body, Math.floor(message.body.length * 0.8))
  return message
}

function cut(value: string, length: number): string {
  const characters = [...value]
  return characters.length <= length ? value : `${characters.slice(0, Math.max(1, length - 1)).join('')}…`
}
