import { type Static, Type } from 'typebox'
import { entityKinds, pactStatuses } from './enums'
import { LiteralUnion } from './literal-union'

/** The longest range the organisers' dashboard covers, in whole months. */
export const dashboardMonthsMax = 36

const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'A UTC month, YYYY-MM.' })

export const DashboardQuery = Type.Object(
  {
    from: Month,
    to: Type.String({
      pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$',
      description: `The last month included (YYYY-MM); at most ${dashboardMonthsMax} months from \`from\`.`,
    }),
  },
  { additionalProperties: false },
)
export type DashboardQuery = Static<typeof DashboardQuery>

export const DashboardMonth = Type.Object(
  {
    month: Month,
    things: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
      description: 'Things put on the map that month (and not deleted), by kind: every kind, zeros included.',
    }),
    activePeople: Type.Integer({
      minimum: 0,
      description: 'Members who put a thing on the map, posted, commented or made a transfer that month.',
    }),
    exchanges: Type.Integer({ minimum: 0, description: 'Exchanges of time confirmed that month.' }),
    hours: Type.String({ description: 'The hours those exchanges moved, exact, e.g. "12.50".' }),
  },
  { additionalProperties: false },
)
export type DashboardMonth = Static<typeof DashboardMonth>

export const Dashboard = Type.Object(
  {
    from: Month,
    to: Month,
    kinds: Type.Array(LiteralUnion(entityKinds)),
    months: Type.Array(DashboardMonth),
    pactsByStatus: Type.Array(
      Type.Object(
        { status: LiteralUnion(pactStatuses), count: Type.Integer({ minimum: 0 }) },
        { additionalProperties: false },
      ),
      { description: 'Pacts proposed in the range, by their status now: every status, zeros included.' },
    ),
  },
  { additionalProperties: false },
)
export type Dashboard = Static<typeof Dashboard>
