import type { StatementLine } from '@quartiere/contracts'
import { stringify } from 'csv-stringify/sync'

const columns = [
  'createdAt',
  'id',
  'direction',
  'amount',
  'currency',
  'balance',
  'state',
  'debitAccountId',
  'creditAccountId',
  'memo',
  'entityId',
  'pendingId',
  'reversalOf',
] as const

/**
 * A statement as CSV for spreadsheets. Free text that a spreadsheet would read as a formula (=, +, -, @) is
 * prefixed with an apostrophe, so a memo cannot run code on the reader's machine.
 */
export function statementCsv(lines: StatementLine[], header = true): string {
  return stringify(
    lines.map((line) => columns.map((column) => neutralise(line[column]))),
    { header, columns: [...columns] },
  )
}

function neutralise(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return /^[=+\-@\t\r]/.test(text) && !/^-?[0-9]/.test(text) ? `'${text}` : text
}
