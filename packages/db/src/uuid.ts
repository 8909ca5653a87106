/**
 * A uuid as text: 8-4-4-4-12 hex digits, either case, as PostgreSQL's `uuid` type reads it. The one pattern
 * the server checks ids with before they reach a `::uuid` cast (which would fail the statement, a 500).
 */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
