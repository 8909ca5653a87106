import type { Dashboard } from '@quartiere/contracts'

/** One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(value: string | number): string {
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * The dashboard's figures as one CSV table (RFC 4180, CRLF): a row per month with its things by kind, people
 * active, exchanges and hours (exact, as the API gave them), then a row per pact status.
 */
export function dashboardCsv(figures: Dashboard): string {
  const rows: (string | number)[][] = [
    [
      'section',
      'month',
      ...figures.kinds.map((kind) => `things_${kind}`),
      'active_people',
      'exchanges',
      'hours',
    ],
  ]
  for (const month of figures.months) {
    rows.push([
      'month',
      month.month,
      ...figures.kinds.map((kind) => month.things[kind] ?? 0),
      month.activePeople,
      month.exchanges,
      month.hours,
    ])
  }
  rows.push([])
  rows.push(['section', 'status', 'pacts'])
  for (const row of figures.pactsByStatus) rows.push(['pacts', row.status, row.count])
  return `${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`
}
