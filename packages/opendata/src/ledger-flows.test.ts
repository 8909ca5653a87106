import { describe, expect, it } from 'vitest'
import { parseLedgerFlowsQuery } from './ledger-flows'

const now = new Date('2026-12-07T07:00:00Z')
const floor = 5

function request(query: Parameters<typeof parseLedgerFlowsQuery>[0], k = floor) {
  const parsed = parseLedgerFlowsQuery(query, k, now)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.request
}

describe('parseLedgerFlowsQuery', () => {
  it('reads whole months and stops before the month still running', () => {
    expect(request({})).toMatchObject({
      fromMonth: null,
      toMonth: null,
      from: null,
      before: new Date('2026-12-01T00:00:00Z'),
      cellDeg: 0.01,
      cellMultiple: 1,
      floor,
      k: floor,
    })
    expect(request({ from: '2025-01', to: '2025-02' })).toMatchObject({
      from: new Date('2025-01-01T00:00:00Z'),
      before: new Date('2025-03-01T00:00:00Z'),
    })
    // December ends in the next year; a month not over yet is cut at its start.
    expect(request({ to: '2025-12' }).before).toEqual(new Date('2026-01-01T00:00:00Z'))
    expect(request({ to: '2026-12' }).before).toEqual(new Date('2026-12-01T00:00:00Z'))
    expect(request({ to: '2030-01' }).before).toEqual(new Date('2026-12-01T00:00:00Z'))
  })

  it('refuses what is below a floor or off the fixed grids and months, saying what is allowed', () => {
    const refusal = (query: Parameters<typeof parseLedgerFlowsQuery>[0], k = floor) =>
      parseLedgerFlowsQuery(query, k, now)
    expect(refusal({ k: 4 })).toMatchObject({ ok: false, code: 'invalid_query', path: '/k' })
    expect(refusal({ k: 6 }, 7)).toMatchObject({
      ok: false,
      path: '/k',
      message: expect.stringMatching(/floor/),
    })
    expect(request({ k: 9 }, 7).k).toBe(9)
    for (const cell of [0.001, 0.02, 0.011, 0.25])
      expect(refusal({ cell })).toMatchObject({ ok: false, path: '/cell' })
    expect(request({ cell: 0.05 })).toMatchObject({ cellDeg: 0.05, cellMultiple: 5 })
    expect(request({ cell: 1 })).toMatchObject({ cellDeg: 1, cellMultiple: 100 })
    for (const from of ['2025-1', '2025-13', '2025-01-01', '2025-01-01T00:00:00Z', 'January'])
      expect(refusal({ from })).toMatchObject({ ok: false, path: '/from' })
    expect(refusal({ from: '2025-03', to: '2025-02' })).toMatchObject({ ok: false, path: '/from' })
  })
})
