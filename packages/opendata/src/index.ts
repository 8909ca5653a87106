export {
  cql2Condition,
  cql2FilterCrs,
  cql2FilterLanguages,
  cql2GeometryProperty,
} from './cql2-sql'
export { type Cql2Node, type Cql2ParseResult, parseCql2Text } from './cql2-text'
export { eventsIcs } from './events-ics'
export {
  csvExport,
  type ExportProvenance,
  type ExportSource,
  exportBatchRows,
  exportColumns,
  exportProvenance,
  exportRows,
  fgbExport,
  geojsonExport,
} from './exports'
export { changesExtents, ExtentCache, extentCacheMaxAgeMs } from './extent-cache'
export {
  describeFilters,
  filtersWhere,
  type PublicFilters,
  parseKinds,
  parseMapStyleFilters,
} from './filters'
export { type FlowBucket, type FlowCell, type FlowLeaf, publishedFlowCells } from './flow-suppression'
export {
  type LedgerFlows,
  type LedgerFlowsRequest,
  ledgerFlows,
  ledgerFlowsColumns,
  mayReadLedgerFlows,
  parseLedgerFlowsQuery,
} from './ledger-flows'
export {
  type CollectionExtent,
  getOgcItem,
  isOgcCollectionId,
  listOgcItems,
  type OgcItemsPage,
  type OgcItemsRequest,
  ogcCollectionExtents,
  ogcFeatureJsonSql,
  parseOgcItemsQuery,
} from './ogc.service'
export {
  ogcCollection,
  ogcCollections,
  ogcConformance,
  ogcLandingPage,
  ogcOpenApi,
  ogcQueryables,
} from './ogc-documents'
export type { OpenDataFailure, OpenDataOutcome } from './outcome'
export { exportProperties } from './properties'
export {
  bufferedTileBbox,
  type CachedTile,
  encodePreparedTile,
  mvtSql,
  preparedTileSql,
  renderTile,
  TileCache,
  type TileRequest,
  tileCacheBytesMax,
  tileCacheEntriesMax,
  tileEtag,
  tileFields,
} from './tiles'
