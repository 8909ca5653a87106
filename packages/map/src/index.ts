export type { Actor } from './actor'
export { isModeratorOrAdmin } from './actor'
export type { EntityHeader, GroupRole, Viewer } from './community/access'
export { readEntity } from './community/access'
export * from './community/campaign-viewer.service'
export * from './community/groups.service'
export * from './community/initiatives.service'
export * from './community/media.service'
export * from './community/media-deletion.service'
export * from './community/moderation.service'
export * from './community/notifications.service'
export type { CommunityFailure, CommunityFailureCode, CommunityOutcome } from './community/outcome'
export * from './community/pacts.service'
export { mayEditEntity } from './community/permissions'
export * from './community/posts.service'
export { checkPostingRate, type PostingLimits, postingLimitsDefault } from './community/rate-limit'
export { dashboardFigures, mayReadDashboard } from './dashboard.service'
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
export { entityMatchState } from './outbox'
export type { FieldError, MapFailure, MapFailureCode, MapOutcome } from './outcome'
export {
  eraseMemberMapData,
  exportMemberMapData,
  forgetMemberInNotifications,
  groupsSolelyOwnedBy,
  type MapPersonalDataSection,
  type MapSectionReader,
  mapUserReferences,
} from './personal-data'
