import { readOutbox } from '@quartiere/realtime'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

/**
 * A campaign's progress is a public event on its place. Once a moderator hides the place, its campaign's events
 * stop reaching the feed, as the place's own do; restored, they flow again.
 */
describe('campaign events on a hidden place', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('are held back while the place is hidden', async () => {
    const member = await t.signUp()
    const created = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: validEntityByKind.project,
    })
    expect(created.statusCode, created.body).toBe(201)
    const entityId = created.json().id as string
    const progress = async () => {
      const inserted = await sql<{ seq: string }>`
        INSERT INTO events_outbox (topic, entity_id, min_lon, min_lat, max_lon, max_lat, audience, payload)
        VALUES ('campaign.pledged', ${entityId}::uuid, 7.6, 45, 7.6, 45, NULL, '{"pledged":"2"}'::jsonb)
        RETURNING seq::text AS seq`.execute(t.database.db)
      const seq = Number(inserted.rows[0]!.seq)
      const page = await readOutbox(t.database.db, {
        afterSeq: seq - 1,
        throughSeq: seq,
        limit: 10,
        userId: null,
      })
      return page.rows.find((row) => Number(row.seq) === seq)!
    }
    expect((await progress()).publicVisible).toBe(true)
    const setHidden = (hidden: boolean) =>
      t.database.db
        .updateTable('entities')
        .set({ hidden_at: hidden ? new Date() : null })
        .where('id', '=', entityId)
        .execute()
    await setHidden(true)
    expect((await progress()).publicVisible).toBe(false)
    await setHidden(false)
    expect((await progress()).publicVisible).toBe(true)
  })
})
