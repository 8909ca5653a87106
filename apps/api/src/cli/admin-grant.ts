import { changeRole, userIdByEmail, userRoles } from '@quartiere/auth'
import { describeApplied, openMigratedDatabase } from './database'

/**
 * `pnpm admin:grant <email> <role>`: gives a member a platform role from the server's console, through the same
 * service as `PUT /api/admin/users/:id/role` (the change is in the role changes log, by "the console"). This is
 * how the first admin comes to exist: register through the API, then run this once where the server runs.
 */
const [email, role] = process.argv.slice(2)
const roles: readonly string[] = userRoles
if (!email || !role || !roles.includes(role)) {
  console.error(`usage: pnpm admin:grant <email> <${userRoles.join('|')}>`)
  process.exit(2)
}

const { database, applied } = await openMigratedDatabase()
let exitCode = 0
try {
  console.log(describeApplied(applied))
  const userId = await userIdByEmail(database.db, email)
  const outcome = userId
    ? await database.db.transaction().execute((trx) =>
        changeRole(trx, {
          actorId: null,
          userId,
          role: role as (typeof userRoles)[number],
          reason: 'granted at the server console',
        }),
      )
    : ({ ok: false, code: 'not_found', message: 'there is no such member' } as const)
  if (outcome.ok) {
    console.log(
      outcome.change
        ? `${email} is now ${outcome.role} (was ${outcome.change.oldRole})`
        : `${email} is ${outcome.role} already: nothing changed`,
    )
  } else {
    console.error(`refused (${outcome.code}): ${outcome.message}`)
    exitCode = 1
  }
} finally {
  await database.close()
}
process.exit(exitCode)
