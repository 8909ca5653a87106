import { loadDemoData } from '@quartiere/map/seed'
import { describeApplied, openMigratedDatabase } from './database'

/** `pnpm seed`: loads the Turin demo data into an empty map; a map that has anything on it is left alone. */
const { database, applied } = await openMigratedDatabase()
try {
  console.log(describeApplied(applied))
  const result = await loadDemoData(database.db)
  if (result.loaded) console.log(`loaded demo data: ${result.users} users, ${result.entities} entities`)
  else console.log('map not empty: nothing loaded')
} finally {
  await database.close()
}
