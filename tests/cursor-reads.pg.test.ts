import { setTimeout as sleep } from 'node:timers/promises'
import { cursorReads } from '@quartiere/db'
import { CompiledQuery } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { testServerUrl } from './support/backend'

/**
 * Cursor reads on a pool whose connections cancel any statement after 300 ms, as the API's pool does after 15 s:
 * a long export must outlive that, and give the pool its connection back with the timeout it had.
 */
const pool = new pg.Pool({ connectionString: testServerUrl(), max: 2, statement_timeout: 300 })
afterAll(() => pool.end())

const series = (rows: number) => CompiledQuery.raw(`SELECT n FROM generate_series(1, ${rows}) n`)

describe('cursor reads on PostgreSQL', () => {
  it('outlive the pool statement timeout while the reader is slow, then restore it', async () => {
    const reads = cursorReads(pool, 1, 60_000)
    const seen: number[] = []
    for await (const rows of reads.read<{ n: number }>(series(4), 1)) {
      seen.push(...rows.map((row) => row.n))
      await sleep(150)
    }
    expect(seen).toEqual([1, 2, 3, 4])
    expect(reads.active).toBe(0)
    const { rows } = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')
    expect(rows[0]?.statement_timeout).toBe('300ms')
  })

  it('are cut by their own timeout, free their slot and leave the pool working', async () => {
    const reads = cursorReads(pool, 1, 200)
    const read = reads.read<{ n: number }>(series(4), 1)
    await expect(
      (async () => {
        for await (const _ of read) await sleep(150)
      })(),
    ).rejects.toThrow(/statement timeout/)
    expect(reads.active).toBe(0)
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one')
    expect(rows[0]?.one).toBe(1)
  })

  it('refuse a read past the limit at once, yielding nothing', async () => {
    const reads = cursorReads(pool, 1, 60_000)
    const first = reads.read<{ n: number }>(series(3), 1)
    expect((await first.next()).done).toBe(false)
    const second = await reads.read<{ n: number }>(series(3), 1).next()
    expect(second).toEqual({ done: true, value: false })
    await first.return(false)
    expect(reads.active).toBe(0)
  })
})
