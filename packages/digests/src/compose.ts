import type { DigestContent, DigestNotification } from './content'
import type { PeriodKind } from './periods'

export type DigestLocale = 'it' | 'en'

export interface ComposeInput {
  locale: DigestLocale
  displayName: string
  kind: PeriodKind
  content: DigestContent
  /** The public origin every link starts with (PUBLIC_URL). */
  linkOrigin: string
  unsubscribeUrl: string
}

export interface ComposedDigest {
  subject: string
  text: string
  html: string
}

const words = {
  it: {
    subject: { daily: 'Quartiere: le novità di oggi', weekly: 'Quartiere: le novità della settimana' },
    greeting: (name: string) => `Ciao ${name},`,
    intro: {
      daily: 'ecco cosa è successo nelle ultime ore.',
      weekly: 'ecco cosa è successo questa settimana.',
    },
    followedHeading: 'Su ciò che segui',
    activity: (posts: number, comments: number) =>
      [
        posts ? `${posts} ${posts === 1 ? 'nuovo post' : 'nuovi post'}` : '',
        comments ? `${comments} ${comments === 1 ? 'nuovo commento' : 'nuovi commenti'}` : '',
      ]
        .filter(Boolean)
        .join(', '),
    followedMore: (n: number) => `e altre ${n} cose che segui`,
    notificationsHeading: 'Notifiche non lette',
    notificationsMore: (n: number) => `e altre ${n} notifiche`,
    topics: {
      'post.created': (title: string) => `Nuovo post su «${title}»`,
      'comment.created': (title: string) => `Nuovo commento su «${title}»`,
      group: (title: string) => `Novità nel gruppo «${title}»`,
      pact: (title: string) => `Novità sul patto «${title}»`,
      transfer: () => 'Movimento sul tuo conto',
      other: (title: string) => (title ? `Novità su «${title}»` : 'Una novità per te'),
    },
    open: 'Apri Quartiere',
    settings: 'Cambia la frequenza o smetti di ricevere questi riepiloghi',
    unsubscribe: 'Non ricevere più i riepiloghi',
  },
  en: {
    subject: { daily: 'Quartiere: what happened today', weekly: 'Quartiere: your week in the neighbourhood' },
    greeting: (name: string) => `Hello ${name},`,
    intro: {
      daily: 'here is what happened in the last hours.',
      weekly: 'here is what happened this week.',
    },
    followedHeading: 'On what you follow',
    activity: (posts: number, comments: number) =>
      [
        posts ? `${posts} new ${posts === 1 ? 'post' : 'posts'}` : '',
        comments ? `${comments} new ${comments === 1 ? 'comment' : 'comments'}` : '',
      ]
        .filter(Boolean)
        .join(', '),
    followedMore: (n: number) => `and ${n} more things you follow`,
    notificationsHeading: 'Unread notifications',
    notificationsMore: (n: number) => `and ${n} more notifications`,
    topics: {
      'post.created': (title: string) => `New post on “${title}”`,
      'comment.created': (title: string) => `New comment on “${title}”`,
      group: (title: string) => `News in the group “${title}”`,
      pact: (title: string) => `News on the pact “${title}”`,
      transfer: () => 'A transfer on your account',
      other: (title: string) => (title ? `News about “${title}”` : 'Something new for you'),
    },
    open: 'Open Quartiere',
    settings: 'Change how often you get these digests, or stop them',
    unsubscribe: 'Stop these digests',
  },
} as const

const text = (value: unknown) => (typeof value === 'string' ? value : '')

/** One notification as a line, from its topic and what its payload names. */
function notificationLine(locale: DigestLocale, notification: DigestNotification): string {
  const topics = words[locale].topics
  const p = notification.payload
  const title = text(p.entityTitle) || text(p.title) || text(p.groupTitle)
  if (notification.topic === 'post.created') return topics['post.created'](title)
  if (notification.topic === 'comment.created') return topics['comment.created'](title)
  if (notification.topic.startsWith('group.')) return topics.group(title)
  if (notification.topic.startsWith('pact.')) return topics.pact(title)
  if (notification.topic.startsWith('transfer.') || notification.topic.startsWith('exchange.'))
    return topics.transfer()
  return topics.other(title)
}

/** Every character that means something in HTML, as an entity: nothing a member wrote becomes markup. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/** A thing on the map, opened at its place. */
const thingUrl = (origin: string, entityId: string) => `${origin}/?sel=${encodeURIComponent(entityId)}`

/** The digest as plain text and as HTML, in the member's language; every value from the database is escaped. */
export function composeDigest(input: ComposeInput): ComposedDigest {
  const w = words[input.locale]
  const { content, linkOrigin } = input
  const settingsUrl = `${linkOrigin}/account`
  const followedLines = content.followed.map((item) => ({
    label: item.title,
    detail: w.activity(item.posts, item.comments),
    url: thingUrl(linkOrigin, item.entityId),
  }))
  const notificationLines = content.notifications.map((item) => ({
    label: notificationLine(input.locale, item),
    url: item.entityId ? thingUrl(linkOrigin, item.entityId) : `${linkOrigin}/`,
  }))

  const lines: string[] = [w.greeting(input.displayName), w.intro[input.kind], '']
  if (followedLines.length) {
    lines.push(`${w.followedHeading}:`)
    for (const line of followedLines) lines.push(`- ${line.label}: ${line.detail}`, `  ${line.url}`)
    if (content.followedMore) lines.push(`- ${w.followedMore(content.followedMore)}`)
    lines.push('')
  }
  if (notificationLines.length) {
    lines.push(`${w.notificationsHeading}:`)
    for (const line of notificationLines) lines.push(`- ${line.label}`, `  ${line.url}`)
    if (content.notificationsMore) lines.push(`- ${w.notificationsMore(content.notificationsMore)}`)
    lines.push('')
  }
  lines.push(`${w.open}: ${linkOrigin}/`, '', '--', `${w.settings}: ${settingsUrl}`)
  lines.push(`${w.unsubscribe}: ${input.unsubscribeUrl}`)

  const e = escapeHtml
  const link = (url: string, label: string) => `<a href="${e(url)}">${e(label)}</a>`
  const html = [
    '<!doctype html>',
    `<html lang="${input.locale}"><head><meta charset="utf-8"><title>${e(w.subject[input.kind])}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a">',
    `<p>${e(w.greeting(input.displayName))}<br>${e(w.intro[input.kind])}</p>`,
    ...(followedLines.length
      ? [
          `<h2 style="font-size: 1.1em">${e(w.followedHeading)}</h2>`,
          '<ul>',
          ...followedLines.map((line) => `<li>${link(line.url, line.label)}: ${e(line.detail)}</li>`),
          ...(content.followedMore ? [`<li>${e(w.followedMore(content.followedMore))}</li>`] : []),
          '</ul>',
        ]
      : []),
    ...(notificationLines.length
      ? [
          `<h2 style="font-size: 1.1em">${e(w.notificationsHeading)}</h2>`,
          '<ul>',
          ...notificationLines.map((line) => `<li>${link(line.url, line.label)}</li>`),
          ...(content.notificationsMore
            ? [`<li>${e(w.notificationsMore(content.notificationsMore))}</li>`]
            : []),
          '</ul>',
        ]
      : []),
    `<p>${link(`${linkOrigin}/`, w.open)}</p>`,
    `<hr><p style="font-size: 0.9em">${link(settingsUrl, w.settings)}<br>${link(input.unsubscribeUrl, w.unsubscribe)}</p>`,
    '</body></html>',
  ].join('\n')

  return { subject: w.subject[input.kind], text: lines.join('\n'), html }
}
