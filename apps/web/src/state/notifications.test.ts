import type { Notification } from '@quartiere/contracts'
import { describe, expect, it } from 'vitest'
import { createI18n } from '../i18n/i18n'
import {
  emptyInbox,
  notificationMessage,
  notificationOf,
  notificationQuote,
  notificationShowsThing,
  withAllRead,
  withArrived,
  withPage,
  withRead,
} from './notifications'

const italian = createI18n('it')
const en = createI18n('en')
const groupId = '00000000-0000-4000-8000-000000000001'
const asker = { id: '00000000-0000-4000-8000-000000000002', displayName: 'Asker' }

const notification = (
  id: string,
  topic: string,
  payload: Record<string, unknown>,
  readAt: string | null = null,
  entityId: string | null = groupId,
): Notification => ({ id, topic, entityId, payload, createdAt: '2026-12-01T10:00:00.000Z', readAt })

const say = (
  topic: string,
  payload: Record<string, unknown>,
  i18n = italian,
  entityId: string | null = groupId,
) => notificationMessage(i18n, notification('n', topic, payload, null, entityId))

describe('notificationMessage', () => {
  it('names the member and the group of a request to join, in both languages', () => {
    const payload = { groupTitle: 'Consulta', requestId: 'r', member: asker, message: 'Ciao' }
    expect(say('group.join_requested', payload)).toBe('Asker ha chiesto di entrare in Consulta')
    expect(say('group.join_requested', payload, en)).toBe('Asker asked to join Consulta')
    expect(say('group.join_withdrawn', payload, en)).toBe('Asker withdrew the request to join Consulta')
    expect(say('group.member_joined', payload)).toBe('Asker fa ora parte di Consulta')
  })

  it('says what was decided about one, and about a role', () => {
    expect(say('group.join_approved', { groupTitle: 'Consulta', requestId: 'r' }, en)).toBe(
      'Your request to join Consulta was accepted',
    )
    expect(say('group.join_rejected', { groupTitle: 'Consulta', requestId: 'r' })).toBe(
      'La tua richiesta di entrare in Consulta non è stata accolta',
    )
    expect(say('group.role_changed', { groupTitle: 'Consulta', role: 'manager' }, en)).toBe(
      'You are now a manager of Consulta',
    )
    expect(say('group.role_changed', { groupTitle: 'Consulta', role: 'owner' })).toBe(
      'Ora sei titolare di Consulta',
    )
    expect(say('group.member_removed', { groupTitle: 'Consulta' }, en)).toBe(
      'You are no longer a member of Consulta',
    )
  })

  it('names who wrote where, and someone when the author is gone', () => {
    const post = { postId: 'p', entityTitle: 'Orto', title: '', excerpt: 'Semi?', author: asker }
    expect(say('post.created', post)).toBe('Asker ha scritto in Orto')
    expect(say('comment.created', { ...post, author: null }, en)).toBe('someone commented in Orto')
    expect(notificationQuote(notification('n', 'post.created', post))).toBe('Semi?')
    expect(notificationQuote(notification('n', 'group.join_requested', { message: 'Ciao' }))).toBe('Ciao')
    expect(notificationQuote(notification('n', 'group.join_approved', { groupTitle: 'x' }))).toBeNull()
  })

  it('spells out pact statuses, moderation targets and amounts in the locale', () => {
    expect(say('pact.transitioned', { title: 'Patto', from: 'proposal', to: 'co-design' })).toBe(
      'Il patto Patto è passato da proposta a co-progettazione',
    )
    expect(say('pact.reported', { title: 'Patto', groupId }, en)).toBe(
      'A group reported on the activities of the pact Patto',
    )
    expect(say('pact.document_added', { title: 'Verbale' }, en)).toBe(
      'A document was added to your pact: Verbale',
    )
    const hidden = { targetType: 'comment', targetId: 'c', reason: 'spam', excerpt: 'Compra' }
    expect(say('moderation.hidden', hidden)).toBe('Un moderatore ha nascosto il tuo commento: spam')
    expect(say('moderation.restored', { ...hidden, targetType: 'post' }, en)).toBe(
      'A moderator restored your message',
    )
    const report = { targetType: 'media', targetId: 'm', excerpt: 'image' }
    expect(say('moderation.report_actioned', report, en)).toBe(
      'The moderators acted on your report of a photo',
    )
    expect(say('moderation.report_dismissed', { ...report, targetType: 'entity' })).toBe(
      'I moderatori hanno esaminato la tua segnalazione (contributo sulla mappa) e hanno deciso di non intervenire',
    )
    expect(say('transfer.posted', { amount: '1.50', currency: 'TIME' })).toBe(
      'Trasferimento di 1,50 h eseguito',
    )
    expect(say('transfer.posted', { amount: '1.50', currency: 'TIME', direction: 'in' })).toBe(
      'Accredito di 1,50 h',
    )
    expect(say('transfer.posted', { amount: '2', currency: 'ORTO', direction: 'out' }, en)).toBe(
      'Debit of 2 ORTO',
    )
    expect(say('transfer.pending', { amount: '1.00', currency: 'TIME', direction: 'in' }, en)).toBe(
      'Credit of 1.00 h coming, held for an exchange',
    )
    expect(say('transfer.pending', { amount: '1234.5', currency: 'ORTO' }, en)).toBe(
      '1,234.5 ORTO held for an exchange',
    )
    expect(say('exchange.confirmed', { hours: '2.00', state: 'confirmed' }, en)).toBe(
      'An exchange was confirmed: 2.00 h',
    )
    expect(say('entity.updated', { kind: 'space', title: 'Orto', version: 3 })).toBe('Modifiche a Orto')
    expect(say('entity.created', { kind: 'event', title: 'Festa', parentId: groupId }, en)).toBe(
      'New in what you follow: Festa',
    )
    expect(say('entity.deleted', { kind: 'space', title: 'Orto' })).toBe('Orto non è più sulla mappa')
    expect(say('entity.deleted', { kind: 'space', title: 'Orto' }, en)).toBe('Orto is no longer on the map')
  })

  it('shows the thing a notification is about, unless it is gone', () => {
    expect(notificationShowsThing({ topic: 'entity.updated', entityId: groupId })).toBe(true)
    expect(notificationShowsThing({ topic: 'entity.deleted', entityId: groupId })).toBe(false)
    expect(notificationShowsThing({ topic: 'transfer.posted', entityId: null })).toBe(false)
  })

  it('falls back to a generic sentence for an unknown topic or a payload without what the sentence needs', () => {
    expect(say('badge.awarded', { anything: 1 })).toBe('Una novità su un elemento della mappa')
    expect(say('badge.awarded', {}, en, null)).toBe('Something new for you')
    expect(say('group.join_requested', { member: asker }, en)).toBe('Something new about a thing on the map')
    expect(say('group.role_changed', { groupTitle: 'Consulta', role: 'emperor' }, en)).toBe(
      'Something new about a thing on the map',
    )
    expect(say('moderation.hidden', { targetType: 'vote' }, en)).toBe(
      'Something new about a thing on the map',
    )
    expect(say('transfer.posted', { amount: 'lots', currency: 'TIME' }, en)).toBe(
      'Something new about a thing on the map',
    )
    // No sentence ever shows a placeholder or a dictionary key.
    for (const topic of ['group.join_requested', 'pact.transitioned', 'nope', 'constructor', '__proto__'])
      for (const i18n of [italian, en]) {
        const text = say(topic, {}, i18n)
        expect(text).not.toMatch(/[{}]|notif\.|undefined/)
        expect(text.length).toBeGreaterThan(0)
      }
  })
})

describe('the inbox', () => {
  const a = notification('a', 'group.join_requested', {})
  const b = notification('b', 'group.join_approved', {}, '2026-12-01T11:00:00.000Z')
  const c = notification('c', 'group.member_removed', {})

  it('replaces the list with a first page and adds next pages without repeating one', () => {
    const first = withPage(emptyInbox, { items: [a, b], unreadCount: 1, nextCursor: 'k' }, true)
    expect(first).toEqual({ items: [a, b], unreadCount: 1, nextCursor: 'k' })
    const next = withPage(first, { items: [b, c], unreadCount: 2, nextCursor: null }, false)
    expect(next.items.map((item) => item.id)).toEqual(['a', 'b', 'c'])
    expect(next.unreadCount).toBe(2)
    expect(next.nextCursor).toBeNull()
    expect(withPage(next, { items: [c], unreadCount: 1, nextCursor: null }, true).items).toEqual([c])
  })

  it('puts a live arrival on top and counts it once', () => {
    const inbox = withPage(emptyInbox, { items: [b], unreadCount: 0, nextCursor: null }, true)
    const arrived = withArrived(inbox, a)
    expect(arrived.items.map((item) => item.id)).toEqual(['a', 'b'])
    expect(arrived.unreadCount).toBe(1)
    expect(withArrived(arrived, a)).toBe(arrived)
  })

  it('marks one read in place, once, and all read', () => {
    const inbox = withPage(emptyInbox, { items: [a, b, c], unreadCount: 2, nextCursor: null }, true)
    const read = withRead(inbox, 'a', '2026-12-02T00:00:00.000Z')
    expect(read.items.map((item) => [item.id, item.readAt !== null])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ])
    expect(read.unreadCount).toBe(1)
    expect(withRead(read, 'a', '2026-12-03T00:00:00.000Z')).toBe(read)
    expect(withRead(read, 'missing', '2026-12-03T00:00:00.000Z')).toBe(read)
    const all = withAllRead(read, '2026-12-04T00:00:00.000Z')
    expect(all.unreadCount).toBe(0)
    expect(all.items.every((item) => item.readAt !== null)).toBe(true)
    expect(all.items[0]?.readAt).toBe('2026-12-02T00:00:00.000Z')
  })

  it('takes a live event only when it has the shape of a notification', () => {
    expect(notificationOf(a)).toEqual(a)
    expect(notificationOf({ ...a, entityId: undefined })).toEqual({ ...a, entityId: null })
    expect(notificationOf(null)).toBeNull()
    expect(notificationOf({ id: 'x', topic: 't' })).toBeNull()
    expect(notificationOf({ ...a, payload: 'text' })).toBeNull()
  })
})
