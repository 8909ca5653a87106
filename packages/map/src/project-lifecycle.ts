import {
  type ProjectStatus,
  pactInitialStatus,
  projectStatuses,
  projectStatusTransitions,
} from '@quartiere/contracts'
import type { Actor } from './actor'
import { failure, type MapFailure } from './outcome'

/**
 * The lifecycle of projects, as every write of a project's properties applies it. The table itself is part of
 * the contract (packages/contracts), so that forms offer exactly the steps the API takes.
 */

/** Whether these properties make a project a pact of collaboration. */
export function isPact(properties: Record<string, unknown>): boolean {
  return properties.projectType === 'pact'
}

function isProjectStatus(value: unknown): value is ProjectStatus {
  return (projectStatuses as readonly unknown[]).includes(value)
}

/** Staying in the same status is always allowed; any other change must be one step of the table. */
export function checkProjectTransition(from: ProjectStatus, to: ProjectStatus): MapFailure | undefined {
  if (from === to) return undefined
  // A status stored before the table was enforced is not one of ours: no step leads out of it but staying.
  const allowed = isProjectStatus(from) ? projectStatusTransitions[from] : []
  if (allowed.includes(to)) return undefined
  return failure(
    'invalid_status_transition',
    `a project cannot go from ${from} to ${to}; from ${from} it can go to ${allowed.length ? allowed.join(' or ') : 'nothing (it is final)'}`,
  )
}

/**
 * A new pact of collaboration has no history yet, so it can only be a proposal: signing, activating or
 * rejecting it are steps its rules give to the city's admins and its signatory groups (POST
 * /api/pacts/{id}/transitions). An absent status means the proposal it must be; any other is refused rather than
 * quietly changed, so that whoever sent it learns the pact is not what they asked for.
 */
export function newPactProperties(
  properties: Record<string, unknown>,
): { ok: true; value: Record<string, unknown> } | MapFailure {
  if (!isPact(properties)) return { ok: true, value: properties }
  if (properties.status === undefined)
    return { ok: true, value: { ...properties, status: pactInitialStatus } }
  if (properties.status === pactInitialStatus) return { ok: true, value: properties }
  return failure(
    'invalid_status_transition',
    `a pact of collaboration starts as a ${pactInitialStatus}, not ${String(properties.status)}: create it as a ${pactInitialStatus} (or through POST /api/pacts), then take each step through POST /api/pacts/{id}/transitions`,
  )
}

/**
 * The shortest walk of single steps from one status to another (without `from`, ending with `to`), or undefined
 * when the table leads nowhere near it. Loaders of existing data use it to take a pact to its real status one
 * transition at a time.
 */
export function projectStatusPath(from: ProjectStatus, to: ProjectStatus): ProjectStatus[] | undefined {
  const cameFrom = new Map<ProjectStatus, ProjectStatus | null>([[from, null]])
  const queue: ProjectStatus[] = [from]
  for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
    if (status === to) {
      const path: ProjectStatus[] = []
      for (
        let step: ProjectStatus | null = to;
        step !== null && step !== from;
        step = cameFrom.get(step) ?? null
      )
        path.unshift(step)
      return path
    }
    for (const next of projectStatusTransitions[status]) {
      if (cameFrom.has(next)) continue
      cameFrom.set(next, status)
      queue.push(next)
    }
  }
  return undefined
}

/** The statuses a pact holds from its signing on: the city's record of an agreement. */
const pactSignedStatuses: readonly ProjectStatus[] = ['signed', 'active', 'concluded']

/**
 * Whether this actor may delete a pact with these properties: its author (or whoever may edit it) while it is
 * not signed yet, or was rejected; once signed, only an admin.
 */
export function pactMayBeDeletedBy(actor: Actor, properties: Record<string, unknown>): boolean {
  return actor.role === 'admin' || !pactSignedStatuses.includes(properties.status as ProjectStatus)
}
