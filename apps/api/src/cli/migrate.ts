import { describeApplied, openMigratedDatabase } from './database'

/** `pnpm db:migrate`: applies pending migrations to the database this environment selects. */
const { database, applied } = await openMigratedDatabase()
console.log(describeApplied(applied))
await database.close()
