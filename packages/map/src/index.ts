export type { Actor } from './actor'
export { isModeratorOrAdmin } from './actor'
export type { EntityFilters } from './entities.repository'
export {
  bboxAreaDeg2Max,
  createEntity,
  deleteEntity,
  type EntityPage,
  type EntityResult,
  filterValuesMax,
  getEntity,
  listEntities,
  parseEntitiesQuery,
  updateEntity,
} from './entities.service'
export { appendOutboxEvent, type OutboxEvent } from './outbox'
export type { FieldError, MapFailure, MapFailureCode, MapOutcome } from './outcome'
